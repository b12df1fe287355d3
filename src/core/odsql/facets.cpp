// compile_facets(): value counts per facet field, in the Explore v2.1 shape
//   {"facets":[{"name":field,"facets":[{"name":v,"count":n,"state":"displayed","value":v},...]}]}
// Date fields are hierarchical: years, and below a refined year its months,
// below a refined month its days (values "2020", "2020/05", "2020/05/03").
// One statement: the groups of every facet from one scan (GROUPING SETS),
// from which the JSON of each facet is built.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/odsql/lexer.hpp"
#include "core/odsql/literals.hpp"
#include "core/odsql/query.hpp"

namespace opendata::odsql {
namespace {

// Most values listed for one (non-date) facet, biggest counts first.
constexpr int kFacetValues = 100;

struct FacetState {
  std::vector<std::string> refined;
  std::vector<std::string> excluded;
  int date_depth = 1;  // date facets: levels shown (1 year, 2 month, 3 day)
};

std::string array_param(Params& params, const std::vector<std::string>& items) {
  return params.add(ParamType::TextArray, text_array_literal(items));
}

// The grouped counts of all the facets of one request, from one scan of
// the matching rows: one aggregation by GROUPING SETS, a set per facet
// level (the common table "x"), read back as rows tagged with their facet
// (the common table "g").  A row of g is a group of facet "i" at level "l"
// (1 for value facets and years, 2 months, 3 days): facet value "v",
// display name "n", value of the parent level "p", count "c".  One scan
// where a scan per facet read the same rows again, each in its own worker
// of a Parallel Append, or one after the other; PostgreSQL does not run
// grouping sets in parallel, but the one scan costs less than either.
class Groups {
 public:
  // `from_where`: " FROM relation [WHERE filter]".
  explicit Groups(std::string from_where) : from_where_(std::move(from_where)) {}

  // Adds the groups of facet `facet` at `level`: the rows where `value` is
  // not null (it is null exactly where the field is) grouped by `value`,
  // `name` and `parent` (empty: none), and when `parent_in` (an array
  // parameter) is given, only the groups whose parent is in it.
  void add(std::size_t facet, int level, const std::string& value, const std::string& name,
           const std::string& parent, const std::string& parent_in) {
    Branch b{facet, level, expr(value), name.empty() ? -1 : expr(name),
             parent.empty() ? -1 : expr(parent), parent_in};
    branches_.push_back(b);
  }

  // "WITH x AS (...), g AS (...) ", or nothing when no facet was asked for.
  std::string with() const {
    if (branches_.empty()) return "";
    std::string cols, grouping, sets;
    std::vector<std::vector<bool>> distinct;
    for (std::size_t k = 0; k < exprs_.size(); ++k) {
      cols += exprs_[k] + " AS x" + std::to_string(k) + ", ";
      grouping += "GROUPING(" + exprs_[k] + ") AS g" + std::to_string(k) + ", ";
    }
    for (const Branch& b : branches_) {
      const std::vector<bool> set = members(b);
      if (std::find(distinct.begin(), distinct.end(), set) != distinct.end()) continue;
      distinct.push_back(set);
      std::string keys;
      for (std::size_t k = 0; k < set.size(); ++k) {
        if (set[k]) keys += (keys.empty() ? "" : ", ") + exprs_[k];
      }
      sets += (sets.empty() ? "(" : ", (") + keys + ")";
    }
    std::string g;
    for (const Branch& b : branches_) {
      const std::vector<bool> set = members(b);
      // A set's groups: its keys grouped (GROUPING() 0), all others not (1).
      std::string where;
      for (std::size_t k = 0; k < set.size(); ++k) {
        where += (k == 0 ? "" : " AND ") + ("g" + std::to_string(k)) + (set[k] ? " = 0" : " = 1");
      }
      const std::string v = col(b.value);
      where += " AND " + v + " IS NOT NULL";
      if (!b.parent_in.empty()) where += " AND " + col(b.parent) + " = ANY(" + b.parent_in + ")";
      g += (g.empty() ? "" : " UNION ALL ") + ("SELECT " + std::to_string(b.facet) + " AS i, " +
                                              std::to_string(b.level) + " AS l, " + v + " AS v, " +
                                              col(b.name) + " AS n, " + col(b.parent) +
                                              " AS p, c FROM x WHERE " + where);
    }
    return "WITH x AS (SELECT " + cols + grouping + "count(*) AS c" + from_where_ +
           " GROUP BY GROUPING SETS (" + sets + ")), g AS (" + g + ") ";
  }

