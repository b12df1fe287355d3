#include "core/ingest/feature_json.hpp"

#include <charconv>
#include <new>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/ingest/ewkb.hpp"

namespace opendata::ingest {

namespace {

using simdjson::dom::element_type;

bool is_number(JsonValue v) {
  const element_type t = v.type();
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

double number_of(JsonValue v) {
  switch (v.type()) {
    case element_type::INT64: return static_cast<double>(int64_t(v));
    case element_type::UINT64: return static_cast<double>(uint64_t(v));
    default: return double(v);
  }
}

std::string_view string_of(JsonValue v) { return std::string_view(v); }

// ---- checking ------------------------------------------------------------------

class GeometryCheck {
 public:
  explicit GeometryCheck(std::string& err) : err_(err) {}

  bool check(JsonValue g, GeomKind& kind, int depth) {
    if (depth > kMaxGeometryDepth) return fail("geometry collections nested too deeply");
    if (!g.is_object()) return fail("geometry is not an object");
    auto t = member(g, "type");
    if (!t || !t->is_string()) return fail("geometry has no \"type\"");
    kind = geom_kind_from_name(string_of(*t));
    if (kind == GeomKind::Unknown) return fail("unknown geometry type \"" + std::string(string_of(*t)) + "\"");
    if (kind == GeomKind::GeometryCollection) {
      auto gs = member(g, "geometries");
      if (!gs || !gs->is_array()) return fail("GeometryCollection has no \"geometries\" array");
      for (JsonValue m : gs->get_array()) {
        GeomKind mk;
        if (!check(m, mk, depth + 1)) return false;
      }
      return true;
    }
    auto c = member(g, "coordinates");
    if (!c || !c->is_array()) return fail("geometry has no \"coordinates\" array");
    simdjson::dom::array a = c->get_array();
    switch (kind) {
      case GeomKind::Point: return a.size() == 0 || position(*c);
      case GeomKind::MultiPoint: return positions(*c, 0, false);
      case GeomKind::LineString: return positions(*c, 2, false);
      case GeomKind::Polygon: return rings(*c, 4, true);
      case GeomKind::MultiLineString: return rings(*c, 2, false);
      case GeomKind::MultiPolygon:
        for (JsonValue poly : a) {
          if (!poly.is_array()) return fail("bad polygon");
          if (!rings(poly, 4, true)) return false;
        }
        return true;
      default: return false;
    }
  }

  bool all_z = true;
  bool any_position = false;

 private:
  bool fail(std::string m) {
    err_ = std::move(m);
    return false;
  }
  bool position(JsonValue p) {
    ticker_.tick();
    if (!p.is_array() || p.get_array().size() < 2) return fail("a position needs at least two numbers");
    size_t n = 0;
    for (JsonValue v : p.get_array()) {
      if (!is_number(v)) return fail("a coordinate is not a number");
      ++n;  // simdjson refuses numbers out of range: all are finite
    }
    any_position = true;
    if (n < 3) all_z = false;
    return true;
  }
  bool positions(JsonValue list, size_t min, bool closed) {
    if (!list.is_array()) return fail("expected an array of positions");
    simdjson::dom::array a = list.get_array();
    size_t n = 0;
    JsonValue first, last;
    for (JsonValue p : a) {
      if (!position(p)) return false;
      if (n++ == 0) first = p;
      last = p;
    }
    if (n != 0 && n < min)
      return fail("a " + std::string(min == 4 ? "polygon ring" : "line") + " needs at least " +
                  std::to_string(min) + " positions");
    if (closed && n != 0 &&
        (number_of(first.at(0)) != number_of(last.at(0)) || number_of(first.at(1)) != number_of(last.at(1))))
      return fail("a polygon ring is not closed");
    return true;
  }
  bool rings(JsonValue list, size_t min, bool closed) {
    if (!list.is_array()) return fail("expected an array of rings");
    for (JsonValue r : list.get_array())
      if (!positions(r, min, closed)) return false;
    return true;
  }

  std::string& err_;
  InterruptTicker ticker_;
};

// ---- writing (on checked geometries) -----------------------------------------------

class EwkbEmitter {
 public:
  EwkbEmitter(std::string& out, bool z) : w_(out), z_(z) {}

  void geometry(JsonValue g, int srid) {
    const GeomKind kind = geom_kind_from_name(string_of(*member(g, "type")));
    w_.header(kind, z_, srid);
    if (kind == GeomKind::GeometryCollection) {
      simdjson::dom::array gs = member(g, "geometries")->get_array();
      w_.count(gs.size());
      for (JsonValue m : gs) geometry(m, 0);
      return;
    }
    JsonValue c = *member(g, "coordinates");
    simdjson::dom::array a = c.get_array();
    switch (kind) {
      case GeomKind::Point:
        if (a.size() == 0) w_.empty_point(z_);
        else position(c);
        break;
      case GeomKind::MultiPoint: members(a, GeomKind::Point, [this](JsonValue p) { position(p); }); break;
      case GeomKind::LineString: positions(c); break;
      case GeomKind::Polygon: rings(c); break;
      case GeomKind::MultiLineString:
        members(a, GeomKind::LineString, [this](JsonValue line) { positions(line); });
        break;
      case GeomKind::MultiPolygon: members(a, GeomKind::Polygon, [this](JsonValue poly) { rings(poly); }); break;
      default: break;
    }
  }

 private:
  void position(JsonValue p) {
    simdjson::dom::array a = p.get_array();
    auto it = a.begin();
    w_.number(number_of(*it));
    ++it;
    w_.number(number_of(*it));
    if (z_) {
      ++it;
      w_.number(number_of(*it));
    }
  }
  // A multi-geometry's members, each a geometry with its own header.
  template <typename Write>
  void members(simdjson::dom::array a, GeomKind kind, Write write) {
    w_.count(a.size());
    for (JsonValue m : a) {
      w_.header(kind, z_);
      write(m);
    }
  }
  void positions(JsonValue list) {
    simdjson::dom::array a = list.get_array();
    w_.count(a.size());
    for (JsonValue p : a) position(p);
  }
  void rings(JsonValue list) {
    simdjson::dom::array a = list.get_array();
    w_.count(a.size());
    for (JsonValue r : a) positions(r);
  }

  EwkbWriter w_;
  bool z_;
};

// Canonical WKT of a checked geometry (GeoJSON text columns): integers
// as written, other numbers in their shortest round-trip form.
class WktEmitter {
 public:
  WktEmitter(std::string& out, bool z) : out_(out), z_(z) {}

  void geometry(JsonValue g) {
    const GeomKind kind = geom_kind_from_name(string_of(*member(g, "type")));
    out_ += geom_kind_wkt_name(kind);
    if (z_) out_ += " Z ";
    if (kind == GeomKind::GeometryCollection) {
      JsonValue gs = *member(g, "geometries");
      if (gs.get_array().size() == 0) out_ += " EMPTY";
      else joined(gs, [this](JsonValue m) { geometry(m); });
      return;
    }
    JsonValue c = *member(g, "coordinates");
    if (c.get_array().size() == 0) {
      out_ += " EMPTY";
      return;
    }
    switch (kind) {
      case GeomKind::Point:
        out_ += '(';
        position(c);
        out_ += ')';
        break;
      case GeomKind::MultiPoint:
      case GeomKind::LineString: list(c); break;
      case GeomKind::Polygon:
      case GeomKind::MultiLineString: lists(c); break;
      case GeomKind::MultiPolygon:
        joined(c, [this](JsonValue poly) {
          if (poly.get_array().size() == 0) out_ += "EMPTY";
          else lists(poly);
        });
        break;
      default: break;
    }
  }

 private:
  void number(JsonValue v) {
    char buf[32];
    switch (v.type()) {
      case element_type::INT64: out_.append(buf, std::to_chars(buf, buf + sizeof buf, int64_t(v)).ptr); break;
      case element_type::UINT64: out_.append(buf, std::to_chars(buf, buf + sizeof buf, uint64_t(v)).ptr); break;
      default: append_double(out_, double(v));
    }
  }
  void position(JsonValue p) {
    simdjson::dom::array a = p.get_array();
    auto it = a.begin();
    number(*it);
    out_ += ' ';
    number(*++it);
    if (z_) {
      out_ += ' ';
      number(*++it);
    }
  }
  // "(a,b,...)": an array's elements, each written by `write`.
  template <typename Write>
  void joined(JsonValue array, Write write) {
    char sep = '(';
    for (JsonValue e : array.get_array()) {
      out_ += sep;
      sep = ',';
      write(e);
    }
    out_ += ')';
  }
  void list(JsonValue l) { joined(l, [this](JsonValue p) { position(p); }); }
  void lists(JsonValue l) { joined(l, [this](JsonValue r) { list(r); }); }

  std::string& out_;
  bool z_;
};

}  // namespace

FeatureParser::FeatureParser(std::size_t max_depth) {
  // The buffers grow to the largest text parsed, at this depth.
  if (parser_.allocate(4096, max_depth) != simdjson::SUCCESS) throw std::bad_alloc();
}

std::optional<JsonValue> FeatureParser::read(std::string_view text, bool padded) {
  JsonValue v;
  if (parser_.parse(text.data(), text.size(), !padded).get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

JsonValue FeatureParser::parse(std::string_view text, std::uint64_t number, bool padded) {
  std::optional<JsonValue> v = read(text, padded);
  if (!v)
    throw UserError(sqlstate::kBadCopyFileFormat, "invalid GeoJSON",
                    "Feature " + std::to_string(number) + " is not valid JSON.");
  return *v;
}

std::optional<JsonValue> member(JsonValue object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  std::optional<JsonValue> found;
  for (auto field : object.get_object())
    if (field.key == key) found = field.value;
  return found;
}

bool is_feature(JsonValue v) {
  auto t = member(v, "type");
  return t && t->is_string() && string_of(*t) == "Feature";
}

JsonKind kind_of(JsonValue v, std::string& text) {
  text.clear();
  char buf[32];
  switch (v.type()) {
    case element_type::STRING: text = string_of(v); return JsonKind::String;
    case element_type::INT64:
      text.assign(buf, std::to_chars(buf, buf + sizeof buf, int64_t(v)).ptr);
      return JsonKind::Number;
    case element_type::UINT64:
      text.assign(buf, std::to_chars(buf, buf + sizeof buf, uint64_t(v)).ptr);
      return JsonKind::Number;
    case element_type::DOUBLE: append_double(text, double(v)); return JsonKind::Number;
    case element_type::BOOL: text = bool(v) ? "true" : "false"; return JsonKind::Bool;
    case element_type::NULL_VALUE: return JsonKind::Null;
    default: text = dump(v); return JsonKind::Nested;
  }
}

std::string dump(JsonValue v) {
  // Rare (nested properties, rejected geometries): simdjson's compact text,
  // read back by nlohmann, which merges duplicate keys and writes numbers
  // as the previous importer did.
  return nlohmann::ordered_json::parse(simdjson::minify(v)).dump();
}

bool check_geojson(JsonValue g, GeomInfo& info, std::string& err) {
  GeometryCheck check(err);
  GeomKind kind = GeomKind::Unknown;
  if (!check.check(g, kind, 0)) return false;
  info.kind = kind;
  info.z = check.any_position && check.all_z;
  info.empty = !check.any_position;
  return true;
}

void geojson_to_ewkb(JsonValue g, int srid, bool z, std::string& out) {
  EwkbEmitter(out, z).geometry(g, srid);
}

}  // namespace opendata::ingest

namespace opendata::ingest {

void geojson_to_wkt(JsonValue g, bool z, std::string& out) { WktEmitter(out, z).geometry(g); }

// Declared with the other text-to-EWKT conversions (geometry.hpp); written
// here, where GeoJSON is parsed.  A parser per call: one kept for the
// backend's life would keep the capacity of the largest value it read.
bool geojson_text_to_ewkt(std::string_view text, int srid, bool keep_z, std::string& out,
                          GeomInfo& info, std::string& err) {
  FeatureParser parser;
  std::optional<JsonValue> g = parser.read(text);
  if (!g) {
    err = "not valid JSON";
    return false;
  }
  if (!check_geojson(*g, info, err)) return false;
  info.srid = srid;
  out += "SRID=";
  out += std::to_string(srid);
  out += ';';
  geojson_to_wkt(*g, keep_z && info.z, out);
  return true;
}

}  // namespace opendata::ingest
