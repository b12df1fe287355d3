// opendata._rpc_link(function, args): the ready GET URL of a call of the
// API, for functions written in SQL (search()'s links.next used it before
// search() became a C function, src/pg/search.cpp).  It is
// written by the core's one builder of such URLs (src/core/odsql/links.hpp),
// the one records(), near() and cross() use.
#include <optional>
#include <string>
#include <vector>

#include "core/odsql/links.hpp"
#include "pg/args.hpp"
#include "pg/spi.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(opendata_rpc_link);
}

using namespace opendata;

// _rpc_link(function text, args text[]) RETURNS text: args are name, value
// pairs; a NULL value leaves its argument out, a last name without a value
// is ignored.  NULL when the catalog has no base_url, or a given value has
// no name (as the PL/pgSQL concatenation this replaces gave).
Datum opendata_rpc_link(PG_FUNCTION_ARGS) {
  return pg::boundary([&]() -> Datum {
    const pg::Args args(fcinfo, pg::signature::kRpcLink);
    const std::vector<std::optional<std::string>> pairs = args.text_array_with_nulls("args");
    odsql::QueryArgs request;
    bool nameless = false;
    for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
      if (!pairs[i + 1]) continue;
      if (!pairs[i]) nameless = true;
      request.emplace_back(pairs[i].value_or(""), pairs[i + 1]);
    }
    pg::spi::connect();
    const uint64 n =
        pg::spi::execute("SELECT c.base_url FROM opendata.catalog c WHERE c.id = 1", true);
    const std::optional<std::string> base_url =
        n > 0 ? pg::spi::value(0, 1) : std::optional<std::string>();
    pg::spi::finish();
    if (!base_url || !args.given("function") || nameless) {
      fcinfo->isnull = true;
      return (Datum)0;
    }
    return pg::text_datum(odsql::rpc_url(*base_url, args.text("function"), request));
  });
}
