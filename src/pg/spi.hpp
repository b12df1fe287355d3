// SPI calls for C++ frames, each one through pg::call().
//
// No RAII here on purpose: if an error unwinds the C++ frames, the SPI
// connection is cleaned up by the transaction abort (AtEOXact_SPI), which is
// where PostgreSQL expects it; calling SPI_finish() from a destructor during
// unwinding would run PostgreSQL code in a half-failed state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/guard.hpp"

namespace opendata::pg::spi {

void connect();
void finish();

// Runs one statement without parameters; returns SPI_processed.
uint64 execute(const char* sql, bool read_only);

// Runs one statement with parameters $1..$n given as types and datums.
uint64 execute_with_args(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls,
                         bool read_only);

// Parameters given as PostgreSQL text input, converted by each type's input
// function (which reports bad values with its own SQLSTATE).
struct TextParam {
  Oid type;
  std::optional<std::string> value;  // nullopt = NULL
};
uint64 execute_text_params(const std::string& sql, const std::vector<TextParam>& params,
                           bool read_only);

// Runs a fixed statement through a plan prepared on first use and kept for
// the backend's life (SPI_keepplan) in `plan`, as one generic plan: for
// key lookups, whose values change nothing in the plan.  The plan cache
// re-plans it when a catalog object it uses changes, and re-applies
// row-level security when the role changes.
uint64 execute_saved(SPIPlanPtr& plan, const char* sql, const std::vector<TextParam>& params,
                     bool read_only);

// Runs a statement through a plan prepared on its first run and kept for
// the backend's life, one per statement text and parameter types (the 32
// most recently used): the plan cache plans it for the values of its first
// runs, then keeps a generic plan when that costs no more.  For statements
// built per request shape whose values are parameters (vector tiles), where
// parsing and planning would otherwise weigh as much as running them.
uint64 execute_kept(const std::string& sql, const std::vector<TextParam>& params,
                    bool read_only);

// The planner's estimate of the rows the statement's top node reads: for
// "SELECT count(*) FROM ...", how many rows it would count.  Plans the
// statement with these parameter values (a custom plan), runs nothing.
double estimate_input_rows(const std::string& sql, const std::vector<TextParam>& params);

// Runs a read-only statement with text parameters, handing every result row
// to `dest` as the executor produces it: no tuple is copied into an SPI
// tuple table.  `dest`'s callbacks run inside the executor, so they must
// not let a C++ exception escape (see pg::boundary).
void execute_to(const std::string& sql, const std::vector<TextParam>& params, DestReceiver* dest);

// The same statement opened as a cursor (a portal kept until closed or the
// transaction ends, past finish()), planned for all its rows; returns its
// name.  fetch_to() runs it for up to `count` more rows into `dest` and
// returns how many came (fewer: it has no more); it needs no SPI
// connection, so a set-returning function can call it once per row it
// returns.  close_cursor() drops it if it is still there (from a
// shutdown callback, where it may be gone already).
std::string open_cursor(const std::string& sql, const std::vector<TextParam>& params);
uint64 fetch_to(const std::string& cursor, long count, DestReceiver* dest);
void close_cursor(const char* cursor);

// Column `col` (1-based) of row `row` of the last result, as text.
std::optional<std::string> value(uint64 row, int col);

// One result row, held apart from SPI_tuptable (in the memory of the SPI
// connection, freed by finish()).  tuple is nullptr when there was no row.
struct Row {
  HeapTuple tuple = nullptr;
  TupleDesc desc = nullptr;
};

// Row `row` of the last result.
Row result_row(uint64 row);

// Column `col` (1-based) of `row`, as text; and as a datum and its type.
std::optional<std::string> value(const Row& row, int col);
Datum binary_value(const Row& row, int col, bool* isnull);
Oid column_type(const Row& row, int col);
int column_count(const Row& row);

// The column names of the last result (of a query run with LIMIT 0 to
// learn the shape of a statement built elsewhere).
std::vector<std::string> column_names();
// Their type names (SPI_gettype: "geometry", "text", ...), in the same order.
std::vector<std::string> column_type_names();

// Text parameters converted to datums by their types' input functions.
struct BoundParams {
  std::vector<Oid> types;
  std::vector<Datum> values;
  std::string nulls;  // 'n' for NULL, ' ' otherwise (SPI's convention)
};
BoundParams bind_text_params(const std::vector<TextParam>& params);

}  // namespace opendata::pg::spi
