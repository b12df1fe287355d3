// opendata.version() and the compiled half of opendata.build_info().
#include <string>

#include <nlohmann/json.hpp>

#include "pg/guard.hpp"
#include "pg/text.hpp"

#ifndef OPENDATA_VERSION
#error "OPENDATA_VERSION must be defined by the build (see Makefile)"
#endif
#ifndef OPENDATA_BUILD_TYPE
#define OPENDATA_BUILD_TYPE "unknown"
#endif

extern "C" {
PG_FUNCTION_INFO_V1(opendata_version);
PG_FUNCTION_INFO_V1(opendata_build_info_compiled);
}

Datum opendata_version(PG_FUNCTION_ARGS) {
  return opendata::pg::boundary([&] { return opendata::pg::text_datum(OPENDATA_VERSION); });
}

// What only the compiler knows.  The SQL wrapper adds the running
// PostgreSQL and PostGIS versions, which can differ from the build's.
Datum opendata_build_info_compiled(PG_FUNCTION_ARGS) {
  return opendata::pg::boundary([&] {
    nlohmann::json info = {
        {"version", OPENDATA_VERSION},
        {"built_against_postgresql", PG_VERSION},
        {"compiler", __VERSION__},
#if defined(__clang__)
        {"compiler_family", "clang"},
#elif defined(__GNUC__)
        {"compiler_family", "gcc"},
#endif
        {"cplusplus", static_cast<long>(__cplusplus)},
        {"build_type", OPENDATA_BUILD_TYPE},
#ifdef USE_ASSERT_CHECKING
        {"assertions", true},
#else
        {"assertions", false},
#endif
    };
    return opendata::pg::text_datum(info.dump());
  });
}
