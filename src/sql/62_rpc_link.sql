-- opendata._rpc_link(function, args): the ready GET URL of a call of the
-- API, for the links.next that search() (60_search.sql) writes.  A C
-- function (src/pg/rpc_link.cpp) since the core's one URL builder
-- (src/core/odsql/links.hpp, the one of records(), near() and cross())
-- writes it: it replaces the PL/pgSQL definition of 60_search.sql, with the
-- same signature, so search() and the grant of 60_search.sql stay as they
-- are.  args are name, value pairs; a NULL value leaves its argument out.
CREATE OR REPLACE FUNCTION opendata._rpc_link(function text, args text[]) RETURNS text
LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'opendata_rpc_link';
