// What the crossing compiler takes and gives (see compiler.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace opendata::cross {

enum class Predicate { kNearest, kWithinDistance, kContains, kEnrich, kAttribute };

// One side of a crossing.  `from` is trusted SQL: a relation name, or a
// parenthesised subquery (an ODSQL filter compiled by
// odsql::compile_filtered_rows(), its values numbered in the statement's
// parameter list); `a` and `b` are the aliases of the left and right side.
struct Side {
  std::string from;
  std::vector<std::string> fields;  // the fields the caller may see
  std::string geometry;             // the geometry column; "" when none
  // The SRID of the geometry column: 4326 is used as is, 0 (unknown) is
  // taken as 4326, others are transformed.
  int srid = 4326;
  // Whether b.ctid names each row of `from` once: a table without children
  // or a materialized view, not a view or subquery (the caller asks the
  // catalog).  The report of contains then counts the matched rows in the
  // polygons' pass instead of probing the polygons once per right row.
  bool rows_have_ctid = false;
  // A field of `fields` that names each row of `from` once: a column of a
  // one-column unique index, NOT NULL, on a relation whose rows have a
  // ctid or on a partitioned table (the caller asks the catalog); "" when
  // none.  contains' report then counts the matched rows by it: the
  // distinct values of an int sort by value, a ctid through its
  // comparison function.
  std::string unique_field;
  // The order of the side's rows that a crossing cannot tell apart (right
  // rows at the same distance of nearest, polygons sharing a border in
  // enrich; tie_order_sql() in compiler.hpp): the side's unique key (its
  // field names, in order; empty when it has none), and the fields whose
  // SQL type has no default ordering (json, xml, point...), which are
  // compared by their text.
  std::vector<std::string> key;
  std::vector<std::string> unordered_fields;
};

struct Request {
  Side left, right;
  std::string predicate = "nearest";  // checked with the options
  std::string options_json = "{}";    // the options object, as JSON text
  // The largest k allowed: kMaxK, or kMaxAdHocK over the API (options.hpp).
  std::int64_t max_k = 1000;
  // nearest only: the right side's relation when the in-memory index of
  // opendata._nearest_candidates() can serve the crossing (both sides
  // point tables, the right one small enough); "" otherwise.
  std::string nearest_index_relation;
};

struct Statements {
  std::string select_sql;  // the crossing's rows
  std::string report_sql;  // one jsonb value: unmatched rows and keys; "" when none
  // The fields the crossing carries unchanged from each side (the right
  // ones prefixed in select_sql): they keep their publisher's metadata.
  std::vector<std::string> left_fields, right_fields;
};

}  // namespace opendata::cross
