-- The catalog in DCAT-AP 3 (JSON-LD, Turtle, RDF/XML) for national portals
-- to harvest, paged with Hydra, and schema.org Dataset JSON-LD for search
-- engines.  SQL builds one JSON document from the catalog tables (as the
-- calling role: row-level security decides what is in it); the C++ core
-- (src/core/catalog) turns it into RDF.  See docs/dcat.md.

-- Each serialisation has its own function (and URL).  The media type
-- domains below stay for dataset_schema_org() and for installations that
-- name them; the catalog functions answer through "*/*" (see below).
DO $domains$
BEGIN
  IF to_regtype('opendata_api."application/ld+json"') IS NULL THEN
    CREATE DOMAIN opendata_api."application/ld+json" AS json;
  END IF;
  IF to_regtype('opendata_api."text/turtle"') IS NULL THEN
    CREATE DOMAIN opendata_api."text/turtle" AS text;
  END IF;
  IF to_regtype('opendata_api."application/rdf+xml"') IS NULL THEN
    CREATE DOMAIN opendata_api."application/rdf+xml" AS text;
  END IF;
END
$domains$;
COMMENT ON DOMAIN opendata_api."application/ld+json" IS 'media type application/ld+json: a JSON-LD document';
COMMENT ON DOMAIN opendata_api."text/turtle" IS 'media type text/turtle: an RDF graph in Turtle';
COMMENT ON DOMAIN opendata_api."application/rdf+xml" IS 'media type application/rdf+xml: an RDF graph in RDF/XML';

CREATE FUNCTION opendata._dcat_serialise(document json, format text) RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_dcat_serialise';

CREATE FUNCTION opendata._schema_org(dataset json) RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'opendata_schema_org';

