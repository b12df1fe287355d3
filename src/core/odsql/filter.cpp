// Request validation and the WHERE body: where clause, refine and exclude.
#include <map>
#include <vector>

#include "core/geojson_precision.hpp"
#include "core/odsql/lexer.hpp"
#include "core/odsql/literals.hpp"
#include "core/odsql/parser.hpp"
#include "core/odsql/query.hpp"

namespace opendata::odsql {

void start_request(const Request& req, Params& params) {
  if (req.relation.empty())
    request_error(sqlstate::kInvalidParameterValue, "relation must not be empty");
  if (req.limit < -1) {
    request_error(sqlstate::kInvalidParameterValue,
                  "rows must be a non-negative number, or -1 for all rows",
                  "rows is " + std::to_string(req.limit) + ".");
  }
  if (req.offset < 0) {
    request_error(sqlstate::kInvalidParameterValue, "start must not be negative",
                  "start is " + std::to_string(req.offset) + ".");
  }
  // The name itself is checked by PostgreSQL when the statement runs; this
  // only keeps obvious garbage out of messages and plans.
  bool ok = !req.timezone.empty() && req.timezone.size() <= 64;
  for (char c : req.timezone) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '/' || c == '+' || c == '-' || c == ':' || c == '.');
  }
  if (!ok) {
    request_error(sqlstate::kInvalidParameterValue,
                  "invalid time zone \"" + excerpt(req.timezone) + "\"", {},
                  "Use a time zone name such as Europe/Paris or UTC.");
  }
  params.add(ParamType::Text, req.timezone);  // $1, see Params::tz()
}

[[noreturn]] static void bad_facet_value(const char* clause, const std::string& value,
                                         const std::string& field, const std::string& why) {
  request_error(sqlstate::kInvalidParameterValue,
                std::string("invalid ") + clause + " value \"" + excerpt(value) +
                    "\" for field \"" + field + "\"",
                why);
}

std::string facet_condition(const Schema& schema, Params& params, const std::string& item,
                            const char* clause, std::string* field_name, std::string* value_out) {
  const Source src{clause, item};
  const std::size_t colon = item.find(':');
  if (colon == std::string::npos || colon == 0) {
    request_error(sqlstate::kInvalidParameterValue,
                  std::string("invalid ") + clause + " item \"" + excerpt(item) + "\"", {},
                  "Use the form field:value, e.g. city:Paris.");
  }
  check_text(src);  // same length and encoding rules as the clauses
  const std::string name = item.substr(0, colon);
  const std::string value = item.substr(colon + 1);
  const FieldInfo& f = schema.resolve(src, 0, name);
  if (field_name != nullptr) *field_name = f.name;
  if (value_out != nullptr) *value_out = value;
  const std::string col = quote_ident(f.name);
  auto bad = [&](const std::string& why) { bad_facet_value(clause, value, f.name, why); };
  switch (f.type) {
    case FieldType::Text:
      return "(" + col + " = " + params.add(ParamType::Text, value) + ")";
    case FieldType::Integer:
    case FieldType::Double: {
      double v = 0;
      bool integer = false;
      std::int64_t iv = 0;
      if (!parse_number(value, v, integer, iv)) bad("The field holds numbers.");
      return "(" + col + " = " + params.add(integer ? ParamType::Int8 : ParamType::Float8, value) +
             ")";
    }
    case FieldType::Boolean: {
      const std::string low = lower_ascii(value);
      if (low == "true" || low == "1") return "(" + col + " = true)";
      if (low == "false" || low == "0") return "(" + col + " = false)";
      bad_facet_value(clause, value, f.name, "The field holds booleans: use true or false.");
    }
    case FieldType::Date:
    case FieldType::DateTime: {
      DateValue d;
      std::string err;
      if (!parse_date(value, d, err))
        bad("Use a year, a month or a day: 2020, 2020/05 or 2020/05/03.");
      if (d.precision == 4) {
        Expr e{col, f.type == FieldType::Date ? Type::Date : Type::DateTime, false, {}};
        std::string ts = d.has_offset ? params.add(ParamType::Timestamptz, d.timestamp_text())
                                      : "(" + params.add(ParamType::Text, d.timestamp_text()) +
                                            "::timestamp AT TIME ZONE " + params.tz() + ")";
        return "(" + Translator::as_timestamptz(params, e) + " = " + ts + ")";
      }
      const char* step = d.precision == 1 ? "1 year" : d.precision == 2 ? "1 month" : "1 day";
      const std::string start = params.add(ParamType::Date, d.date_text());
      const std::string span = params.add(ParamType::Interval, step);
      if (f.type == FieldType::Date) {
        return "(" + col + " >= " + start + " AND " + col + " < (" + start + " + " + span +
               ")::date)";
      }
      return "(" + col + " >= (" + start + "::timestamp AT TIME ZONE " + params.tz() + ") AND " +
             col + " < ((" + start + " + " + span + ") AT TIME ZONE " + params.tz() + "))";
    }
    case FieldType::GeoPoint:
    case FieldType::GeoShape:
      request_error(sqlstate::kInvalidParameterValue,
                    std::string(clause) + " is not supported on geo field \"" + f.name + "\"");
  }
  bad_facet_value(clause, value, f.name, "");
}

