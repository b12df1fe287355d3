-- The catalog as PostgREST serves it.  Every view is security_invoker: the
-- row-level security of the catalog tables decides, per role, which rows
-- appear, so anon never sees a draft or a restricted dataset.

-- Upgrades run this again (scripts/replaceable.awk): its columns only grow.
CREATE OR REPLACE VIEW opendata_api.datasets WITH (security_invoker = true) AS
SELECT d.slug AS dataset_id,
       d.title,
       d.description,
       to_jsonb(d.themes) AS themes,
       to_jsonb(d.keywords) AS keywords,
       d.license_id AS license,
       l.url AS license_url,
       o.slug AS publisher_id,
       o.name AS publisher,
       to_jsonb(d.language) AS language,
       d.spatial,
       d.temporal,
       d.accrual_periodicity,
       d.landing_page,
       d.contact_point,
       d.attributions,
       d.access,
       d.status,
       d.version,
       d.issued,
       d.modified,
       (SELECT h.row_count FROM opendata.history h
         WHERE h.dataset_id = d.id AND h.action = 'publish' ORDER BY h.version DESC LIMIT 1) AS records_count,
       d.geometry_field IS NOT NULL AS has_geometry,
       (SELECT coalesce(jsonb_agg(jsonb_build_object(
                 'name', f.name, 'label', f.label, 'type', f.type, 'description', f.description,
                 'unit', f.unit, 'facet', f.facet, 'sortable', f.sortable) ORDER BY f.position), '[]')
          FROM opendata.fields f WHERE f.dataset_id = d.id AND NOT f.hidden) AS fields,
       jsonb_build_object(
         'self', c.base_url || '/rpc/dataset?dataset=' || d.slug,
         'records', c.base_url || '/' || d.slug,
         'distributions', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                    'format', x.format, 'media_type', x.media_type,
                                    'url', coalesce(x.download_url, x.access_url)) ORDER BY x.format), '[]')
                             FROM opendata.distributions x WHERE x.dataset_id = d.id)) AS links
  FROM opendata.datasets d
  -- The catalog's only row, named by its key: the planner then counts one
  -- row.  A cross join would multiply every estimate by what it guesses
  -- for a never-analyzed table (hundreds of rows), which crossed
  -- jit_above_cost and made every GET /datasets pay for JIT compilation.
  JOIN opendata.catalog c ON c.id = 1
  LEFT JOIN opendata.licenses l ON l.id = d.license_id
  LEFT JOIN opendata.organizations o ON o.id = d.organization_id;
COMMENT ON VIEW opendata_api.datasets IS 'the catalog: one row per dataset the requesting role may see';

CREATE VIEW opendata_api.themes WITH (security_invoker = true) AS
SELECT t.code AS theme_id, t.uri, t.label_fr, t.label_en,
       (SELECT count(*) FROM opendata.datasets d WHERE t.code = ANY (d.themes)) AS datasets_count
  FROM opendata.themes t;

CREATE VIEW opendata_api.organizations WITH (security_invoker = true) AS
SELECT o.slug AS organization_id, o.name, o.description, o.homepage, o.type_uri,
       (SELECT count(*) FROM opendata.datasets d WHERE d.organization_id = o.id) AS datasets_count
  FROM opendata.organizations o;

CREATE VIEW opendata_api.licenses WITH (security_invoker = true) AS
SELECT l.id AS license_id, l.title, l.url FROM opendata.licenses l;

CREATE VIEW opendata_api.reuses WITH (security_invoker = true) AS
SELECT r.id AS reuse_id, r.title, r.url, r.type, r.author, r.description, r.created,
       (SELECT coalesce(jsonb_agg(d.slug ORDER BY d.slug), '[]')
          FROM opendata.reuse_datasets rd JOIN opendata.datasets d ON d.id = rd.dataset_id
         WHERE rd.reuse_id = r.id) AS datasets
  FROM opendata.reuses r;

