#include "core/ingest/geojson.hpp"

#include <optional>
#include <stdexcept>
#include <unordered_map>

#include <simdjson.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/ingest/feature_json.hpp"
#include "core/ingest/geometry.hpp"
#include "core/ingest/names.hpp"
#include "core/ingest/plan.hpp"
#include "core/ingest/type_infer.hpp"

namespace opendata::ingest {

namespace {

constexpr size_t kMaxDepth = 512;
constexpr uint64_t kInterruptEvery = 1024;

// ---- structural scan ---------------------------------------------------------------
// Bounded on any text; exact on valid JSON.

size_t skip_ws(std::string_view s, size_t p) {
  while (p < s.size() && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')) ++p;
  return p;
}

size_t skip_string(std::string_view s, size_t p) {  // s[p] == '"'
  for (++p; p < s.size(); ++p) {
    if (s[p] == '\\') ++p;
    else if (s[p] == '"') return p + 1;
  }
  return s.size();
}

size_t skip_value(std::string_view s, size_t p) {
  p = skip_ws(s, p);
  if (p >= s.size()) return p;
  if (s[p] == '"') return skip_string(s, p);
  if (s[p] == '{' || s[p] == '[') {
    size_t depth = 0;
    while (p < s.size()) {
      char c = s[p];
      if (c == '"') {
        p = skip_string(s, p);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      else if ((c == '}' || c == ']') && --depth == 0) return p + 1;
      ++p;
    }
    return p;
  }
  while (p < s.size() && s[p] != ',' && s[p] != '}' && s[p] != ']' && s[p] != ' ' &&
         s[p] != '\n' && s[p] != '\r' && s[p] != '\t')
    ++p;
  return p;
}

// ---- validation ------------------------------------------------------------------

// A SAX consumer that builds nothing: validates in constant memory and
// records where the first error is.
class Validator : public nlohmann::json_sax<nlohmann::json> {
 public:
  // Every value counts: a flat array of a million numbers is one container.
  bool null() override { return tick(); }
  bool boolean(bool) override { return tick(); }
  bool number_integer(number_integer_t) override { return tick(); }
  bool number_unsigned(number_unsigned_t) override { return tick(); }
  bool number_float(number_float_t, const string_t&) override { return tick(); }
  bool string(string_t& s) override { return ticker_.tick(1 + s.size() / 64), true; }
  bool binary(binary_t&) override { return tick(); }
  bool start_object(std::size_t) override { return push(); }
  bool key(string_t&) override { return tick(); }
  bool end_object() override { return --depth_, true; }
  bool start_array(std::size_t) override { return push(); }
  bool end_array() override { return --depth_, true; }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& ex) override {
    position = pos;
    message = ex.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
    size_t b = message.find("] ");
    if (b != std::string::npos) message.erase(0, b + 2);
    return false;
  }
  size_t position = 0;
  std::string message;
  bool too_deep = false;

 private:
  bool push() {
    if (++depth_ > kMaxDepth) return too_deep = true, false;
    return tick();
  }
  // A cancel request surfaces as an exception, which nlohmann's parser
  // lets through cleanly.
  bool tick() {
    ticker_.tick();
    return true;
  }
  size_t depth_ = 0;
  InterruptTicker ticker_;
};

[[noreturn]] void bad_file(const std::string& msg, const std::string& detail, const std::string& hint = {}) {
  throw UserError(sqlstate::kBadCopyFileFormat, msg, detail, hint);
}

// simdjson validates a whole document at several GB/s where a SAX pass
// runs at tens of MB/s.  Its depth limit is set below the Validator's, and
// any document it refuses goes through the Validator, which decides and
// says where the error is: a document is accepted exactly when the
// Validator accepts it.
constexpr size_t kFastDepth = kMaxDepth - 12;

// Where the features are, [begin, end) of each in the text: the last
// "features" member whose value is an array, and its elements when they
// are a list of values separated by commas.  The check by parts and the
// reading passes go through this list rather than scan the text again.
struct FeatureSpans {
  size_t array_begin = 0;  // just after the array's '['; 0: no "features" array
  size_t array_end = 0;    // just after its ']'
  bool separated = false;  // `spans` holds the elements
  std::vector<std::pair<size_t, size_t>> spans;
};

// The elements of the array at s[vb] == '[' and its end, found in one walk.
// On text that is not a list of values closed by ']', no elements and the
// end skip_value() finds.  Exact on valid JSON, bounded on any text.
void array_elements(std::string_view s, size_t vb, FeatureSpans& out) {
  out.array_begin = vb + 1;
  out.spans.clear();
  size_t p = skip_ws(s, vb + 1);
  if (p < s.size() && s[p] == ']') {
    out.array_end = p + 1;
    out.separated = true;
    return;
  }
  while (p < s.size()) {
    size_t e = skip_value(s, p);
    if (e <= p || e >= s.size()) break;
    out.spans.emplace_back(p, e);
    p = skip_ws(s, e);
    if (p >= s.size()) break;
    if (s[p] == ']') {
      out.array_end = p + 1;
      out.separated = true;
      return;
    }
    if (s[p] != ',') break;
    p = skip_ws(s, p + 1);
  }
  out.spans.clear();
  out.array_end = skip_value(s, vb);
  out.separated = false;
}

// The "features" array of a document that may be any text: a bounded scan
// of the top-level members that makes no judgement of validity.
FeatureSpans features_array(std::string_view s) {
  FeatureSpans found;
  size_t p = skip_ws(s, 0);
  if (p >= s.size() || s[p] != '{') return found;
  for (++p;;) {
    p = skip_ws(s, p);
    if (p >= s.size() || s[p] != '"') return found;
    size_t kend = skip_string(s, p);
    std::string_view key = s.substr(p, kend - p);
    p = skip_ws(s, kend);
    if (p >= s.size() || s[p] != ':') return found;
    size_t vb = skip_ws(s, p + 1);
    size_t ve;
    if (key == "\"features\"" && vb < s.size() && s[vb] == '[') {
      array_elements(s, vb, found);
      ve = found.array_end;
    } else {
      ve = skip_value(s, vb);
    }
    p = skip_ws(s, ve);
    if (p >= s.size() || s[p] != ',') return found;
    ++p;
  }
}

// A document checked by parts: the document with its features array
// emptied, then each feature on its own, and the commas between them.  The
// whole is valid exactly when the parts are (a feature is a complete JSON
// value, whose end skip_value() finds exactly).  Parsed whole, a file of
// 300,000 features needs a DOM several times its size, whose first writes
// (page faults) cost more than parsing; its parts reuse one small buffer.
// Features sit two levels deep: their depth limit is two less.
constexpr size_t kFeatureDepth = kFastDepth - 2;

// simdjson reads up to SIMDJSON_PADDING bytes past a value, whatever they
// hold: for a part of the text, the text that follows serves, but at its
// very end (where the part is copied into a padded buffer).
bool followed_by_padding(std::string_view text, std::string_view part) {
  return part.data() + part.size() + simdjson::SIMDJSON_PADDING <= text.data() + text.size();
}

// Whether simdjson accepts `feature`, a part of `text`.
bool part_valid(simdjson::dom::parser& parser, std::string_view text, std::string_view feature) {
  return parser.parse(feature.data(), feature.size(), !followed_by_padding(text, feature)).error() ==
         simdjson::SUCCESS;
}

enum class FastCheck {
  Failed,    // simdjson refused the document or its skeleton: the Validator decides
  Whole,     // the document is valid (it has no features array)
  Skeleton,  // the document is valid if each of the features found is
};

// Checks all but the features, which the sniff's parse of each checks
// (GeoJsonDocument).  Fills `found` when the document has a features
// array.
FastCheck fast_check(std::string_view text, FeatureSpans& found) {
  simdjson::dom::parser parser;
  FeatureSpans spans = features_array(text);
  if (spans.array_begin == 0) {
    const bool valid = parser.allocate(text.size(), kFastDepth) == simdjson::SUCCESS &&
                       parser.parse(text.data(), text.size()).error() == simdjson::SUCCESS;
    return valid ? FastCheck::Whole : FastCheck::Failed;
  }
  if (!spans.separated) return FastCheck::Failed;
  const size_t begin = spans.array_begin - 1, end = spans.array_end;
  std::string skeleton;
  skeleton.reserve(text.size() - (end - begin) + 2);
  skeleton.append(text.substr(0, begin)).append("[]").append(text.substr(end));
  if (parser.allocate(skeleton.size(), kFastDepth) != simdjson::SUCCESS ||
      parser.parse(skeleton).error() != simdjson::SUCCESS)
    return FastCheck::Failed;
  found = std::move(spans);
  return FastCheck::Skeleton;
}

// Decides on a document simdjson refused (or a part of): returns if it is
// valid JSON, else throws its error with its position.
void check_slowly(std::string_view text) {
  Validator v;
  if (nlohmann::json::sax_parse(text.begin(), text.end(), &v)) return;
  if (v.too_deep) bad_file("invalid GeoJSON", "JSON nesting is deeper than 512 levels.");
  bad_file("invalid GeoJSON", v.message + " (byte offset " + std::to_string(v.position) + ").",
           "Check that the file is complete and is JSON, not JSON lines.");
}

struct Validated {
  FeatureSpans spans;
  bool features_pending = false;  // each of the spans' features is still to be checked
};

// The document checked but for its features (fast_check()).
Validated validate(std::string_view text) {
  Validated v;
  switch (fast_check(text, v.spans)) {
    case FastCheck::Whole: break;
    case FastCheck::Skeleton: v.features_pending = true; break;
    case FastCheck::Failed:
      v.spans = FeatureSpans();
      check_slowly(text);
      break;
  }
  return v;
}

struct TopLevel {
  int srid = 4326;
  bool single_feature = false;
  size_t features_begin = 0;  // just after '['
  std::vector<std::string> warnings;
};

// `spans`: validate()'s, whose features array is not walked again.
TopLevel scan_top(std::string_view s, const FeatureSpans& spans) {
  TopLevel t;
  size_t p = skip_ws(s, 0);
  if (p >= s.size() || s[p] != '{')
    bad_file("GeoJSON document is not an object", "Expected a FeatureCollection object.");
  std::string type;
  bool has_features = false;
  ++p;
  for (;;) {
    p = skip_ws(s, p);
    if (p >= s.size() || s[p] == '}') break;
    size_t kend = skip_string(s, p);
    std::string key = nlohmann::json::parse(s.substr(p, kend - p)).get<std::string>();
    p = skip_ws(s, kend) + 1;  // ':'
    size_t vb = skip_ws(s, p);
    size_t ve = vb + 1 == spans.array_begin ? spans.array_end : skip_value(s, vb);
    std::string_view val = s.substr(vb, ve - vb);
    if (key == "type") {
      auto v = nlohmann::json::parse(val);
      if (v.is_string()) type = v.get<std::string>();
    } else if (key == "crs") {
      auto v = nlohmann::json::parse(val);
      int srid = srid_from_crs(v);
      if (srid > 0) t.srid = srid;
      else if (!v.is_null()) t.warnings.push_back("the \"crs\" member is not understood: EPSG:4326 assumed");
    } else if (key == "features" && !val.empty() && val[0] == '[') {
      has_features = true;
      t.features_begin = vb + 1;
    }
    p = skip_ws(s, ve);
    if (p < s.size() && s[p] == ',') ++p;
  }
  if (type == "Feature") {
    t.single_feature = true;
    return t;
  }
  if (type != "FeatureCollection")
    bad_file("GeoJSON document is not a FeatureCollection",
             type.empty() ? std::string("It has no \"type\" member.") : "Its type is \"" + type + "\".",
             "Wrap geometries in Features inside a FeatureCollection.");
  if (!has_features) bad_file("GeoJSON FeatureCollection has no \"features\" array", "");
  return t;
}

// The features one after the other: from the spans the check found, when
// they are those of the array scan_top() chose, else by scanning the text.
class FeatureCursor {
 public:
  FeatureCursor(std::string_view s, const TopLevel& t, const FeatureSpans& spans)
      : s_(s), p_(t.features_begin), single_(t.single_feature),
        spans_(!t.single_feature && spans.array_begin == t.features_begin ? &spans : nullptr) {}
  // Whether the features are those the check by parts found.
  bool walks_spans() const { return spans_ != nullptr; }

  bool next(std::string_view& feature) {
    if (single_) {
      if (done_) return false;
      done_ = true;
      feature = s_;
      return true;
    }
    if (spans_) {
      if (next_span_ == spans_->spans.size()) return false;
      auto [b, e] = spans_->spans[next_span_++];
      feature = s_.substr(b, e - b);
      return true;
    }
    p_ = skip_ws(s_, p_);
    if (p_ >= s_.size() || s_[p_] == ']') return false;
    size_t e = skip_value(s_, p_);
    feature = s_.substr(p_, e - p_);
    p_ = skip_ws(s_, e);
    if (p_ < s_.size() && s_[p_] == ',') ++p_;
    return true;
  }

 private:
  std::string_view s_;
  size_t p_;
  bool single_;
  bool done_ = false;
  const FeatureSpans* spans_;
  size_t next_span_ = 0;
};

// The members the importer reads, found in one walk over the feature (the
// last of duplicate keys wins, as it did when features were read by
// nlohmann).
struct FeatureMembers {
  std::optional<JsonValue> id, properties, geometry;
};

FeatureMembers members_of(JsonValue feature) {
  FeatureMembers m;
  for (auto field : feature.get_object()) {
    if (field.key == "id") m.id = field.value;
    else if (field.key == "properties") m.properties = field.value;
    else if (field.key == "geometry") m.geometry = field.value;
  }
  if (m.properties && !m.properties->is_object()) m.properties.reset();
  return m;
}

// Property keys -> column positions.  Features usually list their
// properties in the same order, so the key after the previous one is tried
// before the hash table.
class KeyIndex {
 public:
  // The position of `key`, or npos.
  size_t find(std::string_view key) {
    size_t guess = last_ + 1;
    if (guess < keys_.size() && keys_[guess] == key) return last_ = guess;
    auto it = index_.find(std::string(key));
    if (it == index_.end()) return npos;
    return last_ = it->second;
  }
  size_t add(std::string_view key) {
    index_.emplace(std::string(key), keys_.size());
    keys_.emplace_back(key);
    return last_ = keys_.size() - 1;
  }
  // Before each feature's first property.
  void restart() { last_ = npos; }
  const std::vector<std::string>& keys() const { return keys_; }
  static constexpr size_t npos = static_cast<size_t>(-1);

 private:
  std::unordered_map<std::string, size_t> index_;
  std::vector<std::string> keys_;
  size_t last_ = npos;
};

// One feature's property values by column position: the last value of a
// duplicated key, at the position of its first appearance in the file.
class PropertyValues {
 public:
  void start_feature() {
    ++feature_;
    present_.clear();
  }
  void set(size_t pos, JsonValue v) {
    if (pos >= stamp_.size()) {
      stamp_.resize(pos + 1, 0);
      values_.resize(pos + 1);
    }
    if (stamp_[pos] != feature_) present_.push_back(pos);
    stamp_[pos] = feature_;
    values_[pos] = v;
  }
  const JsonValue* get(size_t pos) const {
    return pos < stamp_.size() && stamp_[pos] == feature_ ? &values_[pos] : nullptr;
  }
  // Positions set in this feature, in order of their first setting.
  const std::vector<size_t>& present() const { return present_; }

 private:
  uint64_t feature_ = 0;
  std::vector<uint64_t> stamp_;
  std::vector<JsonValue> values_;
  std::vector<size_t> present_;
};

}  // namespace

// ---- the document ----------------------------------------------------------------------

struct GeoJsonDocument::Layout {
  FeatureSpans spans;  // validate()'s
  bool features_pending = false;
  TopLevel top;
};

GeoJsonDocument::GeoJsonDocument(std::string_view data, Encoding encoding)
    : text_(decode_input(data, encoding)), layout_(std::make_unique<Layout>()) {
  const std::string_view text = text_.text();
  Validated v = validate(text);
  layout_->spans = std::move(v.spans);
  layout_->features_pending = v.features_pending;
  try {
    layout_->top = scan_top(text, layout_->spans);
  } catch (const UserError&) {
    check_features();  // an invalid document's error comes first
    throw;
  }
}

GeoJsonDocument::~GeoJsonDocument() = default;

bool GeoJsonDocument::features_checked() const { return !layout_->features_pending; }

void GeoJsonDocument::check_features() {
  if (!layout_->features_pending) return;
  const std::string_view text = text_.text();
  simdjson::dom::parser parser;
  if (parser.allocate(4096, kFeatureDepth) != simdjson::SUCCESS) throw std::bad_alloc();
  InterruptTicker ticker;
  for (auto [b, e] : layout_->spans.spans) {
    if (!part_valid(parser, text, text.substr(b, e - b))) {
      check_slowly(text);
      break;
    }
    ticker.tick(1 + (e - b) / 64);
  }
  layout_->features_pending = false;
}

namespace {

// The sniff's parse of each feature, which is also the check of the
// features the document's construction left to it: the parser has the
// depth limit of the check by parts, and a feature it refuses has the
// whole document decide (its JSON error, else the feature is valid JSON,
// parsed again without the limit).
class CheckingParser {
 public:
  explicit CheckingParser(GeoJsonDocument& doc) : doc_(doc), parser_(kFeatureDepth) {}
  JsonValue parse(std::string_view feature, std::uint64_t number) {
    const bool padded = followed_by_padding(doc_.decoded().text(), feature);
    if (std::optional<JsonValue> f = parser_.read(feature, padded)) return *f;
    doc_.check_features();  // throws the document's error if it is invalid
    return deep_.parse(feature, number, padded);
  }

