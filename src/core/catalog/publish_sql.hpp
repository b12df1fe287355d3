// The two statements of publishing (src/sql/33_publish.sql) whose text
// depends on a dataset's fields: the select list of its API view, and the
// statement that reads every row's key and fingerprint for the diff between
// two publications.  Written here rather than by PL/pgSQL string
// formatting, by the same quoting as the ODSQL compiler's; src/pg/
// publish_sql.cpp makes them SQL-callable.  Names are quoted always,
// which changes nothing of what PostgreSQL parses.
#pragma once

#include <string>
#include <vector>

namespace opendata::catalog {

// The select list of a dataset's API view: `fields` (its visible fields,
// in order) under their names; those in `reprojected` (geometries in an
// SRID other than 4326) through PostGIS's st_transform, qualified with
// `postgis_schema` since the view is created by a definer whose
// search_path does not have PostGIS.
std::string api_view_select_list(const std::vector<std::string>& fields,
                                 const std::vector<std::string>& reprojected,
                                 const std::string& postgis_schema);

// SELECT key, hash FROM relation: the key is the key fields as text (NULL
// written '∅') joined by chr(31), the hash the sha224 of the row's text in
// UTF-8.  `relation` is a trusted qualified name.
std::string row_fingerprints_sql(const std::vector<std::string>& key_fields,
                                 const std::string& relation);

}  // namespace opendata::catalog
