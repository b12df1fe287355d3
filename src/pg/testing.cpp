// Entry points used only by the regression tests of the error bridge.
//
// They are compiled into opendata.so but declared by no installed SQL
// script: sql/error_bridge.sql (a regression test) creates them with CREATE FUNCTION
// (which needs superuser for LANGUAGE C), so a production database never has
// them unless someone goes out of their way.
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "pg/text.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(opendata_test_raise);
PG_FUNCTION_INFO_V1(opendata_test_pg_error);
PG_FUNCTION_INFO_V1(opendata_test_spin);
PG_FUNCTION_INFO_V1(opendata_test_destructor_count);
}

namespace {

// Counts destructor runs, so a test can see that C++ frames unwound when a
// PostgreSQL error or a cancel crossed them.  A plain int: no static object.
int g_destructor_count = 0;

struct Sentinel {
  std::string payload = std::string(64, 'x');  // owns heap memory, like real code
  ~Sentinel() { g_destructor_count++; }
};

std::string optional_text(FunctionCallInfo fcinfo, int arg) {
  return PG_ARGISNULL(arg) ? std::string() : opendata::pg::text_string(PG_GETARG_DATUM(arg));
}

}  // namespace

// opendata_test_raise(sqlstate, message, detail, hint): a domain error thrown
// from C++ frames.
Datum opendata_test_raise(PG_FUNCTION_ARGS) {
  return opendata::pg::boundary([&]() -> Datum {
    Sentinel alive;
    throw opendata::UserError(optional_text(fcinfo, 0), optional_text(fcinfo, 1),
                              optional_text(fcinfo, 2), optional_text(fcinfo, 3));
  });
}

// opendata_test_pg_error(query): runs a query through SPI while C++ objects
// are alive; the query's error must come out with its own SQLSTATE.
Datum opendata_test_pg_error(PG_FUNCTION_ARGS) {
  return opendata::pg::boundary([&] {
    Sentinel alive;
    std::string query = optional_text(fcinfo, 0);
    opendata::pg::spi::connect();
    uint64 rows = opendata::pg::spi::execute(query.c_str(), false);
    opendata::pg::spi::finish();
    return Int64GetDatum(static_cast<int64>(rows));
  });
}

// opendata_test_spin(iterations): a long C++ loop that only stops early by
// cancellation, checked through the core's interrupt hook.
Datum opendata_test_spin(PG_FUNCTION_ARGS) {
  int64 iterations = PG_GETARG_INT64(0);
  return opendata::pg::boundary([&] {
    Sentinel alive;
    std::vector<std::uint64_t> state(1024, 1);
    std::uint64_t acc = 0;
    for (int64 i = 0; i < iterations; i++) {
      state[i % state.size()] = state[(i + 1) % state.size()] * 6364136223846793005ULL + 1;
      acc ^= state[i % state.size()];
      if ((i & 0xFFF) == 0) opendata::check_interrupts();
    }
    return Int64GetDatum(static_cast<int64>(acc & 0x7FFFFFFF));
  });
}

Datum opendata_test_destructor_count(PG_FUNCTION_ARGS) {
  return Int32GetDatum(g_destructor_count);
}