std::string build_filter(const Schema& schema, Params& params, const Request& req) {
  std::vector<std::string> parts;
  const Source wsrc{req.where_parameter, req.where};
  if (NodePtr where = parse_where(wsrc)) {
    Translator t(schema, params, wsrc, Clause::Where);
    parts.push_back(t.condition(*where));
  }
  if (req.refine.size() + req.exclude.size() > kMaxFacetItems) {
    request_error(sqlstate::kProgramLimitExceeded, "too many refine and exclude items",
                  "At most " + std::to_string(kMaxFacetItems) + " are allowed.");
  }
  // Refines on the same field are alternatives (OR); different fields and
  // all excludes narrow the result (AND).
  std::map<std::string, std::string> by_field;
  std::vector<std::string> order;
  for (const std::string& item : req.refine) {
    std::string field;
    const std::string c = facet_condition(schema, params, item, "refine", &field);
    auto it = by_field.find(field);
    if (it == by_field.end()) {
      by_field.emplace(field, c);
      order.push_back(field);
    } else {
      it->second += " OR " + c;
    }
  }
  for (const std::string& f : order) parts.push_back("(" + by_field[f] + ")");
  for (const std::string& item : req.exclude) {
    // IS NOT TRUE keeps records whose field is null: they are not "in" the
    // excluded value.
    parts.push_back("(" + facet_condition(schema, params, item, "exclude") + " IS NOT TRUE)");
  }
  std::string sql;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) sql += " AND ";
    sql += parts[i];
  }
  return sql;
}

// A datetime as ISO 8601 text in the request's time zone, as PostgreSQL
// writes it in JSON (and so as the dataset's view gives it through
// PostgREST, issue #24): the fraction of a second when there is one,
// without its trailing zeros (.123456, .5), then the offset: +HH:MM, or
// +HH:MM:SS when the zone's offset has seconds (local mean times before
// 1911, Europe/Paris +00:09:21).
std::string output_sql(Type type, const std::string& c) {
  if (type == Type::Geo)
    return "ST_AsGeoJSON(" + c + ", " + std::to_string(kGeoJsonDecimals) + ")::json";
  if (type != Type::DateTime) return c;
  const std::string local = "(" + c + " AT TIME ZONE " + Params::numbered_tz() + ")";
  const std::string utc = "(" + c + " AT TIME ZONE 'UTC')";
  return "(to_char(" + local + ", 'YYYY-MM-DD\"T\"HH24:MI:SS') || rtrim(rtrim(to_char(" + local +
         ", '.US'), '0'), '.') || CASE WHEN " + local +
         " >= " + utc +
         " THEN '+' ELSE '-' END || regexp_replace(to_char(make_interval(secs => abs(extract(epoch FROM " +
         local + " - " + utc + "))::float8), 'HH24:MI:SS'), ':00$', ''))";
}

}  // namespace opendata::odsql
