// Column types the importer can produce, and how they are spelt in SQL.
#pragma once

#include <string>
#include <string_view>

namespace opendata::ingest {

enum class ColumnType {
  Text,
  Boolean,
  Integer,      // int4
  Bigint,       // int8
  Numeric,
  Date,
  Timestamp,    // without time zone: values carried no offset
  Timestamptz,  // at least one value carried an offset or Z
  Jsonb,        // GeoJSON nested properties
  Geometry,
};

// Lower-case SQL name without typmod: "integer", "timestamptz", "geometry".
const char* column_type_name(ColumnType t);
// Accepts the names above plus common aliases (int, int4, int8, float,
// double precision, bool, varchar, ...).  False if unknown.
bool parse_column_type(std::string_view s, ColumnType& out);

// How day/month/year are laid out in the source's date values.
enum class DateOrder {
  Iso,      // yyyy-mm-dd (and yyyy/mm/dd)
  Dmy,      // dd/mm/yyyy, the French and European default
  Mdy,      // mm/dd/yyyy, chosen only when day > 12 proves it or forced
  Compact,  // yyyymmdd, only with a date-like column name or when forced
};

// Where a geometry column's value comes from.
enum class GeomSource {
  None,
  LatLonText,  // one "lat,lon" text field (Opendatasoft geo_point_2d)
  GeoJsonText, // a GeoJSON geometry object as text
  WktText,     // WKT or EWKT text
  LatLonPair,  // two numeric columns, synthesised into a new column
  Feature,     // a GeoJSON Feature's geometry member
};

}  // namespace opendata::ingest
