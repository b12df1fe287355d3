#include "core/odsql/result_shape.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/odsql/query.hpp"
#include "core/odsql/schema.hpp"

namespace opendata::odsql {
namespace {

std::string trim(const std::string& s) {
  const std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::vector<std::string> items(const std::string& text, const char* parameter) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (true) {
    const std::size_t comma = text.find(',', from);
    std::string item = trim(text.substr(from, comma == std::string::npos ? std::string::npos
                                                                          : comma - from));
    if (item.empty())
      throw UserError(sqlstate::kInvalidParameterValue, std::string("empty item in ") + parameter, "",
                      "The items of " + std::string(parameter) + " are separated by commas.");
    out.push_back(item);
    if (comma == std::string::npos) return out;
    from = comma + 1;
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return s;
}

std::string column(const std::string& name, const char* parameter,
                   const std::vector<std::string>& columns) {
  if (std::find(columns.begin(), columns.end(), name) == columns.end()) {
    std::string known;
    for (const std::string& c : columns) known += (known.empty() ? "" : ", ") + c;
    throw UserError(sqlstate::kInvalidParameterValue,
                    std::string(parameter) + " names \"" + name + "\", which is not a column of the result",
                    "", "The columns are: " + known + ".");
  }
  return "c." + quote_ident(name);
}

// A selected column: geometries in records()' GeoJSON form, under their name.
std::string output(const std::string& name, const std::string& ref,
                   const std::vector<std::string>& geometry_columns) {
  if (std::find(geometry_columns.begin(), geometry_columns.end(), name) == geometry_columns.end())
    return ref;
  return output_sql(Type::Geo, ref) + " AS " + quote_ident(name);
}

}  // namespace

ResultShape result_shape(const std::string& fields, const std::string& order_by,
                         const std::vector<std::string>& columns,
                         const std::vector<std::string>& geometry_columns) {
  ResultShape shape;
  if (trim(fields).empty() && geometry_columns.empty()) {
    shape.select = "c.*";
  } else {
    const std::vector<std::string> names = trim(fields).empty() ? columns : items(fields, "fields");
    for (const std::string& name : names)
      shape.select += (shape.select.empty() ? "" : ", ") +
                      output(name, column(name, "fields", columns), geometry_columns);
  }
  if (trim(order_by).empty()) return shape;
  for (const std::string& item : items(order_by, "order_by")) {
    std::string name = item, direction = " ASC";
    const std::size_t space = item.find_last_of(" \t");
    if (space != std::string::npos) {
      const std::string word = lower(item.substr(space + 1));
      if (word != "asc" && word != "desc")
        throw UserError(sqlstate::kInvalidParameterValue, "order_by item \"" + item + "\" is not \"name [asc|desc]\"");
      name = trim(item.substr(0, space));
      direction = word == "desc" ? " DESC" : " ASC";
    }
    // Nulls last both ways, as records() sorts them.
    shape.order_by += (shape.order_by.empty() ? "" : ", ") + column(name, "order_by", columns) +
                      direction + " NULLS LAST";
  }
  return shape;
}

}  // namespace opendata::odsql