-- ISO 8601 in UTC, as xsd:dateTime wants it.
CREATE FUNCTION opendata._iso_utc(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

CREATE FUNCTION opendata._dcat_format(format text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  CASE lower(btrim(coalesce(format, '')))
    WHEN 'jsonld', 'json-ld' THEN RETURN 'jsonld';
    WHEN 'turtle', 'ttl' THEN RETURN 'turtle';
    WHEN 'rdfxml', 'rdf', 'xml', 'rdf/xml' THEN RETURN 'rdfxml';
    ELSE
      RAISE EXCEPTION 'unknown catalog format "%"', format
        USING ERRCODE = '22023', HINT = 'Formats: jsonld, turtle, rdfxml.';
  END CASE;
END
$$;

-- foaf:Agent of an organization.  Its email is not readable by anon, so it
-- is not published here.
CREATE FUNCTION opendata._dcat_agent(org bigint, base text) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('iri', base || '/organizations?organization_id=eq.' || o.slug,
                           'name', o.name, 'homepage', o.homepage, 'type', o.type_uri)
    FROM opendata.organizations o WHERE o.id = org
$$;

CREATE FUNCTION opendata._dcat_license(license text) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('id', l.id, 'iri', l.url, 'title', l.title)
    FROM opendata.licenses l WHERE l.id = license
$$;

CREATE FUNCTION opendata._dcat_dataset_iri(base text, slug text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT base || '/datasets?dataset_id=eq.' || slug
$$;

-- One dataset of the catalog document.
CREATE FUNCTION opendata._dcat_dataset(d opendata.datasets, base text) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'iri', opendata._dcat_dataset_iri(base, d.slug),
    'identifier', d.slug,
    'title', d.title,
    'description', d.description,
    'language', to_json(d.language),
    'themes', (SELECT json_agg(json_build_object('code', t.code, 'label_fr', t.label_fr, 'label_en', t.label_en)
                               ORDER BY t.code)
                 FROM opendata.themes t WHERE t.code = ANY (d.themes)),
    'keywords', to_json(d.keywords),
    'publisher', opendata._dcat_agent(d.organization_id, base),
    -- Without a contact point, the publisher's web site is one.
    'contact_point', coalesce(d.contact_point::json,
                              (SELECT json_build_object('name', o.name, 'url', o.homepage)
                                 FROM opendata.organizations o
                                WHERE o.id = d.organization_id AND o.homepage IS NOT NULL)),
    'landing_page', d.landing_page,
    'spatial', d.spatial,
    'temporal', d.temporal,
    'accrual_periodicity', d.accrual_periodicity,
    'issued', opendata._iso_utc(d.issued),
    'modified', opendata._iso_utc(d.modified),
    'license', opendata._dcat_license(d.license_id),
    'rights', d.attributions,
    'access', d.access,
    'version', d.version,
    'was_derived_from',
      (SELECT json_agg(opendata._dcat_dataset_iri(base, s) ORDER BY s)
         FROM jsonb_array_elements_text(CASE
                WHEN jsonb_typeof(d.was_derived_from) = 'array' THEN d.was_derived_from
                WHEN jsonb_typeof(d.was_derived_from->'datasets') = 'array' THEN d.was_derived_from->'datasets'
              END) s),
    'distributions',
      (SELECT json_agg(json_build_object(
                'iri', opendata._dcat_dataset_iri(base, d.slug) || '#' || lower(x.format),
                'title', x.title,
                'description', x.title || ' (' || x.format || '): ' || coalesce(d.title, d.slug),
                'format', CASE upper(x.format) WHEN 'JSONL' THEN 'JSON' WHEN 'NDJSON' THEN 'JSON'
                                                ELSE upper(x.format) END,
                'media_type', x.media_type,
                'access_url', x.access_url,
                'download_url', x.download_url) ORDER BY x.format)
         FROM opendata.distributions x WHERE x.dataset_id = d.id),
    'fields',
      (SELECT json_agg(json_build_object('name', f.name, 'label', f.label, 'description', f.description,
                                         'unit', f.unit) ORDER BY f.position)
         FROM opendata.fields f WHERE f.dataset_id = d.id AND NOT f.hidden))
$$;

-- The whole document for one page of the catalog: the published datasets
-- the calling role may see, by slug.
CREATE FUNCTION opendata._dcat_document(format text, page int, page_size int) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  fmt text := opendata._dcat_format(format);
  c opendata.catalog;
  total bigint;
  last_page int;
  endpoint text;
  doc json;
BEGIN
  IF page IS NULL OR page < 1 THEN
    RAISE EXCEPTION 'page must be 1 or more, not %', coalesce(page::text, 'NULL') USING ERRCODE = '22023';
  END IF;
  IF page_size IS NULL OR page_size < 1 OR page_size > 1000 THEN
    RAISE EXCEPTION 'page_size must be between 1 and 1000, not %', coalesce(page_size::text, 'NULL')
      USING ERRCODE = '22023';
  END IF;
  SELECT * INTO c FROM opendata.catalog;
  SELECT count(*) INTO total FROM opendata.datasets d WHERE d.status = 'published';
  last_page := greatest(1, ceil(total::numeric / page_size)::int);
  endpoint := c.base_url || '/rpc/catalog_' || fmt || '?page_size=' || page_size || '&page=';

  SELECT json_build_object(
    'catalog', json_build_object(
      'iri', c.base_url || '/rpc/catalog_dcat',
      'title', c.title,
      'description', c.description,
      -- The portal's home page (a person's page, the site's root where
      -- nginx serves it), not PostgREST's root, which is an OpenAPI document.
      'homepage', coalesce(c.homepage, opendata._site_root()),
      'language', c.language,
      'license', opendata._dcat_license(c.license_id),
      'issued', opendata._iso_utc(coalesce(s.issued, c.modified)),
      'modified', opendata._iso_utc(greatest(c.modified, s.modified)),
      -- dct:publisher is mandatory: without a default publisher, the
      -- portal itself is named (its IRI on the portal's home page).
      'publisher', coalesce(opendata._dcat_agent(c.publisher_id, c.base_url),
                            json_build_object('iri', opendata._site_root() || '#publisher', 'name', c.title)),
      'spatial', CASE WHEN s.w IS NOT NULL THEN json_build_object('bbox', json_build_array(s.w, s.s, s.e, s.n)) END),
    'page', json_build_object(
      'iri', endpoint || page,
      'first', endpoint || 1,
      'last', endpoint || last_page,
      'next', CASE WHEN page < last_page THEN endpoint || (page + 1) END,
      'previous', CASE WHEN page > 1 THEN endpoint || least(page - 1, last_page) END,
      'total', total,
      'page_size', page_size),
    'datasets', coalesce((SELECT json_agg(opendata._dcat_dataset(d, c.base_url) ORDER BY d.slug)
                            FROM (SELECT * FROM opendata.datasets x WHERE x.status = 'published'
                                   ORDER BY x.slug LIMIT page_size OFFSET (page - 1)::bigint * page_size) d),
                         '[]'))
    INTO doc
    FROM (SELECT min(d.issued) AS issued, max(d.modified) AS modified,
                 min((d.spatial->'bbox'->>0)::float8) AS w, min((d.spatial->'bbox'->>1)::float8) AS s,
                 max((d.spatial->'bbox'->>2)::float8) AS e, max((d.spatial->'bbox'->>3)::float8) AS n
            FROM opendata.datasets d WHERE d.status = 'published') s;
  RETURN doc;
END
$$;

-- The catalog's URLs (its IRI, its Hydra pages) are links that harvesters
-- and browsers follow without asking for a media type: each function
-- returns the "*/*" domain (src/sql/55_export.sql), so that PostgREST calls
-- it whatever the Accept header, and sets its own Content-Type.  A return
-- type "text/turtle" would be answered as a JSON string to Accept: */*.
CREATE FUNCTION opendata._dcat_media_type(format text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE format WHEN 'jsonld' THEN 'application/ld+json; charset=utf-8'
                     WHEN 'turtle' THEN 'text/turtle; charset=utf-8'
                     WHEN 'rdfxml' THEN 'application/rdf+xml; charset=utf-8' END
$$;

-- One page of the catalog in a canonical format name, with its Content-Type.
CREATE FUNCTION opendata._dcat_answer(format text, page int, page_size int)
RETURNS opendata_api."*/*"
LANGUAGE plpgsql STABLE AS $$
DECLARE
  fmt text := opendata._dcat_format(format);
  body text := opendata._dcat_serialise(opendata._dcat_document(fmt, page, page_size), fmt);
BEGIN
  PERFORM opendata._set_content_type(opendata._dcat_media_type(fmt));
  RETURN body;
END
$$;

CREATE FUNCTION opendata_api.catalog_dcat(format text DEFAULT 'jsonld', page int DEFAULT 1,
                                          page_size int DEFAULT 100)
RETURNS opendata_api."*/*"
LANGUAGE sql STABLE AS $$
  SELECT opendata._dcat_answer(format, page, page_size)
$$;
COMMENT ON FUNCTION opendata_api.catalog_dcat(text, int, int) IS
  'the catalog in DCAT-AP 3: format jsonld, turtle or rdfxml; Hydra paging by page and page_size';

CREATE FUNCTION opendata_api.catalog_jsonld(page int DEFAULT 1, page_size int DEFAULT 100)
RETURNS opendata_api."*/*"
LANGUAGE sql STABLE AS $$
  SELECT opendata._dcat_answer('jsonld', page, page_size)
$$;
COMMENT ON FUNCTION opendata_api.catalog_jsonld(int, int) IS 'the catalog in DCAT-AP 3, JSON-LD (application/ld+json)';

CREATE FUNCTION opendata_api.catalog_turtle(page int DEFAULT 1, page_size int DEFAULT 100)
RETURNS opendata_api."*/*"
LANGUAGE sql STABLE AS $$
  SELECT opendata._dcat_answer('turtle', page, page_size)
$$;
COMMENT ON FUNCTION opendata_api.catalog_turtle(int, int) IS 'the catalog in DCAT-AP 3, Turtle (text/turtle)';

CREATE FUNCTION opendata_api.catalog_rdfxml(page int DEFAULT 1, page_size int DEFAULT 100)
RETURNS opendata_api."*/*"
LANGUAGE sql STABLE AS $$
  SELECT opendata._dcat_answer('rdfxml', page, page_size)
$$;
COMMENT ON FUNCTION opendata_api.catalog_rdfxml(int, int) IS 'the catalog in DCAT-AP 3, RDF/XML (application/rdf+xml)';

-- schema.org Dataset JSON-LD, for a dataset page's <script type="application/ld+json">.
CREATE FUNCTION opendata_api.dataset_schema_org(dataset text)
RETURNS opendata_api."application/ld+json"
LANGUAGE plpgsql STABLE AS $$
DECLARE
  doc json;
BEGIN
  SELECT opendata._dcat_dataset(d, c.base_url) INTO doc
    FROM opendata.datasets d CROSS JOIN opendata.catalog c
   WHERE d.slug = dataset AND d.status = 'published';
  IF doc IS NULL THEN
    RAISE EXCEPTION 'dataset "%" does not exist', dataset
      USING ERRCODE = '42P01', HINT = 'Only published datasets have a schema.org description.';
  END IF;
  RETURN opendata._schema_org(doc)::json;
END
$$;
COMMENT ON FUNCTION opendata_api.dataset_schema_org(text) IS 'schema.org Dataset JSON-LD of a published dataset';

GRANT EXECUTE ON FUNCTION
  opendata._dcat_serialise(json, text), opendata._schema_org(json), opendata._iso_utc(timestamptz),
  opendata._dcat_format(text), opendata._dcat_agent(bigint, text), opendata._dcat_license(text),
  opendata._dcat_dataset_iri(text, text), opendata._dcat_dataset(opendata.datasets, text),
  opendata._dcat_document(text, int, int), opendata._dcat_media_type(text),
  opendata._dcat_answer(text, int, int)
  TO opendata_anon;
GRANT EXECUTE ON FUNCTION
  opendata_api.catalog_dcat(text, int, int), opendata_api.catalog_jsonld(int, int),
  opendata_api.catalog_turtle(int, int), opendata_api.catalog_rdfxml(int, int),
  opendata_api.dataset_schema_org(text)
  TO opendata_anon;
