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

-- The catalog's version, for search()'s in-memory index of the public
-- catalog (src/pg/search_cache.cpp, docs/search.md "In-memory index").
-- Each statement that changes search_index adds a row n = 1 (a statement
-- trigger, below); its sum under a snapshot counts the changes that
-- snapshot sees.  Snapshots only ever see more committed statements, and
-- a rolled-back one is seen by no one, so two snapshots that see the same
-- sum see the same search_index: a backend keeps its index while the sum
-- it was built for is the one its caller sees.  Append-only, as the facet
-- counts, so that two publishers never wait for each other here; rows are
-- folded into one now and then, which keeps the sum.  Not dumped: a
-- restore writes search_index again, which counts anew.
CREATE TABLE opendata.search_version (
  n  bigint NOT NULL   -- statements counted (1, or the sum of folded rows)
);

CREATE FUNCTION opendata._search_index_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO opendata.search_version (n) VALUES (1);
  -- Folded as the facet counts are: in READ COMMITTED only, and only if no
  -- other transaction is folding (a try-lock, never a wait).
  IF current_setting('transaction_isolation') = 'read committed'
     AND pg_try_advisory_xact_lock(hashtext('opendata.search_version'), 0) THEN
    WITH folded AS (DELETE FROM opendata.search_version RETURNING n)
    INSERT INTO opendata.search_version (n) SELECT sum(n) FROM folded HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER search_version_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opendata.search_index
  FOR EACH STATEMENT EXECUTE FUNCTION opendata._search_index_changed();

-- The version search() reads under its caller's snapshot.  SECURITY
-- DEFINER: a count, nothing of the catalog.
CREATE FUNCTION opendata._search_version() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT coalesce(sum(v.n), 0)::bigint FROM opendata.search_version v
$$;

-- The public catalog as search()'s in-memory index loads it: the rows of
-- search_index everyone may read, with the facet values folded as refine
-- compares them and the ranks of slug and lower(title) in the database's
-- collation (the index sorts by ranks what SQL sorts by text).  SECURITY
-- DEFINER: the public rows only, as _search_public_counts().  The ranks
-- are computed on the narrow (id, slug, title) rows and joined back: sorting
-- the whole rows, tsvectors included, spilled them to disk (50,000
-- datasets: 0.97 s for this statement, 0.61 s so).
CREATE FUNCTION opendata._search_public_index()
RETURNS TABLE (slug text, document tsvector, title tsvector, slug_rank bigint, title_rank bigint,
               modified timestamptz, issued timestamptz, themes text[], keywords text[],
               keywords_lower text[], organization_id bigint, license_id text, license_lower text,
               territory text, year int)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT s.slug, s.document, s.title, r.slug_rank, r.title_rank,
         s.modified, s.issued, s.themes, s.keywords, ARRAY(SELECT lower(k) FROM unnest(s.keywords) k),
         s.organization_id, s.license_id, lower(s.license_id), s.territory, s.year
    FROM opendata.search_index s
    JOIN (SELECT ranked.dataset_id, ranked.slug_rank,
                 dense_rank() OVER (ORDER BY ranked.title_key) AS title_rank
            FROM (SELECT i.dataset_id, lower(i.title_text) AS title_key,
                         dense_rank() OVER (ORDER BY i.slug) AS slug_rank
                    FROM opendata.search_index i
                   WHERE i.visible_to_all) ranked) r ON r.dataset_id = s.dataset_id
   WHERE s.visible_to_all