-- One dataset as an object, the URL of its links.self: a filter of the
-- view (/datasets?dataset_id=eq.x) answers an array of one.  The row of
-- /datasets as the caller sees it, or 404 (42P01) like every function on a
-- dataset that does not exist or is not the caller's to read.
CREATE FUNCTION opendata_api.dataset(dataset text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  found json;
BEGIN
  SELECT to_json(d) INTO found FROM opendata_api.datasets d WHERE d.dataset_id = dataset;
  IF found IS NULL THEN
    RAISE EXCEPTION 'dataset "%" does not exist or is not published', dataset USING ERRCODE = '42P01';
  END IF;
  RETURN found;
END
$$;
COMMENT ON FUNCTION opendata_api.dataset(text) IS
  'one dataset of the catalog as an object: the row of GET /datasets (its links.self)';
GRANT EXECUTE ON FUNCTION opendata_api.dataset(text) TO opendata_anon;

GRANT SELECT ON opendata_api.datasets, opendata_api.themes, opendata_api.organizations,
                opendata_api.licenses, opendata_api.reuses TO opendata_anon;

-- PostgREST builds its OpenAPI document from these comments; MCP servers
-- for PostgREST turn them into tool descriptions (sql/api_comments.sql
-- fails on any API object without one).
COMMENT ON VIEW opendata_api.themes IS 'the data themes (EU vocabulary) and how many datasets use each';
COMMENT ON VIEW opendata_api.organizations IS 'the publishing organizations';
COMMENT ON VIEW opendata_api.licenses IS 'the licences datasets may carry';
COMMENT ON VIEW opendata_api.reuses IS 'reuses of datasets: applications, visualisations, articles, APIs';
COMMENT ON COLUMN opendata_api.datasets.dataset_id IS 'the dataset''s identifier (slug), its name in URLs';
COMMENT ON COLUMN opendata_api.datasets.title IS 'title (dct:title)';
COMMENT ON COLUMN opendata_api.datasets.description IS 'description (dct:description)';
COMMENT ON COLUMN opendata_api.datasets.themes IS 'themes, codes of the EU data themes vocabulary (dcat:theme), a JSON array';
COMMENT ON COLUMN opendata_api.datasets.keywords IS 'keywords (dcat:keyword), a JSON array';
COMMENT ON COLUMN opendata_api.datasets.license IS 'licence identifier (dct:license), e.g. etalab-2.0';
COMMENT ON COLUMN opendata_api.datasets.license_url IS 'the licence''s URL';
COMMENT ON COLUMN opendata_api.datasets.publisher_id IS 'the publishing organization''s identifier';
COMMENT ON COLUMN opendata_api.datasets.publisher IS 'the publishing organization''s name (dct:publisher)';
COMMENT ON COLUMN opendata_api.datasets.language IS 'languages, ISO 639-1 codes (dct:language), a JSON array';
COMMENT ON COLUMN opendata_api.datasets.spatial IS 'spatial coverage (dct:spatial): label, URI and bounding box';
COMMENT ON COLUMN opendata_api.datasets.temporal IS 'temporal coverage (dct:temporal): start and end';
COMMENT ON COLUMN opendata_api.datasets.accrual_periodicity IS 'update frequency (dct:accrualPeriodicity)';
COMMENT ON COLUMN opendata_api.datasets.landing_page IS 'a web page about the dataset (dcat:landingPage)';
COMMENT ON COLUMN opendata_api.datasets.contact_point IS 'whom to contact (dcat:contactPoint)';
COMMENT ON COLUMN opendata_api.datasets.attributions IS 'required attributions, a JSON array';
COMMENT ON COLUMN opendata_api.datasets.access IS 'public, or restricted (readable with a grant)';
COMMENT ON COLUMN opendata_api.datasets.status IS 'draft or published';
COMMENT ON COLUMN opendata_api.datasets.version IS 'publication number, incremented at each publish';
COMMENT ON COLUMN opendata_api.datasets.issued IS 'first publication (dct:issued)';
COMMENT ON COLUMN opendata_api.datasets.modified IS 'last change of data or metadata (dct:modified)';
COMMENT ON COLUMN opendata_api.datasets.records_count IS 'number of records at the last publication';
COMMENT ON COLUMN opendata_api.datasets.has_geometry IS 'whether the dataset has a geometry field (geo_point_2d or geo_shape)';
COMMENT ON COLUMN opendata_api.datasets.fields IS 'the visible fields: name, label, type, description, unit, facet, sortable';
COMMENT ON COLUMN opendata_api.datasets.links IS 'URLs: self (this object, /rpc/dataset), records (the dataset''s view), and the distributions (format, media type, download URL)';
COMMENT ON COLUMN opendata_api.themes.theme_id IS 'theme code (EU data themes vocabulary, e.g. ENVI)';
COMMENT ON COLUMN opendata_api.themes.uri IS 'the theme''s URI';
COMMENT ON COLUMN opendata_api.themes.label_fr IS 'label in French';
COMMENT ON COLUMN opendata_api.themes.label_en IS 'label in English';
COMMENT ON COLUMN opendata_api.themes.datasets_count IS 'number of datasets with this theme that the caller can see';
COMMENT ON COLUMN opendata_api.organizations.organization_id IS 'the organization''s identifier (slug)';
COMMENT ON COLUMN opendata_api.organizations.name IS 'name';
COMMENT ON COLUMN opendata_api.organizations.description IS 'description';
COMMENT ON COLUMN opendata_api.organizations.homepage IS 'web site';
COMMENT ON COLUMN opendata_api.organizations.type_uri IS 'organization type (ADMS publisher type URI)';
COMMENT ON COLUMN opendata_api.organizations.datasets_count IS 'number of its datasets the caller can see';
COMMENT ON COLUMN opendata_api.licenses.license_id IS 'licence identifier, e.g. etalab-2.0';
COMMENT ON COLUMN opendata_api.licenses.title IS 'title';
COMMENT ON COLUMN opendata_api.licenses.url IS 'the licence text''s URL';
COMMENT ON COLUMN opendata_api.reuses.reuse_id IS 'the reuse''s identifier';
COMMENT ON COLUMN opendata_api.reuses.title IS 'title';
COMMENT ON COLUMN opendata_api.reuses.url IS 'where the reuse is';
COMMENT ON COLUMN opendata_api.reuses.type IS 'application, visualisation, article or api';
COMMENT ON COLUMN opendata_api.reuses.author IS 'author';
COMMENT ON COLUMN opendata_api.reuses.description IS 'description';
COMMENT ON COLUMN opendata_api.reuses.created IS 'when it was recorded';
COMMENT ON COLUMN opendata_api.reuses.datasets IS 'the datasets it uses, by identifier, a JSON array';
