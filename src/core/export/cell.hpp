// The value model shared by every export writer.
//
// A Cell is a small, trivially copyable view: text, JSON and WKB bytes are
// string_views into memory the caller owns (SPI tuple output, detoasted
// bytea, ...) and must stay valid until add_row() returns.  Building a row
// therefore allocates nothing; the caller can keep one std::vector<Cell>
// and overwrite it for every row.
//
// Suggested mapping from PostgreSQL types (the PostgreSQL layer decides):
//   int2, int4, int8, oid              Cell::integer(v)
//   float8                             Cell::number(v) (or number_text of its output)
//   float4, numeric                    Cell::number_text(output text): keeps the digits
//                                      the user sees (0.1::float4 is not 0.1 as a double)
//   bool                               Cell::boolean(v)
//   text, varchar, bpchar, uuid, enum  Cell::text_value(output text)
//   json, jsonb                        Cell::json(output text)
//   date                               Cell::date(ISO text, DateStyle ISO)
//   timestamp(tz), time(tz)            Cell::datetime(ISO 8601 text)
//   geometry, geography                Cell::geometry(ST_AsBinary / ST_AsEWKB bytes)
//   arrays                             Cell::array(items, n), items mapped as above
//   anything else                      Cell::text_value(output text)
// Text must be UTF-8 (convert from the server encoding first if needed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace opendata::exporter {

enum class CellKind : std::uint8_t {
  Null,
  Text,     // any text; escaped per format
  Integer,  // int64, or text in PostgreSQL output form ("42")
  Number,   // double, or text in PostgreSQL output form ("1.5", "NaN", "-Infinity")
  Boolean,
  Json,      // raw JSON text from json/jsonb output, inserted as is
  Date,      // ISO 8601 text ("2024-01-31"), written as a string
  DateTime,  // ISO 8601 text, written as a string
  Geometry,  // WKB or EWKB bytes, either byte order
  Array,     // a list of cells (text[], int[], ...): JSON array, joined in CSV
};

struct Cell {
  CellKind kind = CellKind::Null;
  // For Integer and Number: true when the value is in `text`, not in the union.
  bool is_text = false;
  union {
    std::int64_t i;
    double d;
    bool b;
    std::size_t count;  // Array: number of items
  } v{};
  std::string_view text;        // Text, Json, Date, DateTime, Geometry (bytes), numeric text
  const Cell* items = nullptr;  // Array items (any kind; Null items allowed)

  static Cell null() { return Cell{}; }
  static Cell text_value(std::string_view s) { return make(CellKind::Text, s); }
  static Cell integer(std::int64_t x) {
    Cell c;
    c.kind = CellKind::Integer;
    c.v.i = x;
    return c;
  }
  static Cell integer_text(std::string_view s) { return numeric_text(CellKind::Integer, s); }
  static Cell number(double x) {
    Cell c;
    c.kind = CellKind::Number;
    c.v.d = x;
    return c;
  }
  static Cell number_text(std::string_view s) { return numeric_text(CellKind::Number, s); }
  static Cell boolean(bool x) {
    Cell c;
    c.kind = CellKind::Boolean;
    c.v.b = x;
    return c;
  }
  static Cell json(std::string_view s) { return make(CellKind::Json, s); }
  static Cell date(std::string_view s) { return make(CellKind::Date, s); }
  static Cell datetime(std::string_view s) { return make(CellKind::DateTime, s); }
  static Cell geometry(std::string_view wkb) { return make(CellKind::Geometry, wkb); }
  static Cell array(const Cell* first, std::size_t n) {
    Cell c;
    c.kind = CellKind::Array;
    c.items = first;
    c.v.count = n;
    return c;
  }

 private:
  static Cell make(CellKind k, std::string_view s) {
    Cell c;
    c.kind = k;
    c.text = s;
    return c;
  }
  static Cell numeric_text(CellKind k, std::string_view s) {
    Cell c = make(k, s);
    c.is_text = true;
    return c;
  }
};

// A result column.  `kind` is the kind its non-null cells have; writers use
// it to find the geometry column and to validate id_field, and cells still
// carry their own kind (a Null cell may appear in any column).
struct Column {
  std::string name;   // field name: JSON keys, CSV header (header=name)
  std::string label;  // human label: CSV header (header=label); empty -> name
  CellKind kind = CellKind::Text;
};

}  // namespace opendata::exporter
