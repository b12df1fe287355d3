// Keyset paging: continuation tokens for deep pages of records().
//
// OFFSET reads and throws away every row before the page, so page n costs
// O(n).  A keyset page starts after the last row of the previous one instead:
// the query orders by its order_by fields and then by the dataset's unique
// key (a total order), and a token carries the sort values of the page's
// last row.  The next request turns them into a condition
//
//     WHERE (k1, k2, id) > ($a, $b, $c)
//
// which an index on (k1, k2, id) serves directly, whatever the depth.
//
// What is supported, because it can be shown correct:
// - ungrouped, non-aggregated queries on a dataset with a key;
// - order_by keys that are fields (or labels of fields) of the kinds in
//   KeyKind, each ASC or DESC, nulls last as always;
// - mixed directions and nullable columns: the condition is then the
//   expansion "k1 after a, or k1 = a and k2 after b, or ...", where "after"
//   includes the nulls that sort last.  The row comparison is used when all
//   keys go the same way and none can be null.
// A token given with any other query is refused (0A000); a token that is
// malformed, tampered with or made for another request (another dataset,
// ordering, where, refine, exclude or time zone) is refused (22023).
// Token values never reach SQL as text: each one is checked against the
// exact text form of its key's type, then bound as a parameter and cast to
// that type.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/odsql/compiler.hpp"
#include "core/odsql/params.hpp"
#include "core/odsql/schema.hpp"

namespace opendata::odsql {

// Tokens longer than this are refused without being decoded (54000).
inline constexpr std::size_t kMaxTokenBytes = 65536;

struct SortKey {
  std::string sql;
  bool descending = false;
};

struct KeysetPlan {
  std::vector<SortKey> added;  // key fields to append to the ORDER BY
  std::string condition;       // the continuation condition; "" on a first page
  std::vector<KeyKind> kinds;  // of every sort key (order + added); empty = no token
  std::string fingerprint;
};

// Decides whether the query can be continued by a token and, when the
// request carries one, checks it and builds the condition.  `order` is the
// query's sort keys as compiled; `aggregated` whether it groups or
// aggregates.  Throws 0A000 / 22023 for a token it cannot honour.
KeysetPlan plan_keyset(const Request& req, const std::vector<SortKey>& order, bool aggregated,
                       Params& params);

// The token for a page whose last row has these sort key values (nullopt =
// null), each in the exact text form of its kind (see check_key_value); ""
// when a value cannot be carried (not in that form, or not UTF-8).
std::string make_token(const std::string& fingerprint, const std::vector<KeyKind>& kinds,
                       const std::vector<std::optional<std::string>>& values);

// The values a token carries, checked against the expected fingerprint and
// kinds; 22023 when anything is off.
std::vector<std::optional<std::string>> read_token(const std::string& token,
                                                   const std::string& fingerprint,
                                                   const std::vector<KeyKind>& kinds);

// Whether `text` is a value of `kind` in the form make_token() is given:
// integers and numerics as digits, floats in shortest round-trip form or
// NaN/Infinity/-Infinity, booleans t/f, dates YYYY-MM-DD, timestamps
// YYYY-MM-DD HH:MM:SS[.ffffff] (with +00 for timestamptz), " BC" for years
// before Christ, infinity/-infinity; texts any UTF-8 without NUL.  Values
// PostgreSQL would refuse (out of range, 31 February) are refused here.
bool check_key_value(KeyKind kind, const std::string& text);

// SQL type a token value is cast to.
const char* key_sql_type(KeyKind kind);

}  // namespace opendata::odsql