$$;

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
-- their row went with them, by the foreign key).  One statement: the
-- datasets' texts are read once, for their rows and for the typo
-- vocabulary, and the search index's own triggers (the version, the
-- facet counts) fire once.  The title's tsvector is computed once, for
-- the document and for the title boost (OFFSET 0 keeps the planner from
-- folding the subquery and calling it twice again).
CREATE FUNCTION opendata._search_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  WITH docs AS MATERIALIZED (
    SELECT * FROM opendata._search_docs(ids)
  ), indexed AS (
    INSERT INTO opendata.search_index AS s (dataset_id, organization_id, visible_to_all, document, title,
                                            slug, title_text, modified, issued, themes, keywords, license_id,
                                            territory, year)
    SELECT x.id, x.organization_id, x.visible,
           setweight(t.title, 'A')
           || setweight(opendata._search_tsvector(x.keywords), 'B')
           || setweight(opendata._search_tsvector(x.body), 'C')
           || setweight(opendata._search_tsvector(x.extra), 'D'),
           t.title,
           x.slug, x.title, x.modified, x.issued, x.themes, x.keyword_list, x.license_id, x.territory, x.year
      FROM docs x, LATERAL (SELECT opendata._search_tsvector(x.title) AS title OFFSET 0) t
    ON CONFLICT (dataset_id) DO UPDATE
       SET organization_id = excluded.organization_id, visible_to_all = excluded.visible_to_all,
           document = excluded.document, title = excluded.title,
           slug = excluded.slug, title_text = excluded.title_text, modified = excluded.modified,
           issued = excluded.issued, themes = excluded.themes, keywords = excluded.keywords,
           license_id = excluded.license_id, territory = excluded.territory, year = excluded.year
  )
  -- Only what anyone may read feeds the typo vocabulary.  Words are never
  -- removed: a word once public stays a valid correction.
  INSERT INTO opendata.search_words (word)
  SELECT DISTINCT w
    FROM docs x,
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
--
-- A new dataset that already has fields when its INSERT's trigger fires
-- got them in the same statement (register() inserts the dataset's row and
-- its fields together): fields cannot come before their dataset (the
-- foreign key), nor later in a statement that ended before this trigger
-- fired.  The fields' trigger fires for that statement too and refreshes
-- the dataset with its fields, so this one leaves it: once, not twice.
CREATE FUNCTION opendata._search_on_new_datasets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM opendata._search_refresh(ARRAY(SELECT n.id FROM new_rows n
                                            WHERE NOT EXISTS (SELECT FROM opendata.fields f
                                                               WHERE f.dataset_id = n.id)));
  ELSE
    PERFORM opendata._search_refresh(ARRAY(SELECT id FROM new_rows));
  END IF;
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
  -- Drafts and restricted datasets count nowhere: most changes (a
  -- registration, a draft's description) stop here.
  IF cardinality(gone) = 0 AND cardinality(came) = 0 THEN
    RETURN;
  END IF;
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
-- French stem, its English stem and itself; the last word is a prefix (its
-- alternatives that another one is a prefix of left out); a
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
    -- The last word's alternatives are prefixes: one that starts with
    -- another ('arbres':* after 'arbr':*) matches no lexeme the other does
    -- not, so it changes neither the matches nor the score, but it costs
    -- the GIN scan and ts_rank_cd a pass each (docs/search.md, "Speed").
    IF last THEN
      alts := ARRAY(SELECT a FROM unnest(alts) a
                     WHERE NOT EXISTS (SELECT FROM unnest(alts) b WHERE b <> a AND starts_with(a, b))
                     ORDER BY a);
    END IF;
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
  -- The score (docs/search.md, "Ranking"): _search_score() is
  --   (ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', s.document, query, 1)
  --    * CASE WHEN s.title @@ query THEN 2 ELSE 1 END)::real
  -- to the last bit, in a fraction of its time (59_search_score.sql).
  SELECT s.dataset_id, opendata._search_score(s.document, s.title, query)
    FROM opendata.search_index s
   WHERE s.document @@ query
     AND (s.visible_to_all OR opendata._can_manage(s.organization_id, opendata._caller()))
$$;

-- The public datasets matching a tsquery and kept by search()'s refine and
-- exclude values, with their score and the facet and sort columns search()
-- needs, from search_index's narrow rows: what a caller who sees no more
-- than the public catalog gets, without reading the datasets' rows.
-- SECURITY DEFINER for the GIN index, as above.  The filters are applied
-- here, before the score is computed: ranking a match costs more than
-- matching it, and a refine or exclude may drop most of them.  They are
-- those search() applies to the datasets on its general path
-- (hits_sql() in src/core/catalog/search_sql.cpp), on the same values
-- copied here; NULL: no filter; publishers by organization id.
CREATE FUNCTION opendata._search_public_matches(
  query tsquery,
  refine_themes text[], refine_keywords text[], refine_publishers bigint[],
  refine_licenses text[], refine_territories text[], refine_years int[],
  exclude_themes text[], exclude_keywords text[], exclude_publishers bigint[],
  exclude_licenses text[], exclude_territories text[], exclude_years int[])
RETURNS TABLE (id bigint, slug text, title text, modified timestamptz, issued timestamptz, themes text[],
               keywords text[], license_id text, organization_id bigint, territory text, year int, score real)
LANGUAGE sql STABLE SECURITY DEFINER ROWS 1000
SET enable_seqscan = off
AS $$
  SELECT s.dataset_id, s.slug, s.title_text, s.modified, s.issued, s.themes, s.keywords, s.license_id,
         s.organization_id, s.territory, s.year,
         -- the score of _search_matches
         opendata._search_score(s.document, s.title, query)
    FROM opendata.search_index s
   WHERE s.document @@ query AND s.visible_to_all
     AND (refine_themes IS NULL OR s.themes @> refine_themes)
     AND (refine_keywords IS NULL OR ARRAY(SELECT lower(k) FROM unnest(s.keywords) k) @> refine_keywords)
     AND (refine_publishers IS NULL OR s.organization_id = ALL (refine_publishers))
     AND (refine_licenses IS NULL OR lower(s.license_id) = ALL (refine_licenses))
     AND (refine_territories IS NULL OR s.territory = ALL (refine_territories))
     AND (refine_years IS NULL OR s.year = ALL (refine_years))
     AND (exclude_themes IS NULL OR NOT s.themes && exclude_themes)
     AND (exclude_keywords IS NULL OR NOT ARRAY(SELECT lower(k) FROM unnest(s.keywords) k) && exclude_keywords)
     AND (exclude_publishers IS NULL OR s.organization_id IS NULL OR s.organization_id <> ALL (exclude_publishers))
     AND (exclude_licenses IS NULL OR s.license_id IS NULL OR lower(s.license_id) <> ALL (exclude_licenses))
     AND (exclude_territories IS NULL OR s.territory IS NULL OR s.territory <> ALL (exclude_territories))
     AND (exclude_years IS NULL OR s.year <> ALL (exclude_years))
$$;

-- The catalog's facets, for SQL (the Explore catalog, 77_ods.sql): the
-- list search() itself takes from src/core/catalog/search_sql.hpp
-- (kSearchFacets), in the same order.
CREATE FUNCTION opendata._search_facet_names() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['theme', 'keyword', 'publisher', 'license', 'territory', 'modified']
$$;

-- The search itself is a C function (src/pg/search.cpp): its statement is
-- written by src/core/catalog/search_sql.cpp, every value a parameter,
-- and runs as the caller, so the policy of opendata.datasets applies.
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
LANGUAGE c STABLE
-- Facets over a whole catalog group tens of thousands of rows: in memory.
SET work_mem = '64MB'
-- JIT cannot pay here: the statement is planned anew at every call, its
-- estimates (row-level security, _search_matches' 1000 rows, six facet
-- subqueries) cross jit_above_cost on any catalog, and compiling it took
-- about 1 s for a 14 ms search of a 10-dataset catalog (docs/search.md).
SET jit = off
AS 'MODULE_PATHNAME', 'opendata_search';
COMMENT ON FUNCTION opendata_api.search(text, opendata_api.facet_items, opendata_api.facet_items, text[], text, int, int, text) IS
  'catalog search: {"total_count": n, "results": [datasets], "facets": [{"name", "facets": [{"name", "value", "count", "state"}]}], "links": {"next"}}';

-- Anon reads only what row-level security shows it; these are what the
-- search runs on its behalf.
REVOKE EXECUTE ON FUNCTION opendata._search_matches(tsquery),
  opendata._search_version(), opendata._search_public_index(),
  opendata._search_public_matches(tsquery, text[], text[], bigint[], text[], text[], int[], text[], text[], bigint[], text[], text[], int[]),
  opendata._search_public_counts(), opendata._search_sees_beyond_public(name), opendata.search_reindex() FROM PUBLIC;
GRANT SELECT ON opendata.search_words TO opendata_anon;
GRANT EXECUTE ON FUNCTION
  opendata._unaccent(text), opendata._similar_words(text), opendata._search_query(text),
  opendata._search_matches(tsquery), opendata._search_facet_names(),
  opendata._search_public_matches(tsquery, text[], text[], bigint[], text[], text[], int[], text[], text[], bigint[], text[], text[], int[]),
  opendata._search_public_counts(), opendata._search_sees_beyond_public(name),
  opendata._search_version(), opendata._search_public_index()
  TO opendata_anon;
GRANT EXECUTE ON FUNCTION opendata_api.search(text, opendata_api.facet_items, opendata_api.facet_items, text[], text, int, int, text)
  TO opendata_anon;
GRANT EXECUTE ON FUNCTION opendata.search_reindex() TO opendata_admin;