 private:
  GeoJsonDocument& doc_;
  FeatureParser parser_, deep_;
};

}  // namespace

// ---- sniffing ------------------------------------------------------------------------

SniffReport read_geojson(std::string_view data, const CsvOptions& o) {
  GeoJsonDocument doc(data, o.encoding);
  return read_geojson(doc, o);
}

namespace {

// read_geojson(), with a parse of each feature that checks it; sets
// `walked_spans` when the features read are those found by parts.
SniffReport sniff_document(GeoJsonDocument& doc, const CsvOptions& o, bool& walked_spans) {
  const DecodedText& dec = doc.decoded();
  const std::string_view text = dec.text();
  const TopLevel& top = doc.layout().top;
  const NullSet nulls = o.null_values ? NullSet(*o.null_values) : NullSet();

  InferSettings plain;
  plain.nulls = &nulls;
  plain.decimal = o.decimal;
  plain.date_format = o.date_format;
  plain.delimiter = ';';  // JSON has no delimiter: "1,234" strings read as decimals
  plain.geometry_allowed = o.geometry.kind == GeometryOption::Kind::Auto;
  InferSettings geo = plain;
  geo.geometry_allowed = true;

  KeyIndex index;
  PropertyValues values;
  std::vector<std::unique_ptr<ColumnInferrer>> cols;
  std::unique_ptr<ColumnInferrer> id_col;
  uint64_t rows = 0, not_features = 0, geom_values = 0, geom_invalid = 0;
  GeomKind kind = GeomKind::Unknown;
  bool all_z = true;
  std::string first_invalid, value_text;

  CheckingParser parser(doc);
  FeatureCursor cur(text, top, doc.layout().spans);
  walked_spans = cur.walks_spans();
  std::string_view fs;
  while (cur.next(fs)) {
    if (++rows % kInterruptEvery == 0) check_interrupts();
    JsonValue f = parser.parse(fs, rows);
    if (!is_feature(f)) {
      ++not_features;
      continue;
    }
    FeatureMembers m = members_of(f);
    if (m.id) {
      if (!id_col) id_col = std::make_unique<ColumnInferrer>(plain, "id");
      JsonKind k = kind_of(*m.id, value_text);  // before value_text is read
      id_col->add_json(k, value_text, rows);
    }
    values.start_feature();
    index.restart();
    if (m.properties) {
      for (auto field : m.properties->get_object()) {
        size_t pos = index.find(field.key);
        if (pos == KeyIndex::npos) {
          check_column_count(index.keys().size() + 1 + (id_col ? 1 : 0));  // before any work on it
          pos = index.add(field.key);
          std::string hint_name = make_identifier(index.keys()[pos], pos + 1);
          bool forced_geo = o.geometry.kind != GeometryOption::Kind::Auto &&
                            (o.geometry.column == index.keys()[pos] || o.geometry.column == hint_name);
          cols.push_back(std::make_unique<ColumnInferrer>(forced_geo ? geo : plain, hint_name));
          cols.back()->add_nulls(rows - 1);  // absent from earlier features
        }
        values.set(pos, field.value);
      }
    }
    for (size_t pos : values.present()) {
      JsonKind k = kind_of(*values.get(pos), value_text);
      cols[pos]->add_json(k, value_text, rows);
    }
    if (m.geometry && !m.geometry->is_null()) {
      GeomInfo info;
      std::string err;
      if (check_geojson(*m.geometry, info, err)) {
        if (geom_values == 0) kind = info.kind;
        else if (kind != info.kind) kind = GeomKind::Unknown;
        all_z = all_z && info.z;
        ++geom_values;
      } else {
        if (geom_invalid++ == 0) first_invalid = "feature " + std::to_string(rows) + ": " + err;
      }
    }
    // Properties absent from this feature are NULL.
    for (auto& c : cols)
      if (c->seen() < rows) c->add_nulls(rows - c->seen());
    if (id_col && id_col->seen() < rows) id_col->add_nulls(rows - id_col->seen());
  }
  const std::vector<std::string>& keys = index.keys();

  SniffReport rep;
  rep.format = "geojson";
  rep.dialect.encoding = dec.encoding;
  rep.dialect.bom_count = dec.bom_count;
  rep.row_count = rows;
  rep.warnings = top.warnings;

  std::vector<std::string> labels;
  if (id_col) labels.push_back("id");
  for (const auto& k : keys) {
    labels.push_back(k);
    // A NUL in a key would poison the label (catalog text): U+FFFD.
    for (size_t z; (z = labels.back().find('\0')) != std::string::npos;)
      labels.back().replace(z, 1, "\xEF\xBF\xBD");
  }
  std::vector<std::string> names;
  auto overrides = resolve_columns(labels, o, names);
  (void)forced_geometry_column(labels, names, o);  // validates the option
  size_t li = 0;
  auto finish = [&](ColumnInferrer& inf, int source_index, const std::string& key, bool is_id) {
    ColumnProfile p;
    p.name = names[li];
    p.label = labels[li];
    p.source_index = source_index;
    p.source_key = key;
    p.feature_id = is_id;
    const ColumnType* forced = overrides[li] && overrides[li]->type ? &*overrides[li]->type : nullptr;
    inf.finish(p, forced);
    rep.columns.push_back(std::move(p));
    ++li;
  };
  if (id_col) finish(*id_col, -1, "", true);
  for (size_t i = 0; i < keys.size(); ++i) finish(*cols[i], static_cast<int>(i), keys[i], false);
  finish_geometry(rep, o);

  if (o.geometry.kind != GeometryOption::Kind::None && (geom_values > 0 || geom_invalid > 0)) {
    ColumnProfile g;
    std::vector<std::string> taken;
    for (const auto& c : rep.columns) taken.push_back(c.name);
    g.name = unique_name("geom", taken);
    g.label = "geometry";
    g.type = ColumnType::Geometry;
    g.geom_source = GeomSource::Feature;
    g.geom_kind = kind;
    g.geom_z = geom_values > 0 && all_z;
    g.srid = top.srid;
    g.non_null_count = geom_values;
    g.null_count = rows - geom_values - geom_invalid - not_features;
    g.reason = kind != GeomKind::Unknown
                   ? "all " + std::to_string(geom_values) + " feature geometries are " + geom_kind_name(kind)
                   : "feature geometries of several types";
    if (geom_invalid > 0)
      g.reason += "; " + std::to_string(geom_invalid) + " invalid (first: " + first_invalid +
                  ") will be rejected";
    g.pg_type = pg_type_of(g);
    rep.columns.push_back(std::move(g));
    if (o.geometry.kind == GeometryOption::Kind::Auto) rep.geometry_column = rep.columns.back().name;
  }
  if (not_features > 0)
    rep.warnings.push_back(std::to_string(not_features) +
                           " members of \"features\" are not Feature objects and will be rejected");
  if (dec.transcoded())
    rep.warnings.push_back(std::string("the file is not valid UTF-8: read as ") + encoding_name(dec.encoding));
  return rep;
}

}  // namespace

SniffReport read_geojson(GeoJsonDocument& doc, const CsvOptions& o) {
  bool walked_spans = false;
  SniffReport rep;
  try {
    rep = sniff_document(doc, o, walked_spans);
  } catch (const UserError&) {
    doc.check_features();  // an invalid document's error comes first
    throw;
  }
  // Each feature read was checked by its parse; the features found by
  // parts were not when the cursor read others (a "features" member whose
  // name has escapes).
  if (walked_spans) doc.layout_->features_pending = false;
  else doc.check_features();
  return rep;
}

// ---- normalising -----------------------------------------------------------------------

struct GeoJsonNormaliser::State {
  explicit State(const GeoJsonDocument& doc)
      : text(doc.decoded().text()), cursor(text, doc.layout().top, doc.layout().spans) {}
  std::string_view text;  // the document's
  FeatureCursor cursor;
  FeatureParser parser;
  KeyIndex keys;  // by source_index
  PropertyValues values;
  uint64_t row = 0;
  bool done = false;
  std::string scratch, err, value_text;
};

GeoJsonNormaliser::GeoJsonNormaliser(std::string_view data, const CsvOptions& options, SniffReport plan)
    : owned_doc_(std::make_unique<GeoJsonDocument>(data, plan.dialect.encoding)),
      plan_(std::move(plan)),
      nulls_(options.null_values ? NullSet(*options.null_values) : NullSet()),
      errors_(options.on_error) {
  owned_doc_->check_features();
  start(*owned_doc_);
}

GeoJsonNormaliser::GeoJsonNormaliser(const GeoJsonDocument& doc, const CsvOptions& options, SniffReport plan)
    : plan_(std::move(plan)),
      nulls_(options.null_values ? NullSet(*options.null_values) : NullSet()),
      errors_(options.on_error) {
  start(doc);
}

void GeoJsonNormaliser::start(const GeoJsonDocument& doc) {
  if (!doc.features_checked()) throw std::logic_error("GeoJSON document loaded before read_geojson() read it");
  st_ = std::make_unique<State>(doc);
  std::vector<std::string> keys;
  for (const auto& c : plan_.columns) {
    if (c.source_index < 0 || c.feature_id) continue;
    auto i = static_cast<size_t>(c.source_index);
    if (keys.size() <= i) keys.resize(i + 1);
    keys[i] = c.source_key;
  }
  for (const auto& k : keys) st_->keys.add(k);
}

GeoJsonNormaliser::~GeoJsonNormaliser() = default;

bool GeoJsonNormaliser::next_rows(RowSink& out) {
  out.clear();
  State& st = *st_;
  std::string_view fs;
  while (!st.done && out.bytes() < CsvNormaliser::kChunkSize) {
    if (!st.cursor.next(fs)) {
      st.done = true;
      break;
    }
    if (++st.row % kInterruptEvery == 0) check_interrupts();
    JsonValue f = st.parser.parse(fs, st.row, followed_by_padding(st.text, fs));
    if (!is_feature(f)) {
      errors_.reject(RejectedRow{st.row, 0, "", "", "is not a GeoJSON Feature object"},
                     sqlstate::kBadCopyFileFormat);
      continue;
    }
    FeatureMembers m = members_of(f);
    st.values.start_feature();
    st.keys.restart();
    if (m.properties)
      for (auto field : m.properties->get_object()) {
        size_t pos = st.keys.find(field.key);
        if (pos != KeyIndex::npos) st.values.set(pos, field.value);
      }
    auto prop = [&](int source_index) -> const JsonValue* {
      return source_index < 0 ? nullptr : st.values.get(static_cast<size_t>(source_index));
    };
    bool ok = true;
    out.start_row();
    for (const ColumnProfile& c : plan_.columns) {
      st.scratch.clear();
      Convert r = Convert::Null;
      std::string shown;
      if (c.geom_source == GeomSource::Feature) {
        if (m.geometry && !m.geometry->is_null()) {
          GeomInfo info;
          bool good = check_geojson(*m.geometry, info, st.err) && check_geometry(c, info, st.err);
          r = good ? Convert::Ok : Convert::Bad;
          if (good) {
            geojson_to_ewkb(*m.geometry, c.srid, c.geom_z && info.z, st.scratch);
          } else {
            shown = dump(*m.geometry).substr(0, 200);
            st.err = "is not a usable geometry: " + st.err;
          }
        }
      } else if (c.geom_source == GeomSource::LatLonPair) {
        const JsonValue* la = prop(c.lat_index);
        const JsonValue* lo = prop(c.lon_index);
        std::string lat_s, lon_s;
        if (la && lo) {
          kind_of(*la, lat_s);
          kind_of(*lo, lon_s);
        }
        double a = 0, b = 0;
        std::string_view lat_t = trim_value(lat_s), lon_t = trim_value(lon_s);
        if (nulls_.is_null(lat_t) || nulls_.is_null(lon_t)) {
          r = Convert::Null;
        } else if (parse_double(lat_t, a) && parse_double(lon_t, b) && a >= -90 && a <= 90 &&
                   b >= -180 && b <= 180) {
          for (auto* s : {&lat_s, &lon_s})
            for (char& ch : *s)
              if (ch == ',') ch = '.';
          latlon_to_ewkt(trim_value(lat_s), trim_value(lon_s), st.scratch);
          r = Convert::Ok;
        } else {
          r = Convert::Bad;
          shown = lat_s + ", " + lon_s;
          st.err = "are not a latitude and longitude within WGS84 ranges";
        }
      } else {
        const JsonValue* v = c.feature_id ? (m.id ? &*m.id : nullptr) : prop(c.source_index);
        if (v != nullptr && !v->is_null()) {
          if (c.type == ColumnType::Jsonb) {
            st.scratch = dump(*v);
            r = Convert::Ok;
            if (st.scratch.find("\\u0000") != std::string::npos) {
              r = Convert::Bad;  // jsonb rejects \u0000
              st.err = "contains \\u0000, which jsonb cannot hold";
              shown = st.scratch.substr(0, 200);
            }
          } else if (kind_of(*v, st.value_text) == JsonKind::Nested && c.type != ColumnType::Text) {
            r = Convert::Bad;
            st.err = "is a JSON object or array";
            shown = st.value_text.substr(0, 200);
          } else {
            r = convert_value(c, st.value_text, nulls_, st.scratch, st.err);
            if (r == Convert::Bad) shown = st.value_text;
          }
        }
      }
      if (r == Convert::Bad) {
        errors_.reject(RejectedRow{st.row, 0, c.name, shown, st.err}, sqlstate::kInvalidTextRepresentation);
        ok = false;
        break;
      }
      if (r == Convert::Null) out.null();
      else out.value(st.scratch);
    }
    if (!ok) {
      out.cancel_row();
      continue;
    }
    out.end_row();
    ++written_;
  }
  return out.rows() != 0;
}

bool GeoJsonNormaliser::next_chunk(std::string& out) {
  const bool more = next_rows(copy_rows_);
  out = copy_rows_.copy_text();
  return more;
}

}  // namespace opendata::ingest
