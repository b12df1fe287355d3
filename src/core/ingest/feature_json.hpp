// One GeoJSON Feature parsed with simdjson, and what the importer reads
// from it: members, property values as the type rules see them, and the
// geometry checked and written as hex EWKB (ewkb.hpp).
//
// A feature is a small document parsed on its own (geojson.hpp's cursor
// finds it in the validated file), into simdjson's DOM rather than through
// its on-demand API: GeoJSON lets "type" follow "coordinates", properties
// are needed in the plan's column order, and the DOM of one feature costs
// no more than the text it was parsed from.  The readings are those of the
// nlohmann-based importer they replace: the last of duplicate keys wins,
// numbers are written in the same canonical text, nested values are
// serialised as nlohmann serialises them, and geometries fail with the
// same reasons (geometry.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/ingest/geometry.hpp"
#include "core/ingest/type_infer.hpp"

namespace opendata::ingest {

using JsonValue = simdjson::dom::element;

class FeatureParser {
 public:
  FeatureParser() = default;
  // Refusing values nested deeper than `max_depth` (simdjson's default:
  // 1024).
  explicit FeatureParser(std::size_t max_depth);

  // Parses one feature's text (from a document validated whole); throws
  // UserError 22P04 naming feature `number` if simdjson refuses it.
  // `padded`: the text is followed by simdjson::SIMDJSON_PADDING readable
  // bytes (the rest of the document), which simdjson may read, so it need
  // not copy the text into a padded buffer first.
  JsonValue parse(std::string_view text, std::uint64_t number, bool padded = false);
  // The same for any JSON text; nullopt if it is not valid JSON.  The value
  // lives until the next call.
  std::optional<JsonValue> read(std::string_view text, bool padded = false);

 private:
  simdjson::dom::parser parser_;
};

// The value of `key` in `object` (the last one, as nlohmann keeps), or
// nullopt when `object` is not an object or has no such member.
std::optional<JsonValue> member(JsonValue object, std::string_view key);

// Whether `v` is an object whose "type" is "Feature".
bool is_feature(JsonValue v);

// A value's kind and text as the type rules see them (JSON strings
// unescaped, numbers in canonical form, nested values serialised).
JsonKind kind_of(JsonValue v, std::string& text);

// `v` serialised as nlohmann's dump() writes it (compact, duplicate keys
// merged): the text of jsonb columns and of rejected values.
std::string dump(JsonValue v);

// Checks a GeoJSON geometry object; fills `info` (kind, z when every
// position has a third coordinate, empty) or returns false with the reason
// in `err`.
bool check_geojson(JsonValue g, GeomInfo& info, std::string& err);

// Appends the hex EWKB of a geometry check_geojson accepted, with `srid`
// and, when `z`, the third coordinates.
void geojson_to_ewkb(JsonValue g, int srid, bool z, std::string& out);
// Appends the canonical WKT body (no SRID) of a geometry check_geojson
// accepted (geometry.hpp's geojson_text_to_ewkt).
void geojson_to_wkt(JsonValue g, bool z, std::string& out);

}  // namespace opendata::ingest
