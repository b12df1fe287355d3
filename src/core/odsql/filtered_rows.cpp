// A dataset's filtered rows (see filtered_rows.hpp).
#include "core/odsql/filtered_rows.hpp"

#include "core/odsql/query.hpp"

namespace opendata::odsql {

std::string compile_condition(const std::vector<FieldInfo>& fields, const Request& req,
                              Params& params) {
  start_request(req, params);
  const Schema schema(fields);  // holds a reference to fields
  return build_filter(schema, params, req);
}

FilteredRows compile_filtered_rows(const std::vector<FieldInfo>& fields, const Request& req,
                                   Params& params) {
  const std::string condition = compile_condition(fields, req, params);
  FilteredRows out;
  std::string columns;
  for (const FieldInfo& f : fields) {
    const std::string column = quote_ident(f.name);
    const Type type = expr_type(f.type);
    columns += (columns.empty() ? "" : ", ") +
               (type == Type::DateTime ? output_sql(type, column) + " AS " + column : column);
    out.columns.push_back(f.name);
  }
  out.sql = "SELECT " + (columns.empty() ? std::string("NULL") : columns) + " FROM " +
            req.relation + (condition.empty() ? "" : " WHERE " + condition);
  return out;
}

}  // namespace opendata::odsql
