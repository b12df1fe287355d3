// Public entry points of the ODSQL compiler.
//
// The compiler turns the clauses of an Explore v2.1 style request (select,
// where, group_by, order_by, refine, exclude, limit, offset) into SQL
// statements that src/pg runs through SPI: a page of results and its count
// (compile_facets: the facets and their count), and for compile_records()
// also the page with its count in one statement and the page as rows for the
// exports (see Compiled).  It never pastes a user value into
// SQL: every literal becomes a bound parameter ($n) and every identifier comes
// from the caller's field list, double-quoted.  Any problem with the user's
// input is reported by throwing opendata::UserError.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace opendata::odsql {

enum class FieldType { Text, Integer, Double, Date, DateTime, Boolean, GeoPoint, GeoShape };

// One visible field of the dataset; name is the SQL column name.
struct FieldInfo {
  std::string name;
  FieldType type;
  // Declared NOT NULL where the data comes from: ordering on it needs no
  // null placement, which lets a plain B-tree index serve a descending sort.
  bool not_null = false;
};

// Keyset paging (records() only, see keyset.hpp).  The SQL type of a field
// that can be a keyset key: the types whose values have one exact text form
// the core can check.  Fields of other types cannot be keys of a token.
enum class KeyKind {
  Int2,
  Int4,
  Int8,
  Numeric,
  Float4,
  Float8,
  Text,
  Bool,
  Date,
  Timestamp,
  Timestamptz
};

struct KeysetColumn {
  std::string name;  // a field of the dataset
  KeyKind kind;
  bool not_null;  // the column has a NOT NULL constraint
};

struct Request {
  std::string relation;  // trusted, already-quoted SQL relation; pasted verbatim
  std::string select;    // ODSQL select clause ("fields"); empty = all fields
  std::string where;     // ODSQL where clause; empty = none
  // The parameter the where clause came in, named by error details
  // (cross() filters its right side with "right_where").
  const char* where_parameter = "where";
  std::string group_by, order_by;
  std::vector<std::string> refine, exclude;  // "field:value" items
  std::int64_t limit = 10;                   // rows (>= 0; -1 = no limit)
  std::int64_t offset = 0;                   // start
  std::string timezone = "UTC";              // bound as $1
  // Keyset paging: the dataset's unique key (field names, in order; empty
  // = no keyset paging), the fields usable as keyset keys, and a
  // continuation token from an earlier page ("" = none).
  std::vector<std::string> key;
  std::vector<KeysetColumn> keyset_columns;
  std::string after;
};

enum class ParamType { Text, Int8, Float8, Bool, Date, Timestamptz, Interval, TextArray, LikePattern };

// value is in PostgreSQL text input form for the type, except for a
// LikePattern: a text value, the LIKE pattern of one search word, whose
// `pieces` are the word's pieces between '*' wildcards (and `value` the
// same as a text[] literal, for reading: explain_sql()).  The caller binds
// like_pattern() (odsql/like_pattern.hpp) of the pieces folded as the rows'
// text is folded (lower(unaccent())), which only PostgreSQL can do: the
// statement then holds the pattern itself, as a constant the planner sees,
// not a computation of it.
struct Param {
  ParamType type;
  std::string value;
  std::vector<std::string> pieces;  // LikePattern only
};

// One output column of rows_sql.
struct OutputColumn {
  std::string name;
  FieldType type;  // Text for computed text values (and datetimes, see rows_sql)
};

struct Compiled {
  // One row: a json column; for compile_records() also a bigint column, the
  // number of records (or groups) on the page.
  std::string results_sql;
  std::string count_sql;  // one row, one bigint column
  // compile_records() only: results_sql with one more column, last: the
  // total.  A page shorter than asked for tells it (start plus its rows),
  // unless it comes after a token or is empty after a non-zero start; the
  // only place of that rule.  Otherwise the count of count_sql (a
  // sub-select) when parameter $n+1 (a bool after `params`, which records()
  // sets once the statement is planned) is true, else NULL.  One statement
  // planned once, where the page and its count would be two.
  std::string page_count_sql;
  // compile_records() only: page_count_sql without the count's sub-select
  // (same columns, same parameters): its last column is the total the page
  // tells, else NULL.  For a plan that sorts every matching row before its
  // LIMIT, whose rows records() counts there: planning the sub-select it
  // would not run costs a small page a fifth of its time (issue #15).
  std::string page_sql;
  // compile_records() only: whether the rows the page's statement selects
  // before sorting and cutting them to the page are the rows (or groups)
  // that count_sql counts, i.e. no keyset token narrows them.  When the
  // plan sorts all of them before its LIMIT, records() counts them there
  // instead of running the count.
  bool page_scan_counts = false;
  // compile_records() only: whether count_sql counts every record of the
  // relation (no filter, no grouping, no aggregate), so that a count known
  // beforehand answers it.
  bool counts_every_record = false;
  // compile_records() only: the same page as rows, one SQL column per
  // output, in order, for the streaming exports.  Values keep their SQL
  // types, except datetimes, given as ISO 8601 text in the request's time
  // zone (as in results_sql), and geometries, left as geometry.
  std::string rows_sql;
  std::vector<OutputColumn> columns;
  // $1..$n, shared by every statement above.  $1 is always the time zone
  // (Text).  Each statement references every parameter, each time with an
  // explicit cast ($3::float8), so any of them can be run with the full list;
  // still pass the declared types (SPI_execute_with_args argtypes).
  std::vector<Param> params;
  // compile_records() only, when the page can be continued by a token: the
  // kinds of its sort keys, whose values on the page's last row
  // results_sql returns after the JSON (column 2: the number of rows on the
  // page, columns 3..: one per key), and the ordering's fingerprint, for
  // make_token().
  std::vector<KeyKind> keyset;
  std::string keyset_fingerprint;
};

Compiled compile_records(const std::vector<FieldInfo>& fields, const Request& req);

// Value counts of each facet field under the request's where/refine/exclude
// filter.  results_sql returns {"facets":[{"name":..,"facets":[..]}]};
// count_sql returns the number of matching records.
Compiled compile_facets(const std::vector<FieldInfo>& fields, const Request& req,
                        const std::vector<std::string>& facet_fields);

// Human-readable rendering of results_sql, count_sql and the parameter list, for
// opendata.explain_odsql.
std::string explain_sql(const Compiled& compiled);

// Prefixes `sql` with an unused CTE naming the parameters it does not
// reference (see Compiled::params).
std::string reference_all_params(const std::string& sql, const std::vector<Param>& params);

// SQL type name of a parameter type ("text", "int8", ..., "text[]").
const char* param_type_name(ParamType type);

}  // namespace opendata::odsql
