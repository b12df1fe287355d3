// Steps shared by the CSV and GeoJSON sniffers once values are classified:
// naming columns, applying the "columns" and "geometry" options, finding
// latitude/longitude column pairs and the primary geometry column.
#pragma once

#include <string>
#include <vector>

#include "core/ingest/options.hpp"
#include "core/ingest/report.hpp"

namespace opendata::ingest {

// Matches each option in o.columns against the labels (exact header text)
// or the generated names; forced names replace generated ones.  Returns one
// entry per column (nullptr: no override) and fills `names`.  Throws
// UserError 22023 for an option naming no column or a duplicate name.
std::vector<const ColumnOverride*> resolve_columns(const std::vector<std::string>& labels,
                                                   const CsvOptions& o,
                                                   std::vector<std::string>& names);

// Index of the column whose label or name is `key`, or -1.
int find_column(const std::vector<std::string>& labels, const std::vector<std::string>& names,
                const std::string& key);

// Index of the column named by o.geometry (latlon/geojson/wkt), -1 if none;
// throws 22023 if the named column does not exist.
int forced_geometry_column(const std::vector<std::string>& labels,
                           const std::vector<std::string>& names, const CsvOptions& o);

// After all columns are finished: applies a forced geometry source, detects
// or builds a lat/lon pair column, and picks report.geometry_column.
void finish_geometry(SniffReport& r, const CsvOptions& o);

}  // namespace opendata::ingest
