#include "pg/spi.hpp"

namespace opendata::pg::spi {

namespace {

// SPI reports most misuse through negative return codes rather than ERROR.
void check(int rc, const char* what) {
  if (rc < 0)
    throw UserError(sqlstate::kInternalError, std::string(what) + " failed",
                    std::string("SPI result: ") + SPI_result_code_string(rc));
}

}  // namespace

void connect() {
  int rc = call([] { return SPI_connect(); });
  check(rc, "SPI_connect");
}

void finish() {
  int rc = call([] { return SPI_finish(); });
  check(rc, "SPI_finish");
}

uint64 execute(const char* sql, bool read_only) {
  int rc = call([sql, read_only] { return SPI_execute(sql, read_only, 0); });
  check(rc, "SPI_execute");
  return SPI_processed;
}

uint64 execute_with_args(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls,
                         bool read_only) {
  int rc = call([=] { return SPI_execute_with_args(sql, nargs, types, values, nulls, read_only, 0); });
  check(rc, "SPI_execute_with_args");
  return SPI_processed;
}

}  // namespace opendata::pg::spi
