-- Catalog tables, aligned with DCAT-AP 3.  Each comment names the DCAT-AP
-- property a column carries.  Tables holding user rows, and their
-- sequences, are marked for pg_dump (pg_extension_config_dump); seeded
-- reference rows are excluded from the dump by a filter, since CREATE
-- EXTENSION seeds them again on restore.

-- dcat:Catalog: one row.
CREATE TABLE opendata.catalog (
  id            int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  title         text NOT NULL DEFAULT 'Open data portal',   -- dct:title
  description   text NOT NULL DEFAULT 'Open data published with opendata', -- dct:description
  homepage      text,                                       -- foaf:homepage
  base_url      text NOT NULL DEFAULT 'http://localhost:3000', -- root of the PostgREST API, for links
  publisher_id  bigint,                                     -- dct:publisher (default for datasets)
  language      text NOT NULL DEFAULT 'fr',                 -- dct:language
  license_id    text NOT NULL DEFAULT 'etalab-2.0',         -- dct:license (default for datasets)
  modified      timestamptz NOT NULL DEFAULT now()          -- dct:modified
);
INSERT INTO opendata.catalog DEFAULT VALUES;
SELECT pg_catalog.pg_extension_config_dump('opendata.catalog', '');

-- The catalog row is seeded at install and dumped with the data: on
-- restore, CREATE EXTENSION seeds it again before the dumped row arrives.
-- Inserting the row therefore replaces the one there.
CREATE FUNCTION opendata._catalog_replace_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM opendata.catalog WHERE id = NEW.id;
  RETURN NEW;
END
$$;
CREATE TRIGGER replace_row BEFORE INSERT ON opendata.catalog
  FOR EACH ROW EXECUTE FUNCTION opendata._catalog_replace_row();

