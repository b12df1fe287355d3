// The table of ODSQL functions, and the translators of the date-related
// ones that live in dates.cpp.
#pragma once

#include "core/odsql/translator.hpp"

namespace opendata::odsql {

enum class FnKind { Scalar, Filter, Aggregate };

struct FnInfo {
  const char* name;
  FnKind kind;
  int min_args;
  int max_args;
};

// Null when `name` (lower case) is not an ODSQL function.
const FnInfo* find_function(const std::string& name);

// dates.cpp
Expr translate_date_part(Translator& t, const Node& n);  // year(), month(), ...
// True for the functions translate_date_part() handles.  Their result is
// null exactly when their argument is (the time zone is never null).
bool is_date_part(const std::string& name);
Expr translate_date_format(Translator& t, const Node& n);
Expr translate_now(Translator& t, const Node& n);
Expr translate_range(Translator& t, const Node& n);

// geo_cluster.cpp
Expr translate_geo_cluster(Translator& t, const Node& n);
// Whether `n` or any node below it calls the function `name` (lower case).
bool mentions_function(const Node& n, const std::string& name);

// Joda-style date pattern (dd/MM/yyyy) to a PostgreSQL to_char() format.
// Returns false with `error` set when the pattern has unknown letters.
bool date_pattern_to_char(const std::string& pattern, std::string& out, std::string& error);

}  // namespace opendata::odsql
