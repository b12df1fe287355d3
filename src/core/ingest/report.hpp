// What sniffing a file found out: dialect, columns with their types and
// statistics, ragged rows.  The report is also the import plan: the
// normalisers take it as input, so a caller may adjust it (or pass column
// overrides in the options) between sniffing and importing.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/ingest/encoding.hpp"
#include "core/ingest/geometry.hpp"
#include "core/ingest/types.hpp"

namespace opendata::ingest {

struct Dialect {
  Encoding encoding = Encoding::Utf8;
  int bom_count = 0;
  char delimiter = ',';
  char quote = '"';   // '\0': none
  char escape = '"';  // == quote: doubled; '\\': backslash
  bool header = true;
  std::string line_ending = "lf";  // lf, crlf, cr, mixed, none
  bool detected = true;            // false when fully given by options
};

struct RaggedRow {
  uint64_t row = 0;     // record number, header = 1
  uint64_t line = 0;    // physical line where the record starts
  size_t fields = 0;    // fields found
  size_t expected = 0;  // columns in the table
};

struct ColumnProfile {
  // Identity.
  std::string name;   // safe identifier used in the table
  std::string label;  // original header text
  int source_index = -1;  // CSV field index / GeoJSON property index; -1: synthesised
  std::string source_key; // GeoJSON property key
  bool feature_id = false; // GeoJSON: the Feature's "id" member

  // Type plan: what the normaliser converts to.
  ColumnType type = ColumnType::Text;
  std::string pg_type = "text";  // e.g. "numeric", "geometry(Point,4326)"
  std::string reason;
  bool forced = false;                   // type came from the options
  char decimal = '.';                    // numeric: decimal mark in the source
  DateOrder date_order = DateOrder::Iso; // date/timestamp: source layout
  GeomSource geom_source = GeomSource::None;
  GeomKind geom_kind = GeomKind::Unknown;  // Unknown: mixed -> "Geometry"
  int srid = 4326;
  bool geom_z = false;          // emit Z (every value had one)
  int lat_index = -1;           // LatLonPair: source fields
  int lon_index = -1;

  // Statistics over the whole file.
  uint64_t non_null_count = 0;
  uint64_t null_count = 0;
  uint64_t distinct_count = 0;
  bool distinct_exact = true;  // false: HyperLogLog estimate (about 2% error)
  std::string min;             // in the column type's text form; empty if n/a
  std::string max;
  std::vector<std::string> examples;  // up to 5 distinct values, as found
};

struct SniffReport {
  std::string format = "csv";  // "csv" or "geojson"
  Dialect dialect;
  std::vector<ColumnProfile> columns;
  uint64_t row_count = 0;        // data rows (records after the header)
  uint64_t ragged_count = 0;     // rows whose field count differs
  std::vector<RaggedRow> ragged_rows;  // the first 100 of them
  std::string geometry_column;   // primary geometry column name, "" if none
  std::vector<std::string> warnings;
};

// The SQL type of a column: "integer", "geometry(Point,4326)", ...
std::string pg_type_of(const ColumnProfile& c);

nlohmann::json to_json(const SniffReport& r);

}  // namespace opendata::ingest