 private:
  struct Branch {
    std::size_t facet;
    int level;
    int value, name, parent;  // indexes in exprs_, -1: none
    std::string parent_in;
  };

  int expr(const std::string& sql) {
    for (std::size_t k = 0; k < exprs_.size(); ++k) {
      if (exprs_[k] == sql) return static_cast<int>(k);
    }
    exprs_.push_back(sql);
    return static_cast<int>(exprs_.size() - 1);
  }
  std::vector<bool> members(const Branch& b) const {
    std::vector<bool> set(exprs_.size(), false);
    for (int k : {b.value, b.name, b.parent}) {
      if (k >= 0) set[static_cast<std::size_t>(k)] = true;
    }
    return set;
  }
  static std::string col(int k) { return k < 0 ? "NULL::text" : "x" + std::to_string(k); }

  std::string from_where_;
  std::vector<std::string> exprs_;
  std::vector<Branch> branches_;
};

// The JSON list of a date facet's level, read from its groups; below a
// refined value, that value's next level.
std::string date_facet(Params& params, Groups& groups, std::size_t facet, const FieldInfo& f,
                       const FacetState& st, int level, const std::string& parent) {
  static constexpr const char* kValueFmt[] = {"YYYY", "YYYY/MM", "YYYY/MM/DD"};
  static constexpr const char* kNameFmt[] = {"YYYY", "MM", "DD"};
  const std::string col = quote_ident(f.name);
  const std::string local = f.type == FieldType::Date
                                ? "(" + col + ")::timestamp"
                                : "(" + col + " AT TIME ZONE " + params.tz() + ")";
  auto format = [&](const char* fmt) { return "to_char(" + local + ", '" + fmt + "')"; };
  const std::string alias = "s" + std::to_string(level);
  const std::string refined = array_param(params, st.refined);
  // Below the years, only the refined parents are shown: group only them.
  const std::string parent_value = level == 1 ? "NULL::text" : format(kValueFmt[level - 2]);
  groups.add(facet, level, format(kValueFmt[level - 1]), format(kNameFmt[level - 1]),
             level == 1 ? "" : parent_value, level == 1 ? "" : refined);
  const std::string base = "'name', " + alias + ".n, 'count', " + alias +
                           ".c, 'state', CASE WHEN " + alias + ".v = ANY(" + refined +
                           ") THEN 'refined' ELSE 'displayed' END, 'value', " + alias + ".v";
  std::string item = "json_build_object(" + base + ")";
  if (level < st.date_depth) {
    item = "CASE WHEN " + alias + ".v = ANY(" + refined + ") THEN json_build_object(" + base +
           ", 'facets', " + date_facet(params, groups, facet, f, st, level + 1, alias + ".v") +
           ") ELSE " + item + " END";
  }
  std::string where =
      alias + ".i = " + std::to_string(facet) + " AND " + alias + ".l = " + std::to_string(level);
  if (!parent.empty()) where += " AND " + alias + ".p = " + parent;
  return "(SELECT coalesce(json_agg(" + item + " ORDER BY " + alias + ".v), '[]'::json) FROM g " +
         alias + " WHERE " + where + ")";
}

// The JSON list of a value facet: its biggest groups, then the excluded values.
std::string value_facet(Params& params, Groups& groups, std::size_t facet, const FieldInfo& f,
                        const FacetState& st) {
  const std::string col = quote_ident(f.name);
  // In the database's collation: the text columns of the facets share one
  // column of the UNION ALL, and two different collations there would leave
  // its comparisons (the sort, ANY(refined)) without one.
  const std::string key = f.type == FieldType::Text ? col : "(" + col + ")::text";
  groups.add(facet, 1, key + " COLLATE \"default\"", "", "", "");
  std::string rows =
      "SELECT v, c, 0 AS o FROM (SELECT v, c FROM g WHERE i = " + std::to_string(facet) +
      " ORDER BY c DESC, v LIMIT " + std::to_string(kFacetValues) + ") t";
  if (!st.excluded.empty()) {
    // Excluded values are listed without a count.
    rows += " UNION ALL SELECT unnest(" + array_param(params, st.excluded) + "), NULL::bigint, 1";
  }
  const std::string refined = array_param(params, st.refined);
  const std::string item =
      "CASE WHEN s.c IS NULL THEN json_build_object('name', s.v, 'state', 'excluded', 'value', "
      "s.v) "
      "ELSE json_build_object('name', s.v, 'count', s.c, 'state', CASE WHEN s.v = ANY(" +
      refined + ") THEN 'refined' ELSE 'displayed' END, 'value', s.v) END";
  return "(SELECT coalesce(json_agg(" + item + " ORDER BY s.o, s.c DESC, s.v), '[]'::json) FROM (" +
         rows + ") s)";
}

// "2020-05" -> "2020/05": the facet value form of a date refine, and its depth.
bool date_value(const std::string& v, std::string& out, int& precision) {
  DateValue d;
  std::string err;
  if (!parse_date(v, d, err)) return false;
  precision = std::min(d.precision, 3);
  char buf[16];
  if (precision == 1)
    std::snprintf(buf, sizeof buf, "%04d", d.year);
  else if (precision == 2)
    std::snprintf(buf, sizeof buf, "%04d/%02d", d.year, d.month);
  else
    std::snprintf(buf, sizeof buf, "%04d/%02d/%02d", d.year, d.month, d.day);
  out = buf;
  return true;
}

}  // namespace

Compiled compile_facets(const std::vector<FieldInfo>& fields, const Request& req,
                        const std::vector<std::string>& facet_fields) {
  Params params;
  start_request(req, params);
  const Schema schema(fields);
  const std::string filter = build_filter(schema, params, req);
  if (facet_fields.size() > kMaxFacetItems) {
    request_error(
        sqlstate::kProgramLimitExceeded, "too many facets",
        "At most " + std::to_string(kMaxFacetItems) + " facets can be requested at once.");
  }
  std::map<std::string, FacetState> states;
  auto collect = [&](const std::vector<std::string>& items, const char* clause, bool refine) {
    for (const std::string& item : items) {
      std::string field, value;
      facet_condition(schema, params, item, clause, &field, &value);
      FacetState& st = states[field];
      const FieldInfo* f = schema.find(Source{clause, item}, 0, field);
      if (f != nullptr && (f->type == FieldType::Date || f->type == FieldType::DateTime)) {
        std::string norm;
        int precision = 1;
        if (date_value(value, norm, precision)) value = norm;
        if (refine) {
          st.date_depth = std::max(st.date_depth, std::min(precision + 1, 3));
          // Refining on a month also shows its year as refined.
          if (precision >= 2) st.refined.push_back(norm.substr(0, 4));
          if (precision >= 3) st.refined.push_back(norm.substr(0, 7));
        }
      }
      (refine ? st.refined : st.excluded).push_back(value);
    }
  };
  collect(req.refine, "refine", true);
  collect(req.exclude, "exclude", false);

  Groups groups(" FROM " + req.relation + (filter.empty() ? "" : " WHERE " + filter));
  std::string list;
  for (std::size_t i = 0; i < facet_fields.size(); ++i) {
    const Source src{"facet", facet_fields[i]};
    check_text(src);
    const FieldInfo& f = schema.resolve(src, 0, facet_fields[i]);
    if (is_geo(f.type)) {
      request_error(sqlstate::kInvalidParameterValue,
                    "geo field \"" + f.name + "\" cannot be used as a facet");
    }
    const FacetState& st = states[f.name];
    const bool date = f.type == FieldType::Date || f.type == FieldType::DateTime;
    const std::string values =
        date ? date_facet(params, groups, i, f, st, 1, "") : value_facet(params, groups, i, f, st);
    if (!list.empty()) list += ", ";
    list += "json_build_object('name', " + params.add(ParamType::Text, f.name) + ", 'facets', " +
            values + ")";
  }
  Compiled out;
  out.results_sql =
      groups.with() + "SELECT json_build_object('facets', json_build_array(" + list + "))";
  out.count_sql =
      "SELECT count(*) FROM " + req.relation + (filter.empty() ? "" : " WHERE " + filter);
  out.params = params.take();
  out.results_sql = reference_all_params(out.results_sql, out.params);
  out.count_sql = reference_all_params(out.count_sql, out.params);
  return out;
}

}  // namespace opendata::odsql
