-- Grants for the pages (src/sql/80_pages.sql), after 99_finalize.sql has
-- revoked every function from PUBLIC.  The pages run as the caller: the
-- helpers they call need EXECUTE for the same roles.
GRANT EXECUTE ON FUNCTION
  opendata._h(text), opendata._page_safe_url(text), opendata._page_enc(text),
  opendata._page_href(text, text[]), opendata._page_lang_arg(text), opendata._page_check_lang(text),
  opendata._page_t(text, text), opendata._page_num(bigint, text), opendata._page_count(bigint, text, text, text),
  opendata._page_date(timestamptz), opendata._page_link(text, text, text), opendata._page_paragraphs(text),
  opendata._page_excerpt(text, int), opendata._page_headers(int),
  opendata._page_document(text, text, text, text, text[], text, boolean, int), opendata._page_not_found(text),
  opendata._page_dataset_item(jsonb, text),
  opendata._page_facet_item(text, text[], text[], text[], text, text, bigint, text, text),
  opendata._page_active_filters(text, text[], text[], text[], text),
  opendata._page_facets(json, text, text[], text[], text[], text, jsonb),
  opendata._page_pager(text, text[], int, int, text), opendata._page_map(text, name, text),
  opendata._page_cell(json, text, text), opendata._page_dd(text, text), opendata._page_json_script(text)
  TO opendata_anon;
GRANT EXECUTE ON FUNCTION
  opendata_api.portal(text), opendata_api.search_page(text, opendata_api.facet_items, opendata_api.facet_items, int, text),
  opendata_api.dataset_page(text, text, opendata_api.facet_items, opendata_api.facet_items, text, text), opendata_api.organization_page(text, text),
  opendata_api.reuses_page(text), opendata_api.portal_css()
  TO opendata_anon;
