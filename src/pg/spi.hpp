// SPI calls for C++ frames, each one through pg::call().
//
// No RAII here on purpose: if an error unwinds the C++ frames, the SPI
// connection is cleaned up by the transaction abort (AtEOXact_SPI), which is
// where PostgreSQL expects it; calling SPI_finish() from a destructor during
// unwinding would run PostgreSQL code in a half-failed state.
#pragma once

#include <string>

#include "pg/guard.hpp"

namespace opendata::pg::spi {

void connect();
void finish();

// Runs one statement without parameters; returns SPI_processed.
uint64 execute(const char* sql, bool read_only);

// Runs one statement with parameters $1..$n given as types and datums.
uint64 execute_with_args(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls,
                         bool read_only);

}  // namespace opendata::pg::spi
