-- opendata_api.facet_items: the type of every refine and exclude argument
-- of the API.  An app writes a list of "field:value" items as one bare item
-- (refine=mode:Metro), a PostgreSQL array ({mode:Metro,mode:RER}) or, in a
-- JSON body, a JSON array; PostgREST hands the argument to its type's input
-- as text, which a text[] argument refused for the bare form.  The value is
-- a text[] (binary casts both ways: SQL callers pass ARRAY[...] as before),
-- read by src/core/odsql/facet_items.hpp.

-- Upgrades run this again (scripts/replaceable.awk): it stays idempotent.
DO $shell$
BEGIN
  IF to_regtype('opendata_api.facet_items') IS NULL THEN
    CREATE TYPE opendata_api.facet_items;
  END IF;
END
$shell$;

CREATE FUNCTION opendata._facet_items_in(cstring) RETURNS opendata_api.facet_items
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_facet_items_in';

CREATE FUNCTION opendata._facet_items_out(opendata_api.facet_items) RETURNS cstring
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_facet_items_out';

-- Upgrades run this again (scripts/replaceable.awk): it stays idempotent.
DO $type$
BEGIN
  IF NOT (SELECT typisdefined FROM pg_type WHERE oid = 'opendata_api.facet_items'::regtype) THEN
    CREATE TYPE opendata_api.facet_items (
      INPUT = opendata._facet_items_in, OUTPUT = opendata._facet_items_out,
      INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended);
    -- Implicit from text[], so that ARRAY['mode:Metro'] is still accepted;
    -- on assignment only the other way, so that no expression becomes
    -- ambiguous between the two.
    CREATE CAST (text[] AS opendata_api.facet_items) WITHOUT FUNCTION AS IMPLICIT;
    CREATE CAST (opendata_api.facet_items AS text[]) WITHOUT FUNCTION AS ASSIGNMENT;
  END IF;
END
$type$;
COMMENT ON TYPE opendata_api.facet_items IS
  'refine/exclude items "field:value": one item, a list {a:b,c:d} or a JSON array ["a:b"]';
