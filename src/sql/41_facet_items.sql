-- opendata_api.facet_items: the type of every refine and exclude argument
-- of the API.  An app writes a list of "field:value" items as one bare item
-- (refine=mode:Metro), a PostgreSQL array ({mode:Metro,mode:RER}) or, in a
-- JSON body, a JSON array; PostgREST hands the argument to its type's input
-- as text, which a text[] argument refused for the bare form.  The value is
-- a text[] (the casts both ways return the same datum, and SQL callers pass
-- ARRAY[...] as before); src/core/odsql/facet_items.hpp reads the text.

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

CREATE FUNCTION opendata._facet_items(text[]) RETURNS opendata_api.facet_items
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_facet_items_same';

CREATE FUNCTION opendata._facet_items_text(opendata_api.facet_items) RETURNS text[]
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_facet_items_same';

-- Upgrades run this again (scripts/replaceable.awk): it stays idempotent.
DO $type$
BEGIN
  -- (A shell type cannot be named through regtype: look it up by name.)
  IF NOT (SELECT t.typisdefined FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = 'opendata_api' AND t.typname = 'facet_items') THEN
    CREATE TYPE opendata_api.facet_items (
      INPUT = opendata._facet_items_in, OUTPUT = opendata._facet_items_out,
      INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended);
    -- Implicit from text[], so that ARRAY['mode:Metro'] is still accepted;
    -- on assignment only the other way, so that no expression becomes
    -- ambiguous between the two.
    CREATE CAST (text[] AS opendata_api.facet_items) WITH FUNCTION opendata._facet_items(text[]) AS IMPLICIT;
    CREATE CAST (opendata_api.facet_items AS text[]) WITH FUNCTION opendata._facet_items_text(opendata_api.facet_items) AS ASSIGNMENT;
  END IF;
END
$type$;
COMMENT ON TYPE opendata_api.facet_items IS
  'refine/exclude items "field:value": one item, a list {a:b,c:d} or a JSON array ["a:b"]';
-- The casts run as the caller: whoever may call the API.  (Input and output
-- functions of a type are not subject to EXECUTE.)
GRANT EXECUTE ON FUNCTION
  opendata._facet_items(text[]), opendata._facet_items_text(opendata_api.facet_items)
  TO opendata_anon;
