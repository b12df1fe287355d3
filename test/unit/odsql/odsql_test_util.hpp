// Shared fixtures for the ODSQL unit tests.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/odsql/compiler.hpp"

namespace odsql_test {

using opendata::UserError;
using namespace opendata::odsql;

inline std::vector<FieldInfo> fields() {
  return {{"name", FieldType::Text},
          {"city", FieldType::Text},
          {"population", FieldType::Integer},
          {"height", FieldType::Double},
          {"planted", FieldType::Date},
          {"updated", FieldType::DateTime},
          {"alive", FieldType::Boolean},
          {"geo", FieldType::GeoPoint},
          {"shape", FieldType::GeoShape},
          {"Année", FieldType::Integer},
          {"12", FieldType::Text},
          {"and", FieldType::Text}};
}

inline Request request() {
  Request r;
  r.relation = "opendata_api.\"trees\"";
  return r;
}

struct Caught {
  bool thrown = false;
  std::string sqlstate, message, detail, hint;
  int position = 0;
};

inline Caught catch_error(const std::function<void()>& f) {
  Caught c;
  try {
    f();
  } catch (const UserError& e) {
    c.thrown = true;
    c.sqlstate = e.sqlstate();
    c.message = e.what();
    c.detail = e.detail();
    c.hint = e.hint();
    c.position = e.position();
  }
  return c;
}

// Compiles records with one clause set; returns the error (thrown=false if none).
inline Caught records_error(const std::string& clause, const std::string& text) {
  Request r = request();
  if (clause == "fields")
    r.select = text;
  else if (clause == "where")
    r.where = text;
  else if (clause == "group_by")
    r.group_by = text;
  else if (clause == "order_by")
    r.order_by = text;
  else if (clause == "refine")
    r.refine.push_back(text);
  else if (clause == "exclude")
    r.exclude.push_back(text);
  return catch_error([&] { compile_records(fields(), r); });
}

inline Compiled where(const std::string& w) {
  Request r = request();
  r.where = w;
  return compile_records(fields(), r);
}

// Highest $n referenced in a statement.
inline std::size_t max_param(const std::string& sql) {
  std::size_t best = 0;
  static const std::regex re("\\$([0-9]+)");
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), re); it != std::sregex_iterator();
       ++it) {
    best = std::max<std::size_t>(best, std::stoul((*it)[1]));
  }
  return best;
}

// Every parameter exists and both statements reference every parameter.
inline void expect_params_consistent(const Compiled& c) {
  EXPECT_EQ(max_param(c.results_sql), c.params.size());
  EXPECT_EQ(max_param(c.count_sql), c.params.size());
  for (std::size_t i = 1; i <= c.params.size(); ++i) {
    const std::string use = "$" + std::to_string(i) + "::";
    EXPECT_NE(c.results_sql.find(use), std::string::npos) << "$" << i << " is not in results_sql";
    EXPECT_NE(c.count_sql.find(use), std::string::npos) << "$" << i << " is not in count_sql";
  }
  // page_count_sql: the same parameters and one more, the count's switch.
  if (!c.page_count_sql.empty()) {
    EXPECT_EQ(max_param(c.page_count_sql), c.params.size() + 1);
    EXPECT_EQ(max_param(c.page_sql), c.params.size() + 1);
    for (std::size_t i = 1; i <= c.params.size() + 1; ++i) {
      const std::string use = "$" + std::to_string(i) + "::";
      EXPECT_NE(c.page_count_sql.find(use), std::string::npos)
          << "$" << i << " is not in page_count_sql";
      EXPECT_NE(c.page_sql.find(use), std::string::npos) << "$" << i << " is not in page_sql";
    }
  }
}

inline bool has_param(const Compiled& c, ParamType t, const std::string& v) {
  for (const Param& p : c.params) {
    if (p.type == t && p.value == v) return true;
  }
  return false;
}

inline bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

inline bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace odsql_test
