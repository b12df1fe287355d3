-- Step 1: the extension, with PostGIS pulled in by CASCADE.
\echo '-- CREATE EXTENSION opendata CASCADE;'
CREATE EXTENSION opendata CASCADE;
\echo '-- SELECT opendata.version(), opendata.build_info();'
SELECT opendata.version();
SELECT jsonb_pretty(opendata.build_info()) AS build_info;
