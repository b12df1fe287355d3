// compile_facets(): value counts per facet field, in the Explore v2.1 shape
//   {"facets":[{"name":field,"facets":[{"name":v,"count":n,"state":"displayed","value":v},...]}]}
// Date fields are hierarchical: years, and below a refined year its months,
// below a refined month its days (values "2020", "2020/05", "2020/05/03").
#include <algorithm>
#include <map>
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

std::string date_facet(Params& params, const FieldInfo& f, const std::string& from_where,
                       const FacetState& st, int level, const std::string& parent) {
  static constexpr const char* kValueFmt[] = {"YYYY", "YYYY/MM", "YYYY/MM/DD"};
  static constexpr const char* kNameFmt[] = {"YYYY", "MM", "DD"};
  const std::string col = quote_ident(f.name);
  const std::string local = f.type == FieldType::Date
                                ? "(" + col + ")::timestamp"
                                : "(" + col + " AT TIME ZONE " + Params::tz() + ")";
  const std::string alias = "s" + std::to_string(level);
  const std::string refined = array_param(params, st.refined);
  std::string sub = "SELECT to_char(" + local + ", '" + kValueFmt[level - 1] + "') AS v, to_char(" +
                    local + ", '" + kNameFmt[level - 1] + "') AS n, count(*) AS c" + from_where +
                    col + " IS NOT NULL";
  if (!parent.empty())
    sub += " AND to_char(" + local + ", '" + kValueFmt[level - 2] + "') = " + parent;
  sub += " GROUP BY 1, 2";
  const std::string base = "'name', " + alias + ".n, 'count', " + alias +
                           ".c, 'state', CASE WHEN " + alias + ".v = ANY(" + refined +
                           ") THEN 'refined' ELSE 'displayed' END, 'value', " + alias + ".v";
  std::string item = "json_build_object(" + base + ")";
  if (level < st.date_depth) {
    item = "CASE WHEN " + alias + ".v = ANY(" + refined + ") THEN json_build_object(" + base +
           ", 'facets', " + date_facet(params, f, from_where, st, level + 1, alias + ".v") +
           ") ELSE " + item + " END";
  }
  return "(SELECT coalesce(json_agg(" + item + " ORDER BY " + alias + ".v), '[]'::json) FROM (" +
         sub + ") " + alias + ")";
}

std::string value_facet(Params& params, const FieldInfo& f, const std::string& from_where,
                        const FacetState& st) {
  const std::string col = quote_ident(f.name);
  const std::string key = f.type == FieldType::Text ? col : "(" + col + ")::text";
  std::string rows = "SELECT v, c, 0 AS o FROM (SELECT " + key + " AS v, count(*) AS c" +
                     from_where + col + " IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT " +
                     std::to_string(kFacetValues) + ") t";
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

  const std::string from_where =
      " FROM " + req.relation + " WHERE " + (filter.empty() ? "" : filter + " AND ");
  std::string list;
  for (const std::string& name : facet_fields) {
    const Source src{"facet", name};
    check_text(src);
    const FieldInfo& f = schema.resolve(src, 0, name);
    if (is_geo(f.type)) {
      request_error(sqlstate::kInvalidParameterValue,
                    "geo field \"" + f.name + "\" cannot be used as a facet");
    }
    const FacetState& st = states[f.name];
    const bool date = f.type == FieldType::Date || f.type == FieldType::DateTime;
    const std::string values = date ? date_facet(params, f, from_where, st, 1, "")
                                    : value_facet(params, f, from_where, st);
    if (!list.empty()) list += ", ";
    list += "json_build_object('name', " + params.add(ParamType::Text, f.name) + ", 'facets', " +
            values + ")";
  }
  Compiled out;
  out.results_sql = "SELECT json_build_object('facets', json_build_array(" + list + "))";
  out.count_sql =
      "SELECT count(*) FROM " + req.relation + (filter.empty() ? "" : " WHERE " + filter);
  out.params = params.take();
  out.results_sql = reference_all_params(out.results_sql, out.params);
  out.count_sql = reference_all_params(out.count_sql, out.params);
  return out;
}

}  // namespace opendata::odsql
