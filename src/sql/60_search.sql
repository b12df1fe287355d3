-- Catalog search: full text in French and English (accents ignored,
-- stemming, prefix match on the last word, typo tolerance for longer words),
-- ranked, with facets, in the Explore v2.1 catalog response shape.
-- See docs/search.md.
--
--   opendata.search_index   one tsvector per dataset, maintained by triggers
--   opendata.search_words   the words of published public datasets, for typos
--   opendata_api.search()   what PostgREST serves: GET /rpc/search?q=...

-- unaccent and pg_trgm live wherever CREATE EXTENSION ... CASCADE put them.
-- Their schema is resolved now and written into the functions, so nothing
-- depends on the search_path the functions later run with.
DO $search_deps$
DECLARE
  unaccent_schema name := (SELECT n.nspname FROM pg_extension e
                             JOIN pg_namespace n ON n.oid = e.extnamespace
                            WHERE e.extname = 'unaccent');
  trgm_schema name := (SELECT n.nspname FROM pg_extension e
                         JOIN pg_namespace n ON n.oid = e.extnamespace
                        WHERE e.extname = 'pg_trgm');
BEGIN
  -- unaccent() is STABLE because its dictionary could change; naming the
  -- dictionary makes the result depend on nothing else.
  EXECUTE format($f$
    CREATE FUNCTION opendata._unaccent(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $body$ SELECT %1$I.unaccent(%2$L::regdictionary, value) $body$
  $f$, unaccent_schema, format('%I.unaccent', unaccent_schema));

  -- The words table and its trigram index.
  CREATE TABLE opendata.search_words (
    word text COLLATE "C" PRIMARY KEY   -- lower-case, unaccented
  );
  EXECUTE format('CREATE INDEX search_words_trgm ON opendata.search_words USING gin (word %I.gin_trgm_ops)',
                 trgm_schema);

  -- Up to three known words close to `word` (trigram similarity), best first.
  EXECUTE format($f$
    CREATE FUNCTION opendata._similar_words(word text) RETURNS SETOF text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    AS $body$
      SELECT w.word FROM opendata.search_words w
       WHERE w.word OPERATOR(%1$I.%%) _similar_words.word
         AND abs(length(w.word) - length(_similar_words.word)) <= 2
         AND %1$I.similarity(w.word, _similar_words.word) >= 0.35
       ORDER BY %1$I.similarity(w.word, _similar_words.word) DESC, w.word
       LIMIT 3
    $body$
  $f$, trgm_schema);
END
$search_deps$;
COMMENT ON TABLE opendata.search_words IS
  'words (lower-case, unaccented) of published public datasets: the vocabulary typos are corrected against';

-- One row per dataset.  Not marked for pg_dump: the triggers below rebuild
-- it when the catalog tables are restored.
CREATE TABLE opendata.search_index (
  dataset_id       bigint PRIMARY KEY REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  organization_id  bigint,
  visible_to_all   boolean NOT NULL,    -- published and public
  document         tsvector NOT NULL,   -- weights: A title, B keywords, C description/publisher/territory, D fields/themes
  title            tsvector NOT NULL,   -- the title alone, for the title boost
  -- The dataset's facet and sort columns, copied so that a search of the
  -- public catalog reads this narrow row rather than the dataset's wide one
  -- (the description and the other long texts come first there).
  slug             text,
  title_text       text,
  modified         timestamptz,
  issued           timestamptz,
  themes           text[],
  keywords         text[],
  license_id       text,
  territory        text,                -- spatial->>'label'
  year             int                  -- of modified, in UTC
);
CREATE INDEX search_index_document ON opendata.search_index USING gin (document);
-- The organizations with datasets not everyone may read: whether a caller
-- sees more than the public catalog (_search_sees_beyond_public).
CREATE INDEX search_index_not_public ON opendata.search_index (organization_id) WHERE NOT visible_to_all;

-- The facet counts of the public catalog (published and public datasets),
-- for a search with no text, refine or exclude by a caller who sees no more
-- than that (docs/search.md, "Counts of the public catalog").  Append-only
-- deltas: a value's count is the sum of its rows, so that two publishers
-- never wait for each other on a shared count; _search_count_changes folds
-- the rows of the values it touched now and then.
CREATE TABLE opendata.search_facet_counts (
  facet  text NOT NULL,     -- 'total' (value ''), or a facet of _search_facet_names()
  value  text NOT NULL,     -- theme code, keyword as written, organization id, licence id, territory, year
  n      bigint NOT NULL    -- a change of the count
);
CREATE INDEX search_facet_counts_value ON opendata.search_facet_counts (facet, value);

-- A text in French, English and as-is ('simple'), accents removed.
CREATE FUNCTION opendata._search_tsvector(value text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('pg_catalog.french', v) || to_tsvector('pg_catalog.english', v)
         || to_tsvector('pg_catalog.simple', v)
    FROM (SELECT lower(opendata._unaccent(coalesce(value, ''))) AS v) x
$$;

-- The words of a text, as search_words stores them.
CREATE FUNCTION opendata._search_split(value text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT w FROM regexp_split_to_table(lower(opendata._unaccent(coalesce(value, ''))), '[^[:alnum:]]+') w
   WHERE length(w) BETWEEN 4 AND 40
$$;

-- The text of some datasets, by weight.
CREATE FUNCTION opendata._search_docs(ids bigint[])
RETURNS TABLE (id bigint, organization_id bigint, visible boolean,
               title text, keywords text, body text, extra text,
               slug text, modified timestamptz, issued timestamptz, themes text[], keyword_list text[],
               license_id text, territory text, year int)
LANGUAGE sql STABLE AS $$
  SELECT d.id, d.organization_id, d.status = 'published' AND d.access = 'public',
         d.title, array_to_string(d.keywords, ' '),
         concat_ws(' ', d.description, o.name, d.spatial->>'label'),
         concat_ws(' ',
           (SELECT string_agg(concat_ws(' ', f.label, f.description), ' ')
              FROM opendata.fields f WHERE f.dataset_id = d.id AND NOT f.hidden),
           (SELECT string_agg(t.label_fr || ' ' || t.label_en, ' ')
              FROM opendata.themes t WHERE t.code = ANY (d.themes))),
         d.slug, d.modified, d.issued, d.themes, d.keywords, d.license_id, d.spatial->>'label',
         date_part('year', d.modified AT TIME ZONE 'UTC')::int
    FROM opendata.datasets d
    LEFT JOIN opendata.organizations o ON o.id = d.organization_id
   WHERE d.id IN (SELECT unnest(ids))
$$;

-- Recomputes the search rows of some datasets (missing ones are skipped:
-- their row went with them, by the foreign key).
CREATE FUNCTION opendata._search_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  INSERT INTO opendata.search_index AS s (dataset_id, organization_id, visible_to_all, document, title,
                                          slug, title_text, modified, issued, themes, keywords, license_id,
                                          territory, year)
  SELECT x.id, x.organization_id, x.visible,
         setweight(opendata._search_tsvector(x.title), 'A')
         || setweight(opendata._search_tsvector(x.keywords), 'B')
         || setweight(opendata._search_tsvector(x.body), 'C')
         || setweight(opendata._search_tsvector(x.extra), 'D'),
         opendata._search_tsvector(x.title),
         x.slug, x.title, x.modified, x.issued, x.themes, x.keyword_list, x.license_id, x.territory, x.year
    FROM opendata._search_docs(ids) x
  ON CONFLICT (dataset_id) DO UPDATE
     SET organization_id = excluded.organization_id, visible_to_all = excluded.visible_to_all,
         document = excluded.document, title = excluded.title,
         slug = excluded.slug, title_text = excluded.title_text, modified = excluded.modified,
         issued = excluded.issued, themes = excluded.themes, keywords = excluded.keywords,
         license_id = excluded.license_id, territory = excluded.territory, year = excluded.year;

  -- Only what anyone may read feeds the typo vocabulary.  Words are never
  -- removed: a word once public stays a valid correction.
  INSERT INTO opendata.search_words (word)
  SELECT DISTINCT w
    FROM opendata._search_docs(ids) x,
         LATERAL opendata._search_split(concat_ws(' ', x.title, x.keywords, x.body, x.extra)) w
   WHERE x.visible
  ON CONFLICT DO NOTHING;
END
$$;

-- Rebuilds the whole search index (after a bulk load with triggers off, or
-- a restore with --disable-triggers).
CREATE FUNCTION opendata.search_reindex() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  who name := opendata._require_role('opendata_admin', 'rebuild the search index');
  n bigint;
BEGIN
  DELETE FROM opendata.search_index;
  -- The counts again from nothing, in case they went wrong with the index.
  DELETE FROM opendata.search_facet_counts;
  PERFORM opendata._search_refresh(ARRAY(SELECT id FROM opendata.datasets));
  SELECT count(*) INTO n FROM opendata.search_index;
  RETURN n;
END
$$;
COMMENT ON FUNCTION opendata.search_reindex() IS 'rebuild the catalog search index; returns the number of datasets indexed';

-- Triggers: statement-level, with transition tables, so a bulk load (or
-- pg_restore's COPY) refreshes each dataset once.
CREATE FUNCTION opendata._search_on_new_datasets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM opendata._search_refresh(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END
$$;
CREATE TRIGGER search_index_insert AFTER INSERT ON opendata.datasets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_on_new_datasets();
CREATE TRIGGER search_index_update AFTER UPDATE ON opendata.datasets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_on_new_datasets();

CREATE FUNCTION opendata._search_on_new_fields() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM opendata._search_refresh(ARRAY(SELECT DISTINCT dataset_id FROM new_rows));
  RETURN NULL;
END
$$;
CREATE FUNCTION opendata._search_on_old_fields() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM opendata._search_refresh(ARRAY(SELECT DISTINCT dataset_id FROM old_rows));
  RETURN NULL;
END
$$;
CREATE TRIGGER search_index_insert AFTER INSERT ON opendata.fields
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_on_new_fields();
CREATE TRIGGER search_index_update AFTER UPDATE ON opendata.fields
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_on_new_fields();
CREATE TRIGGER search_index_delete AFTER DELETE ON opendata.fields
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_on_old_fields();

CREATE FUNCTION opendata._search_on_organizations() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM opendata._search_refresh(ARRAY(SELECT d.id FROM opendata.datasets d
                                          WHERE d.organization_id IN (SELECT id FROM new_rows)));
  RETURN NULL;
END
$$;
CREATE TRIGGER search_index_insert AFTER INSERT ON opendata.organizations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_on_organizations();
CREATE TRIGGER search_index_update AFTER UPDATE ON opendata.organizations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_on_organizations();

-- The public catalog's facet counts follow search_index: statement-level
-- triggers add, for each facet value of the rows that came or went, the
-- change of its count (old public rows -1, new public rows +1).  Inserts
-- only, so publishers never wait for each other; then, if no other
-- transaction is folding (a try-lock, never a wait), the rows of the values
-- this statement touched are folded into one per value.  Only in READ
-- COMMITTED: a REPEATABLE READ snapshot could still see rows another folder
-- deleted since, and would fail to delete them again.
CREATE FUNCTION opendata._search_facet_values(s opendata.search_index)
RETURNS TABLE (facet text, value text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT 'total', '' WHERE s.visible_to_all
  UNION ALL SELECT 'theme', t FROM unnest(s.themes) t WHERE s.visible_to_all
  UNION ALL SELECT 'keyword', k FROM unnest(s.keywords) k WHERE s.visible_to_all
  UNION ALL SELECT 'publisher', s.organization_id::text WHERE s.visible_to_all AND s.organization_id IS NOT NULL
  UNION ALL SELECT 'license', s.license_id WHERE s.visible_to_all AND s.license_id IS NOT NULL
  UNION ALL SELECT 'territory', s.territory WHERE s.visible_to_all AND s.territory IS NOT NULL
  UNION ALL SELECT 'modified', s.year::text WHERE s.visible_to_all AND s.year IS NOT NULL
$$;

CREATE FUNCTION opendata._search_count_changes(gone opendata.search_index[], came opendata.search_index[])
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  touched text[];
BEGIN
  WITH changes AS (
    SELECT v.facet, v.value, sum(x.sign) AS n
      FROM (SELECT -1 AS sign, g AS s FROM unnest(gone) g
            UNION ALL SELECT 1, c FROM unnest(came) c) x,
           LATERAL opendata._search_facet_values(x.s) v
     GROUP BY 1, 2 HAVING sum(x.sign) <> 0),
  added AS (
    INSERT INTO opendata.search_facet_counts (facet, value, n)
    SELECT facet, value, n FROM changes
    RETURNING facet, value)
  SELECT array_agg(facet || ':' || value) INTO touched FROM added;

  IF touched IS NULL OR current_setting('transaction_isolation') <> 'read committed'
     OR NOT pg_try_advisory_xact_lock(hashtext('opendata.search_facet_counts'), 0) THEN
    RETURN;
  END IF;
  WITH folded AS (
    DELETE FROM opendata.search_facet_counts c
     WHERE c.facet || ':' || c.value = ANY (touched)
       AND (c.facet, c.value) IN (SELECT d.facet, d.value FROM opendata.search_facet_counts d
                                   WHERE d.facet || ':' || d.value = ANY (touched)
                                   GROUP BY 1, 2 HAVING count(*) > 1 OR sum(d.n) = 0)
    RETURNING c.facet, c.value, c.n)
  INSERT INTO opendata.search_facet_counts (facet, value, n)
  SELECT facet, value, sum(n) FROM folded GROUP BY 1, 2 HAVING sum(n) <> 0;
END
$$;

CREATE FUNCTION opendata._search_index_counted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Transition tables' rows are anonymous records: ROW(r.*) makes them
  -- search_index rows again.
  CASE TG_OP
    WHEN 'INSERT' THEN
      PERFORM opendata._search_count_changes('{}',
        ARRAY(SELECT ROW(r.*)::opendata.search_index FROM new_rows r WHERE r.visible_to_all));
    WHEN 'UPDATE' THEN
      PERFORM opendata._search_count_changes(
        ARRAY(SELECT ROW(r.*)::opendata.search_index FROM old_rows r WHERE r.visible_to_all),
        ARRAY(SELECT ROW(r.*)::opendata.search_index FROM new_rows r WHERE r.visible_to_all));
    WHEN 'DELETE' THEN
      PERFORM opendata._search_count_changes(
        ARRAY(SELECT ROW(r.*)::opendata.search_index FROM old_rows r WHERE r.visible_to_all), '{}');
  END CASE;
  RETURN NULL;
END
$$;
CREATE TRIGGER search_counts_insert AFTER INSERT ON opendata.search_index
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_index_counted();
CREATE TRIGGER search_counts_update AFTER UPDATE ON opendata.search_index
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_index_counted();
CREATE TRIGGER search_counts_delete AFTER DELETE ON opendata.search_index
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_index_counted();

-- The counts of the public catalog: one row per value with a count.
-- SECURITY DEFINER: only counts of what anyone may read.
CREATE FUNCTION opendata._search_public_counts()
RETURNS TABLE (facet text, value text, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT c.facet, c.value, sum(c.n)::bigint FROM opendata.search_facet_counts c
   GROUP BY 1, 2 HAVING sum(c.n) <> 0
$$;

-- Does `who` see datasets beyond the public catalog, through row-level
-- security's policy on opendata.datasets (22_security.sql)?  True when it
-- may manage an organization (or, for admins, the no-organization case)
-- that has a dataset not published or not public.
CREATE FUNCTION opendata._search_sees_beyond_public(who name) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT EXISTS (SELECT FROM (SELECT DISTINCT s.organization_id FROM opendata.search_index s
                               WHERE NOT s.visible_to_all) o
                  WHERE opendata._can_manage(o.organization_id, who))
$$;

-- The tsquery of a search text.  Each word becomes an alternative of its
-- French stem, its English stem and itself; the last word is a prefix; a
-- word of 5 letters or more that no public dataset uses also accepts the
-- closest known words.  Words that are stop words in either language, and
-- single letters, are dropped.  NULL when nothing is left.
CREATE FUNCTION opendata._search_query(q text) RETURNS tsquery
LANGUAGE plpgsql STABLE AS $$
DECLARE
  words text[];
  w text;
  s text;
  fr text[];
  en text[];
  alts text[];
  terms text[] := '{}';
  last boolean;
  n int;
BEGIN
  words := array_remove(regexp_split_to_array(lower(opendata._unaccent(coalesce(q, ''))), '[^[:alnum:]]+'), '');
  words := ARRAY(SELECT x FROM unnest(words) x WHERE length(x) BETWEEN 2 AND 40);
  n := least(cardinality(words), 16);
  FOR i IN 1 .. n LOOP
    w := words[i];
    last := (i = n);
    fr := ts_lexize('pg_catalog.french_stem', w);
    en := ts_lexize('pg_catalog.english_stem', w);
    CONTINUE WHEN fr = '{}' OR en = '{}';
    alts := ARRAY[fr[1], en[1], w];
    IF length(w) >= 5 AND NOT EXISTS (
         SELECT FROM opendata.search_words sw
          WHERE CASE WHEN last THEN sw.word LIKE replace(replace(w, '\', '\\'), '%', '\%') || '%'
                     ELSE sw.word = w END) THEN
      FOR s IN SELECT opendata._similar_words(w) LOOP
        alts := alts || (ts_lexize('pg_catalog.french_stem', s))[1] || (ts_lexize('pg_catalog.english_stem', s))[1] || s;
      END LOOP;
    END IF;
    alts := ARRAY(SELECT DISTINCT a FROM unnest(alts) a WHERE a IS NOT NULL AND a <> '' ORDER BY a);
    terms := terms || ('(' || (SELECT string_agg(quote_literal(a) || CASE WHEN last THEN ':*' ELSE '' END, ' | ')
                                 FROM unnest(alts) a) || ')');
  END LOOP;
  IF cardinality(terms) = 0 THEN
    RETURN NULL;
  END IF;
  RETURN array_to_string(terms, ' & ')::tsquery;
END
$$;

-- The datasets matching a tsquery, with their score.  SECURITY DEFINER so
-- that the GIN index serves every role (row-level security would keep the
-- non-leakproof @@ out of an index scan); it returns only what the caller may
-- see, and search() joins opendata.datasets, whose row-level security
-- decides in the end.
CREATE FUNCTION opendata._search_matches(query tsquery)
RETURNS TABLE (dataset_id bigint, score real)
LANGUAGE sql STABLE SECURITY DEFINER ROWS 1000
-- The planner underestimates prefix terms ('arbr':*) and would scan the
-- whole table; the GIN index is always the better path here.
SET enable_seqscan = off
AS $$
  -- The score (docs/search.md, "Ranking"), written out: a SQL function
  -- of it would not be inlined (99_finalize gives every function a
  -- search_path) and would cost a call per match.
  SELECT s.dataset_id,
         (ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', s.document, query, 1)
          * CASE WHEN s.title @@ query THEN 2 ELSE 1 END)::real
    FROM opendata.search_index s
   WHERE s.document @@ query
     AND (s.visible_to_all OR opendata._can_manage(s.organization_id, opendata._caller()))
$$;

-- The public datasets matching a tsquery, with their score and the facet
-- and sort columns search() needs, from search_index's narrow rows: what a
-- caller who sees no more than the public catalog gets, without reading
-- the datasets' rows.  SECURITY DEFINER for the GIN index, as above.
CREATE FUNCTION opendata._search_public_matches(query tsquery)
RETURNS TABLE (id bigint, slug text, title text, modified timestamptz, issued timestamptz, themes text[],
               keywords text[], license_id text, organization_id bigint, territory text, year int, score real)
LANGUAGE sql STABLE SECURITY DEFINER ROWS 1000
SET enable_seqscan = off
AS $$
  SELECT s.dataset_id, s.slug, s.title_text, s.modified, s.issued, s.themes, s.keywords, s.license_id,
         s.organization_id, s.territory, s.year,
         -- the score of _search_matches
         (ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', s.document, query, 1)
          * CASE WHEN s.title @@ query THEN 2 ELSE 1 END)::real
    FROM opendata.search_index s
   WHERE s.document @@ query AND s.visible_to_all
$$;

CREATE FUNCTION opendata._search_facet_names() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['theme', 'keyword', 'publisher', 'license', 'territory', 'modified']
$$;

-- The ready GET URL of an API function (links.next): a C function
-- (src/pg/rpc_link.cpp) on the core's one URL builder
-- (src/core/odsql/links.hpp, the one of records(), near() and cross()).
-- args are name, value pairs; a NULL value leaves its argument out, as the
-- request left it.
CREATE FUNCTION opendata._rpc_link(function text, args text[]) RETURNS text
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_rpc_link';

CREATE FUNCTION opendata_api.search(
  q text DEFAULT NULL,
  refine opendata_api.facet_items DEFAULT NULL,
  exclude opendata_api.facet_items DEFAULT NULL,
  facet text[] DEFAULT NULL,
  order_by text DEFAULT NULL,
  rows int DEFAULT 10,
  start int DEFAULT 0,
  lang text DEFAULT 'fr')
RETURNS json
LANGUAGE plpgsql STABLE
-- Facets over a whole catalog group tens of thousands of rows: in memory.
SET work_mem = '64MB'
-- JIT cannot pay here: the statement is new at every call (EXECUTE), its
-- estimates (row-level security, _search_matches' 1000 rows, six facet
-- subqueries) cross jit_above_cost on any catalog, and compiling it took
-- about 1 s for a 14 ms search of a 10-dataset catalog (docs/search.md).
SET jit = off
AS $$
DECLARE
  max_rows int := coalesce(nullif(current_setting('opendata.max_page_size', true), '')::int, 100);
  query tsquery := opendata._search_query(q);
  facets text[];
  f text;
  item text;
  param text;
  fname text;
  fvalue text;
  -- refine (r) and exclude (x) values per facet
  r_theme text[]; r_keyword text[]; r_publisher text[]; r_license text[]; r_territory text[]; r_modified int[];
  x_theme text[]; x_keyword text[]; x_publisher text[]; x_license text[]; x_territory text[]; x_modified int[];
  r_org bigint[]; x_org bigint[];
  -- Whether the caller sees exactly the public catalog: row-level security
  -- applies to it and it may manage no dataset beyond the public ones.
  -- Then search_index's narrow rows and the public counts give the same
  -- answer as opendata.datasets under its policy.
  public_view boolean := row_security_active('opendata.datasets')
                         AND NOT opendata._search_sees_beyond_public(current_user);
  from_counts boolean;
  ord text;
  order_sql text;
  facet_sql text[] := '{}';
  sql text;
  result json;
BEGIN
  IF rows IS NULL OR rows < 0 OR rows > max_rows THEN
    RAISE EXCEPTION 'rows must be between 0 and %, not %', max_rows, coalesce(rows::text, 'NULL')
      USING ERRCODE = '22023', HINT = 'The limit is the setting opendata.max_page_size.';
  END IF;
  IF start IS NULL OR start < 0 THEN
    RAISE EXCEPTION 'start must be zero or more, not %', coalesce(start::text, 'NULL') USING ERRCODE = '22023';
  END IF;
  IF lang IS NULL OR lang NOT IN ('fr', 'en') THEN
    RAISE EXCEPTION 'unsupported lang "%"', lang USING ERRCODE = '22023', HINT = 'Use fr or en.';
  END IF;

  -- Facets to count: all of them by default, in the order asked otherwise.
  facets := coalesce(facet, opendata._search_facet_names());
  FOREACH f IN ARRAY facets LOOP
    IF f IS NULL OR f <> ALL (opendata._search_facet_names()) THEN
      RAISE EXCEPTION 'unknown facet "%"', f
        USING ERRCODE = '22023',
              HINT = 'Catalog facets: ' || array_to_string(opendata._search_facet_names(), ', ') || '.';
    END IF;
  END LOOP;
  facets := ARRAY(SELECT x FROM unnest(facets) WITH ORDINALITY AS t(x, i)
                   GROUP BY x ORDER BY min(i));

  -- refine and exclude: "facet:value" items, values bound as parameters.
  FOREACH param IN ARRAY ARRAY['refine', 'exclude'] LOOP
    FOREACH item IN ARRAY coalesce(CASE param WHEN 'refine' THEN refine::text[] ELSE exclude::text[] END, '{}') LOOP
      IF item IS NULL OR position(':' IN item) = 0 THEN
        RAISE EXCEPTION 'invalid % item "%"', param, item
          USING ERRCODE = '22023', DETAIL = 'Expected facet:value, for example theme:ENVI.';
      END IF;
      fname := lower(btrim(split_part(item, ':', 1)));
      fvalue := btrim(substr(item, position(':' IN item) + 1));
      IF fname <> ALL (opendata._search_facet_names()) THEN
        RAISE EXCEPTION 'unknown facet "%" in %', fname, param
          USING ERRCODE = '22023',
                HINT = 'Catalog facets: ' || array_to_string(opendata._search_facet_names(), ', ') || '.';
      END IF;
      IF fvalue = '' THEN
        RAISE EXCEPTION 'invalid % item "%"', param, item
          USING ERRCODE = '22023', DETAIL = 'The value after "' || fname || ':" is empty.';
      END IF;
      IF fname = 'modified' AND fvalue !~ '^[0-9]{4}$' THEN
        RAISE EXCEPTION 'invalid % item "%"', param, item
          USING ERRCODE = '22023', DETAIL = 'modified takes a year, for example modified:2024.';
      END IF;
      IF param = 'refine' THEN
        CASE fname
          WHEN 'theme' THEN r_theme := coalesce(r_theme, '{}') || upper(fvalue);
          WHEN 'keyword' THEN r_keyword := coalesce(r_keyword, '{}') || lower(fvalue);
          WHEN 'publisher' THEN r_publisher := coalesce(r_publisher, '{}') || fvalue;
          WHEN 'license' THEN r_license := coalesce(r_license, '{}') || lower(fvalue);
          WHEN 'territory' THEN r_territory := coalesce(r_territory, '{}') || fvalue;
          WHEN 'modified' THEN r_modified := coalesce(r_modified, '{}') || fvalue::int;
        END CASE;
      ELSE
        CASE fname
          WHEN 'theme' THEN x_theme := coalesce(x_theme, '{}') || upper(fvalue);
          WHEN 'keyword' THEN x_keyword := coalesce(x_keyword, '{}') || lower(fvalue);
          WHEN 'publisher' THEN x_publisher := coalesce(x_publisher, '{}') || fvalue;
          WHEN 'license' THEN x_license := coalesce(x_license, '{}') || lower(fvalue);
          WHEN 'territory' THEN x_territory := coalesce(x_territory, '{}') || fvalue;
          WHEN 'modified' THEN x_modified := coalesce(x_modified, '{}') || fvalue::int;
        END CASE;
      END IF;
    END LOOP;
  END LOOP;

  -- Publishers by id: an unknown slug refines to nothing (-1 matches no
  -- organization) and excludes nothing.
  IF r_publisher IS NOT NULL THEN
    r_org := ARRAY(SELECT coalesce((SELECT o.id FROM opendata.organizations o WHERE o.slug = x), -1)
                     FROM unnest(r_publisher) x);
  END IF;
  IF x_publisher IS NOT NULL THEN
    x_org := ARRAY(SELECT o.id FROM opendata.organizations o WHERE o.slug = ANY (x_publisher));
  END IF;

  -- order_by: one key among fixed ones, and a direction.
  ord := lower(regexp_replace(btrim(coalesce(order_by, '')), '\s+', ' ', 'g'));
  order_sql := CASE
    WHEN ord = '' AND query IS NOT NULL THEN 'h.score DESC, h.modified DESC, h.slug'
    WHEN ord = '' THEN 'h.modified DESC, h.slug'
    WHEN ord IN ('relevance', 'relevance desc') THEN 'h.score DESC, h.modified DESC, h.slug'
    WHEN ord = 'relevance asc' THEN 'h.score ASC, h.modified DESC, h.slug'
    WHEN ord IN ('modified', 'modified desc') THEN 'h.modified DESC, h.slug'
    WHEN ord = 'modified asc' THEN 'h.modified ASC, h.slug'
    WHEN ord IN ('issued', 'issued desc') THEN 'h.issued DESC NULLS LAST, h.slug'
    WHEN ord = 'issued asc' THEN 'h.issued ASC NULLS LAST, h.slug'
    WHEN ord IN ('title', 'title asc') THEN 'lower(h.title) ASC, h.slug'
    WHEN ord = 'title desc' THEN 'lower(h.title) DESC, h.slug'
  END;
  IF order_sql IS NULL THEN
    RAISE EXCEPTION 'invalid order_by "%"', order_by
      USING ERRCODE = '22023',
            HINT = 'Sort by relevance, title, modified or issued, optionally followed by asc or desc.';
  END IF;

  -- No text, refine or exclude, and the public view: the facet counts of
  -- the whole public catalog are kept (search_facet_counts), the page comes
  -- from the (modified, slug) index; nothing reads every dataset.
  from_counts := public_view AND query IS NULL
    AND num_nulls(r_theme, r_keyword, r_org, r_license, r_territory, r_modified,
                  x_theme, x_keyword, x_org, x_license, x_territory, x_modified) = 12;

  -- One fixed SQL fragment per facet; only these constant texts and the
  -- order fragment above are pasted, every value is a parameter.  Each
  -- facet counts its values over the hits, or reads them from the public
  -- counts.  Arrays are unnested in the select list (a stream, where a
  -- lateral unnest() fills a tuplestore per hit), and keywords are counted
  -- per spelling before lower() folds the few distinct spellings (lower()
  -- on every keyword of a whole catalog cost more than the count itself).
  FOREACH f IN ARRAY facets LOOP
    facet_sql := facet_sql || format(CASE f
      WHEN 'theme' THEN $f$(SELECT json_build_object('name', 'theme', 'facets', coalesce(json_agg(json_build_object(
          'name', coalesce(CASE WHEN $2 = 'en' THEN t.label_en ELSE t.label_fr END, x.v), 'value', x.v, 'count', x.n,
          'state', CASE WHEN x.v = ANY ($3) THEN 'refined' ELSE 'displayed' END) ORDER BY x.n DESC, x.v), '[]'))
        FROM (SELECT v, n FROM (%s) c ORDER BY 2 DESC, 1 LIMIT 50) x
        LEFT JOIN opendata.themes t ON t.code = x.v)$f$
      WHEN 'keyword' THEN $f$(SELECT json_build_object('name', 'keyword', 'facets', coalesce(json_agg(json_build_object(
          'name', x.label, 'value', x.v, 'count', x.n,
          'state', CASE WHEN x.v = ANY ($4) THEN 'refined' ELSE 'displayed' END) ORDER BY x.n DESC, x.v), '[]'))
        FROM (SELECT lower(k) AS v, min(k) AS label, sum(n)::bigint AS n
                FROM (%s) spelled
               GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 50) x)$f$
      WHEN 'publisher' THEN $f$(SELECT json_build_object('name', 'publisher', 'facets', coalesce(json_agg(json_build_object(
          'name', o.name, 'value', o.slug, 'count', x.n,
          'state', CASE WHEN x.v = ANY ($5) THEN 'refined' ELSE 'displayed' END) ORDER BY x.n DESC, o.slug), '[]'))
        FROM (SELECT v, n FROM (%s) c ORDER BY 2 DESC, 1 LIMIT 50) x
        JOIN opendata.organizations o ON o.id = x.v)$f$
      WHEN 'license' THEN $f$(SELECT json_build_object('name', 'license', 'facets', coalesce(json_agg(json_build_object(
          'name', coalesce(l.title, x.v), 'value', x.v, 'count', x.n,
          'state', CASE WHEN lower(x.v) = ANY ($6) THEN 'refined' ELSE 'displayed' END) ORDER BY x.n DESC, x.v), '[]'))
        FROM (SELECT v, n FROM (%s) c ORDER BY 2 DESC, 1 LIMIT 50) x
        LEFT JOIN opendata.licenses l ON l.id = x.v)$f$
      WHEN 'territory' THEN $f$(SELECT json_build_object('name', 'territory', 'facets', coalesce(json_agg(json_build_object(
          'name', x.v, 'value', x.v, 'count', x.n,
          'state', CASE WHEN x.v = ANY ($7) THEN 'refined' ELSE 'displayed' END) ORDER BY x.n DESC, x.v), '[]'))
        FROM (SELECT v, n FROM (%s) c ORDER BY 2 DESC, 1 LIMIT 50) x)$f$
      WHEN 'modified' THEN $f$(SELECT json_build_object('name', 'modified', 'facets', coalesce(json_agg(json_build_object(
          'name', x.v::text, 'value', x.v::text, 'count', x.n,
          'state', CASE WHEN x.v = ANY ($8) THEN 'refined' ELSE 'displayed' END) ORDER BY x.v DESC), '[]'))
        FROM (SELECT v, n FROM (%s) c ORDER BY 1 DESC LIMIT 50) x)$f$
    END, CASE WHEN from_counts THEN format('SELECT c.value::%s AS %s, c.n FROM counts c WHERE c.facet = %L',
                                           CASE f WHEN 'publisher' THEN 'bigint' WHEN 'modified' THEN 'int' ELSE 'text' END,
                                           CASE f WHEN 'keyword' THEN 'k' ELSE 'v' END, f)
    ELSE CASE f
      WHEN 'theme' THEN 'SELECT v, count(*) AS n FROM (SELECT unnest(h.themes) AS v FROM hits h) u GROUP BY v'
      WHEN 'keyword' THEN 'SELECT k, count(*) AS n FROM (SELECT unnest(h.keywords) AS k FROM hits h) u GROUP BY k'
      WHEN 'publisher' THEN 'SELECT h.organization_id AS v, count(*) AS n FROM hits h
                              WHERE h.organization_id IS NOT NULL GROUP BY 1'
      WHEN 'license' THEN 'SELECT h.license_id AS v, count(*) AS n FROM hits h WHERE h.license_id IS NOT NULL GROUP BY 1'
      WHEN 'territory' THEN 'SELECT h.territory AS v, count(*) AS n FROM hits h WHERE h.territory IS NOT NULL GROUP BY 1'
      WHEN 'modified' THEN 'SELECT h.year AS v, count(*) AS n FROM hits h GROUP BY 1'
    END END);
  END LOOP;

  sql := format($q$
    WITH %s, page AS (
      -- LIMIT before the numbering: a top-N sort of the hits, then the
      -- page alone numbered (row_number() over all hits sorted them all).
      SELECT h.slug, h.score, row_number() OVER (ORDER BY %s) AS ord
        FROM (SELECT * FROM %s h ORDER BY %s LIMIT $15 OFFSET $16) h
    )
    SELECT json_build_object(
      'total_count', %s,
      'results', (SELECT coalesce(json_agg(CASE WHEN $1 IS NULL THEN to_jsonb(v)
                                                ELSE to_jsonb(v) || jsonb_build_object('score', round(p.score::numeric, 4)) END
                                           ORDER BY p.ord), '[]')
                    FROM page p
                    CROSS JOIN LATERAL (SELECT * FROM opendata_api.datasets x
                                         WHERE x.dataset_id = p.slug OFFSET 0) v),
      'facets', %s)
  $q$,
    CASE WHEN from_counts THEN
      'counts AS MATERIALIZED (SELECT facet, value, n FROM opendata._search_public_counts())'
    ELSE format($h$hits AS MATERIALIZED (
      SELECT d.id, d.slug, d.title, d.modified, d.issued, d.themes, d.keywords, d.license_id,
             d.organization_id, d.territory, d.year, d.score
        FROM %s d
       WHERE ($3 IS NULL OR d.themes @> $3)
         AND ($4 IS NULL OR ARRAY(SELECT lower(k) FROM unnest(d.keywords) k) @> $4)
         AND ($5 IS NULL OR d.organization_id = ALL ($5))
         AND ($6 IS NULL OR lower(d.license_id) = ALL ($6))
         AND ($7 IS NULL OR d.territory = ALL ($7))
         AND ($8 IS NULL OR d.year = ALL ($8))
         AND ($9 IS NULL OR NOT d.themes && $9)
         AND ($10 IS NULL OR NOT ARRAY(SELECT lower(k) FROM unnest(d.keywords) k) && $10)
         AND ($11 IS NULL OR d.organization_id IS NULL OR d.organization_id <> ALL ($11))
         AND ($12 IS NULL OR d.license_id IS NULL OR lower(d.license_id) <> ALL ($12))
         AND ($13 IS NULL OR d.territory IS NULL OR d.territory <> ALL ($13))
         AND ($14 IS NULL OR d.year <> ALL ($14)))$h$,
      CASE WHEN query IS NOT NULL AND public_view THEN 'opendata._search_public_matches($1)'
           ELSE format($d$(SELECT d.id, d.slug, d.title, d.modified, d.issued, d.themes, d.keywords, d.license_id,
                                  d.organization_id, d.spatial->>'label' AS territory,
                                  date_part('year', d.modified AT TIME ZONE 'UTC')::int AS year, %s AS score
                             FROM %s)$d$,
                       CASE WHEN query IS NULL THEN '0::real' ELSE 'm.score' END,
                       CASE WHEN query IS NULL THEN 'opendata.datasets d'
                            ELSE 'opendata._search_matches($1) m JOIN opendata.datasets d ON d.id = m.dataset_id' END)
      END)
    END,
    order_sql,
    -- The whole public catalog's page: the datasets under their policy,
    -- in the order of the index on (modified DESC, slug) for the default.
    CASE WHEN from_counts THEN '(SELECT d.slug, d.title, d.modified, d.issued, 0::real AS score FROM opendata.datasets d)'
         ELSE 'hits' END,
    order_sql,
    CASE WHEN from_counts THEN $t$coalesce((SELECT c.n FROM counts c WHERE c.facet = 'total'), 0)$t$
         ELSE '(SELECT count(*) FROM hits)' END,
    CASE WHEN cardinality(facet_sql) = 0 THEN $e$'[]'::json$e$
         ELSE 'json_build_array(' || array_to_string(facet_sql, ', ') || ')' END);

  EXECUTE sql INTO result
    USING query, lang,
          r_theme, r_keyword, r_org, r_license, r_territory, r_modified,
          x_theme, x_keyword, x_org, x_license, x_territory, x_modified,
          rows, start;
  -- links.next while rows remain after this page (a text splice keeps the
  -- object's key order and layout).
  IF rows > 0 AND start + rows < (result->>'total_count')::bigint THEN
    result := (left(result::text, -1) || ', "links" : {"next" : ' || to_json(opendata._rpc_link('search', ARRAY[
      'q', q, 'refine', refine::text, 'exclude', exclude::text, 'facet', facet::text,
      'order_by', order_by, 'rows', rows::text, 'start', (start + rows)::text,
      'lang', nullif(lang, 'fr')]))::text || '}}')::json;
  END IF;
  PERFORM opendata._count_call('search', '', NULL, length(result::text));
  RETURN result;
END
$$;
COMMENT ON FUNCTION opendata_api.search(text, opendata_api.facet_items, opendata_api.facet_items, text[], text, int, int, text) IS
  'catalog search: {"total_count": n, "results": [datasets], "facets": [{"name", "facets": [{"name", "value", "count", "state"}]}], "links": {"next"}}';

-- Anon reads only what row-level security shows it; these are what the
-- search runs on its behalf.
REVOKE EXECUTE ON FUNCTION opendata._search_matches(tsquery), opendata._search_public_matches(tsquery),
  opendata._search_public_counts(), opendata._search_sees_beyond_public(name), opendata.search_reindex() FROM PUBLIC;
GRANT SELECT ON opendata.search_words TO opendata_anon;
GRANT EXECUTE ON FUNCTION
  opendata._unaccent(text), opendata._similar_words(text), opendata._search_query(text),
  opendata._search_matches(tsquery), opendata._search_facet_names(), opendata._rpc_link(text, text[]),
  opendata._search_public_matches(tsquery),
  opendata._search_public_counts(), opendata._search_sees_beyond_public(name)
  TO opendata_anon;
GRANT EXECUTE ON FUNCTION opendata_api.search(text, opendata_api.facet_items, opendata_api.facet_items, text[], text, int, int, text)
  TO opendata_anon;
GRANT EXECUTE ON FUNCTION opendata.search_reindex() TO opendata_admin;