-- dct:LicenseDocument.
CREATE TABLE opendata.licenses (
  id       text PRIMARY KEY,           -- short id, e.g. etalab-2.0 (SPDX where one exists)
  title    text NOT NULL,              -- dct:title
  url      text NOT NULL,              -- the licence's URI
  builtin  boolean NOT NULL DEFAULT false
);
INSERT INTO opendata.licenses (id, title, url, builtin) VALUES
  ('etalab-2.0', 'Licence Ouverte / Open Licence version 2.0', 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/', true),
  ('ODbL-1.0', 'Open Database License (ODbL) 1.0', 'https://opendatacommons.org/licenses/odbl/1-0/', true),
  ('CC-BY-4.0', 'Creative Commons Attribution 4.0 International', 'https://creativecommons.org/licenses/by/4.0/', true),
  ('CC-BY-SA-4.0', 'Creative Commons Attribution-ShareAlike 4.0 International', 'https://creativecommons.org/licenses/by-sa/4.0/', true),
  ('CC0-1.0', 'Creative Commons Zero v1.0 Universal', 'https://creativecommons.org/publicdomain/zero/1.0/', true);
SELECT pg_catalog.pg_extension_config_dump('opendata.licenses', 'WHERE NOT builtin');

-- dcat:theme values: the EU data themes vocabulary (skos:Concept).
CREATE TABLE opendata.themes (
  code      text PRIMARY KEY,          -- e.g. ENVI
  uri       text NOT NULL UNIQUE,      -- the concept's URI in the EU vocabulary
  label_fr  text NOT NULL,             -- skos:prefLabel@fr
  label_en  text NOT NULL,             -- skos:prefLabel@en
  builtin   boolean NOT NULL DEFAULT false
);
INSERT INTO opendata.themes (code, uri, label_fr, label_en, builtin)
SELECT code, 'http://publications.europa.eu/resource/authority/data-theme/' || code, fr, en, true
  FROM (VALUES
    ('AGRI', 'Agriculture, pêche, sylviculture et alimentation', 'Agriculture, fisheries, forestry and food'),
    ('ECON', 'Économie et finances', 'Economy and finance'),
    ('EDUC', 'Éducation, culture et sport', 'Education, culture and sport'),
    ('ENER', 'Énergie', 'Energy'),
    ('ENVI', 'Environnement', 'Environment'),
    ('GOVE', 'Gouvernement et secteur public', 'Government and public sector'),
    ('HEAL', 'Santé', 'Health'),
    ('INTR', 'Questions internationales', 'International issues'),
    ('JUST', 'Justice, système juridique et sécurité publique', 'Justice, legal system and public safety'),
    ('REGI', 'Régions et villes', 'Regions and cities'),
    ('SOCI', 'Population et société', 'Population and society'),
    ('TECH', 'Science et technologie', 'Science and technology'),
    ('TRAN', 'Transports', 'Transport')) AS t(code, fr, en);
SELECT pg_catalog.pg_extension_config_dump('opendata.themes', 'WHERE NOT builtin');

-- foaf:Agent: the organizations that publish (dct:publisher).
CREATE SEQUENCE opendata.organizations_id_seq;
CREATE TABLE opendata.organizations (
  id           bigint PRIMARY KEY DEFAULT nextval('opendata.organizations_id_seq'),
  slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name         text NOT NULL,          -- foaf:name
  description  text,
  homepage     text,                   -- foaf:homepage
  email        text,                   -- foaf:mbox
  type_uri     text,                   -- dct:type (ADMS publisher type)
  created      timestamptz NOT NULL DEFAULT now()
);
ALTER SEQUENCE opendata.organizations_id_seq OWNED BY opendata.organizations.id;
SELECT pg_catalog.pg_extension_config_dump('opendata.organizations', '');
SELECT pg_catalog.pg_extension_config_dump('opendata.organizations_id_seq', '');
ALTER TABLE opendata.catalog
  ADD FOREIGN KEY (publisher_id) REFERENCES opendata.organizations (id) ON DELETE SET NULL,
  ADD FOREIGN KEY (license_id) REFERENCES opendata.licenses (id);

-- Which database roles act for which organization.
CREATE TABLE opendata.organization_members (
  organization_id bigint NOT NULL REFERENCES opendata.organizations (id) ON DELETE CASCADE,
  member          regrole NOT NULL,    -- a role, by OID (dumped by name); its members act for it too
  PRIMARY KEY (organization_id, member)
);
SELECT pg_catalog.pg_extension_config_dump('opendata.organization_members', '');

-- dcat:Dataset.
CREATE SEQUENCE opendata.datasets_id_seq;
CREATE TABLE opendata.datasets (
  id                   bigint PRIMARY KEY DEFAULT nextval('opendata.datasets_id_seq'),
  slug                 text NOT NULL UNIQUE,       -- dct:identifier, and the API view's name
  source               regclass NOT NULL,          -- the table, view or materialized view
  organization_id      bigint REFERENCES opendata.organizations (id), -- dct:publisher
  status               text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  access               text NOT NULL DEFAULT 'public' CHECK (access IN ('public', 'restricted')), -- dct:accessRights
  title                text,                       -- dct:title
  description          text,                       -- dct:description
  themes               text[] NOT NULL DEFAULT '{}', -- dcat:theme (codes of opendata.themes)
  keywords             text[] NOT NULL DEFAULT '{}', -- dcat:keyword
  license_id           text REFERENCES opendata.licenses (id), -- dct:license (of the distributions)
  contact_point        jsonb,                      -- dcat:contactPoint (vcard: fn, email, url)
  landing_page         text,                       -- dcat:landingPage
  language             text[] NOT NULL DEFAULT '{}', -- dct:language
  spatial              jsonb,                      -- dct:spatial (label, uri, bbox)
  temporal             jsonb,                      -- dct:temporal (start, end)
  accrual_periodicity  text,                       -- dct:accrualPeriodicity (EU frequency code)
  attributions         text,                       -- dct:rights / attribution text
  key_fields           text[] NOT NULL DEFAULT '{}', -- fields identifying a record, for diffs
  geometry_field       name,                       -- the main geometry column, if any
  geometry_srid        int,                        -- its SRID as registered
  was_derived_from     jsonb,                      -- prov:wasDerivedFrom (crossings)
  created              timestamptz NOT NULL DEFAULT now(),
  issued               timestamptz,                -- dct:issued: first publication
  modified             timestamptz NOT NULL DEFAULT now(), -- dct:modified
  version              int NOT NULL DEFAULT 0      -- dcat:version / owl:versionInfo: last published version
);
ALTER SEQUENCE opendata.datasets_id_seq OWNED BY opendata.datasets.id;
CREATE INDEX ON opendata.datasets (organization_id);
-- The first page of a whole-catalog search (60_search.sql), newest first.
CREATE INDEX datasets_modified_slug ON opendata.datasets (modified DESC, slug);
SELECT pg_catalog.pg_extension_config_dump('opendata.datasets', '');
SELECT pg_catalog.pg_extension_config_dump('opendata.datasets_id_seq', '');

-- The field dictionary (Opendatasoft's "fields", schema.org variableMeasured).
CREATE TABLE opendata.fields (
  dataset_id   bigint NOT NULL REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  name         name NOT NULL,           -- the column name, and the API field name
  position     int NOT NULL,
  label        text NOT NULL,
  description  text,
  type         text NOT NULL CHECK (type IN ('text', 'int', 'double', 'date', 'datetime',
                                             'boolean', 'geo_point_2d', 'geo_shape')),
  sql_type     text NOT NULL,           -- the column's PostgreSQL type, as registered
  unit         text,
  facet        boolean NOT NULL DEFAULT false,
  sortable     boolean NOT NULL DEFAULT true,
  hidden       boolean NOT NULL DEFAULT false,
  PRIMARY KEY (dataset_id, name)
);
SELECT pg_catalog.pg_extension_config_dump('opendata.fields', '');

-- dcat:Distribution: one per way of getting the data.
CREATE SEQUENCE opendata.distributions_id_seq;
CREATE TABLE opendata.distributions (
  id            bigint PRIMARY KEY DEFAULT nextval('opendata.distributions_id_seq'),
  dataset_id    bigint NOT NULL REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  format        text NOT NULL,           -- dct:format (EU file type code, e.g. CSV)
  title         text NOT NULL,           -- dct:title
  media_type    text NOT NULL,           -- dcat:mediaType
  access_url    text NOT NULL,           -- dcat:accessURL
  download_url  text,                    -- dcat:downloadURL
  UNIQUE (dataset_id, format)
);
ALTER SEQUENCE opendata.distributions_id_seq OWNED BY opendata.distributions.id;
SELECT pg_catalog.pg_extension_config_dump('opendata.distributions', '');
SELECT pg_catalog.pg_extension_config_dump('opendata.distributions_id_seq', '');

-- foaf:page / adms:sample: documents attached to a dataset.
CREATE SEQUENCE opendata.attachments_id_seq;
CREATE TABLE opendata.attachments (
  id           bigint PRIMARY KEY DEFAULT nextval('opendata.attachments_id_seq'),
  dataset_id   bigint NOT NULL REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  title        text NOT NULL,
  url          text NOT NULL,
  media_type   text,
  description  text,
  created      timestamptz NOT NULL DEFAULT now()
);
ALTER SEQUENCE opendata.attachments_id_seq OWNED BY opendata.attachments.id;
SELECT pg_catalog.pg_extension_config_dump('opendata.attachments', '');
SELECT pg_catalog.pg_extension_config_dump('opendata.attachments_id_seq', '');

-- Reuses: what people built with the data (data.gouv.fr's "réutilisations").
CREATE SEQUENCE opendata.reuses_id_seq;
CREATE TABLE opendata.reuses (
  id           bigint PRIMARY KEY DEFAULT nextval('opendata.reuses_id_seq'),
  title        text NOT NULL,
  url          text NOT NULL,
  type         text NOT NULL CHECK (type IN ('application', 'visualisation', 'article', 'api')),
  author       text,
  description  text,
  created      timestamptz NOT NULL DEFAULT now()
);
ALTER SEQUENCE opendata.reuses_id_seq OWNED BY opendata.reuses.id;
SELECT pg_catalog.pg_extension_config_dump('opendata.reuses', '');
SELECT pg_catalog.pg_extension_config_dump('opendata.reuses_id_seq', '');

CREATE TABLE opendata.reuse_datasets (
  reuse_id    bigint NOT NULL REFERENCES opendata.reuses (id) ON DELETE CASCADE,
  dataset_id  bigint NOT NULL REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  PRIMARY KEY (reuse_id, dataset_id)
);
SELECT pg_catalog.pg_extension_config_dump('opendata.reuse_datasets', '');

-- Publication history: one row per publish or unpublish (adms:versionNotes).
CREATE SEQUENCE opendata.history_id_seq;
CREATE TABLE opendata.history (
  id                  bigint PRIMARY KEY DEFAULT nextval('opendata.history_id_seq'),
  dataset_id          bigint NOT NULL REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  version             int NOT NULL,
  action              text NOT NULL CHECK (action IN ('publish', 'unpublish', 'import')),
  at                  timestamptz NOT NULL DEFAULT now(),
  by_role             name NOT NULL,
  row_count           bigint,
  schema_fingerprint  text,
  rows_added          bigint,        -- NULL when no key is known
  rows_removed        bigint,
  rows_changed        bigint,
  note                text
);
ALTER SEQUENCE opendata.history_id_seq OWNED BY opendata.history.id;
CREATE INDEX ON opendata.history (dataset_id, version);
SELECT pg_catalog.pg_extension_config_dump('opendata.history', '');
SELECT pg_catalog.pg_extension_config_dump('opendata.history_id_seq', '');

-- The key and row hash of each record at the last publication, from which
-- the next publication counts added, removed and changed records.
CREATE TABLE opendata.row_fingerprints (
  dataset_id  bigint NOT NULL REFERENCES opendata.datasets (id) ON DELETE CASCADE,
  key         text NOT NULL,
  hash        bytea NOT NULL,
  PRIMARY KEY (dataset_id, key)
);
SELECT pg_catalog.pg_extension_config_dump('opendata.row_fingerprints', '');
