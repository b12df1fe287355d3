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
         'self', c.base_url || '/datasets?dataset_id=eq.' || d.slug,
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

GRANT SELECT ON opendata_api.datasets, opendata_api.themes, opendata_api.organizations,
                opendata_api.licenses, opendata_api.reuses TO opendata_anon;
