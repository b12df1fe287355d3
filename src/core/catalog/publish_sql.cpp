// The statements of publishing that depend on a dataset's fields (see
// publish_sql.hpp).
#include "core/catalog/publish_sql.hpp"

#include <algorithm>

#include "core/odsql/schema.hpp"

namespace opendata::catalog {

using odsql::quote_ident;

std::string api_view_select_list(const std::vector<std::string>& fields,
                                 const std::vector<std::string>& reprojected,
                                 const std::string& postgis_schema) {
  std::string out;
  for (const std::string& field : fields) {
    if (!out.empty()) out += ", ";
    const std::string name = quote_ident(field);
    if (std::find(reprojected.begin(), reprojected.end(), field) != reprojected.end()) {
      out += quote_ident(postgis_schema) + ".st_transform(" + name + ", 4326) AS " + name;
    } else {
      out += name;
    }
  }
  return out;
}

std::string row_fingerprints_sql(const std::vector<std::string>& key_fields,
                                 const std::string& relation) {
  std::string key;
  for (const std::string& field : key_fields) {
    if (!key.empty()) key += " || chr(31) || ";
    key += "coalesce(" + quote_ident(field) + "::text, '\u2205')";
  }
  return "SELECT " + key + ", pg_catalog.sha224(pg_catalog.convert_to(t::text, 'UTF8')) FROM " +
         relation + " t";
}

}  // namespace opendata::catalog
