-- Grants for the Opendatasoft Explore v2.1 face (src/sql/77_ods.sql), after
-- 99_finalize.sql has revoked every function from PUBLIC.  Everything runs
-- as the caller: anon reads what its grants and row-level security show it.
GRANT EXECUTE ON FUNCTION
  opendata_api.ods_catalog_datasets(text), opendata_api.ods_catalog_facets(text),
  opendata_api.ods_catalog_export(text), opendata_api.ods_dataset(text, text),
  opendata_api.ods_records(text, text), opendata_api.ods_record(text, text),
  opendata_api.ods_facets(text, text), opendata_api.ods_export(text, text, text),
  opendata._ods_query(text), opendata._ods_params(text), opendata._ods_list(jsonb, text),
  opendata._ods_int(jsonb, text, int, int), opendata._ods_bool(jsonb, text, boolean),
  opendata._ods_error(text, text, text), opendata._ods_dataset(jsonb), opendata._ods_dataset_by_id(text),
  opendata._ods_catalog_search(jsonb, int, int, text[]), opendata._ods_select_keys(jsonb, text),
  opendata._ods_catalog_datasets(jsonb), opendata._ods_records(text, jsonb), opendata._ods_record(text, text),
  opendata._ods_export_options(text, jsonb), opendata._ods_catalog_export(text)
  TO opendata_anon;
