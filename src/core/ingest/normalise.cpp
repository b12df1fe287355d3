#include "core/ingest/normalise.hpp"

#include <cstring>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/ingest/geometry.hpp"

namespace opendata::ingest {

namespace {

constexpr size_t kMaxKept = 1000;        // rejected rows kept for the report
constexpr size_t kValueClip = 200;       // bytes of a rejected value kept

std::string clip(std::string_view v) {
  if (v.size() <= kValueClip) return std::string(v);
  size_t n = kValueClip;
  while (n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80) --n;
  return std::string(v.substr(0, n)) + "...";
}

// Escapes needed in COPY text format, by byte: the letter after the
// backslash, 0 for bytes copied as they are.  A table, because every byte
// of every text value goes through it.
struct EscapeTable {
  char letter[256] = {};
  constexpr EscapeTable() {
    letter[static_cast<unsigned char>('\\')] = '\\';
    letter[static_cast<unsigned char>('\t')] = 't';
    letter[static_cast<unsigned char>('\n')] = 'n';
    letter[static_cast<unsigned char>('\r')] = 'r';
  }
};
constexpr EscapeTable kEscape;

const char* order_text(DateOrder o) {
  switch (o) {
    case DateOrder::Iso: return "yyyy-mm-dd";
    case DateOrder::Dmy: return "dd/mm/yyyy";
    case DateOrder::Mdy: return "mm/dd/yyyy";
    case DateOrder::Compact: return "yyyymmdd";
  }
  return "yyyy-mm-dd";
}

}  // namespace

bool check_geometry(const ColumnProfile& c, const GeomInfo& info, std::string& err) {
  if (c.geom_kind != GeomKind::Unknown && info.kind != c.geom_kind) {
    err = std::string("is a ") + geom_kind_name(info.kind) + ", the column holds " +
          geom_kind_name(c.geom_kind) + " values";
    return false;
  }
  if (c.geom_z && !info.z) {
    err = "has no Z coordinate, the column is 3D";
    return false;
  }
  return true;
}

void append_copy_text(std::string& out, std::string_view v) {
  size_t run = 0;  // start of the current run needing no escape
  for (size_t i = 0; i < v.size(); ++i) {
    const char e = kEscape.letter[static_cast<unsigned char>(v[i])];
    if (e == 0) continue;
    out.append(v.data() + run, i - run);
    out.push_back('\\');
    out.push_back(e);
    run = i + 1;
  }
  out.append(v.data() + run, v.size() - run);
}

Convert check_text(std::string_view raw, const NullSet& nulls, std::string& err) {
  if (nulls.is_null(trim_value(raw))) return Convert::Null;
  // Only JSON input can carry a NUL ("\u0000"); PostgreSQL text cannot.
  if (std::memchr(raw.data(), '\0', raw.size()) != nullptr) {
    err = "contains a NUL character, which PostgreSQL text cannot hold";
    return Convert::Bad;
  }
  return Convert::Ok;
}

Convert convert_value(const ColumnProfile& c, std::string_view raw, const NullSet& nulls,
                      std::string& out, std::string& err) {
  if (c.type == ColumnType::Text) {
    const Convert r = check_text(raw, nulls, err);
    if (r == Convert::Ok) out.append(raw.data(), raw.size());
    return r;
  }
  const std::string_view t = trim_value(raw);
  if (nulls.is_null(t)) return Convert::Null;
  bool ok = false;
  switch (c.type) {
    case ColumnType::Text:
      break;  // above
    case ColumnType::Boolean:
      ok = convert_boolean(t, out);
      if (!ok) err = "is not a boolean (true/false, oui/non, vrai/faux, yes/no, t/f, 1/0)";
      break;
    case ColumnType::Integer:
    case ColumnType::Bigint:
      ok = convert_integer(t, c.type == ColumnType::Integer, out);
      if (!ok)
        err = std::string("is not an integer within the ") + column_type_name(c.type) + " range";
      break;
    case ColumnType::Numeric:
      ok = convert_numeric(t, c.decimal, out);
      if (!ok)
        err = c.decimal == ',' ? "is not a number with a decimal comma"
              : c.decimal == '.' ? "is not a number with a decimal point"
                                 : "is not a number";
      break;
    case ColumnType::Date:
      ok = convert_date(t, c.date_order, out);
      if (!ok) err = std::string("is not a valid date in the form ") + order_text(c.date_order);
      break;
    case ColumnType::Timestamp:
    case ColumnType::Timestamptz:
      ok = convert_timestamp(t, c.date_order, out);
      if (!ok) err = "is not an ISO 8601 date-time";
      break;
    case ColumnType::Jsonb:
      ok = nlohmann::json::accept(t.begin(), t.end());
      if (ok) out.append(t.data(), t.size());
      else err = "is not valid JSON";
      break;
    case ColumnType::Geometry: {
      GeomInfo info;
      switch (c.geom_source) {
        case GeomSource::LatLonText: {
          std::string_view lat, lon;
          ok = parse_latlon(t, lat, lon);
          if (ok) latlon_to_ewkt(lat, lon, out);
          else err = "is not a \"lat,lon\" pair within WGS84 ranges";
          break;
        }
        case GeomSource::GeoJsonText:
          ok = geojson_text_to_ewkt(t, c.srid, c.geom_z, out, info, err) &&
               check_geometry(c, info, err);
          if (!ok) err = "is not a usable GeoJSON geometry: " + err;
          break;
        case GeomSource::WktText:
          ok = wkt_to_ewkt(t, c.srid, c.geom_z, &out, info, err) && check_geometry(c, info, err);
          if (ok && info.srid != 0 && info.srid != c.srid) {
            ok = false;
            err = "has SRID " + std::to_string(info.srid) + ", the column has " + std::to_string(c.srid);
          }
          if (!ok) err = "is not a usable WKT geometry: " + err;
          break;
        default:
          err = "has no geometry source";
          break;
      }
      break;
    }
  }
  return ok ? Convert::Ok : Convert::Bad;
}

void RowErrors::reject(const RejectedRow& r, const char* sqlstate) {
  if (mode_ == OnError::Abort) {
    std::string where = r.line != 0 && r.line != r.row ? " (line " + std::to_string(r.line) + ")" : "";
    if (r.column.empty())
      throw UserError(sqlstate, "malformed row " + std::to_string(r.row) + where, r.reason + ".",
                      "Fix the file, or set \"on_error\" to \"skip\" to leave such rows out.");
    throw UserError(sqlstate,
                    "invalid value for column \"" + r.column + "\" at row " + std::to_string(r.row) + where,
                    "Value \"" + r.value + "\" " + r.reason + ".",
                    "Fix the file, force another type with the \"columns\" option, or set "
                    "\"on_error\" to \"skip\".");
  }
  ++count_;
  if (rows_.size() < kMaxKept) rows_.push_back(r);
}

nlohmann::json to_json(const std::vector<RejectedRow>& rows) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : rows) {
    nlohmann::json j{{"row", r.row}, {"column", r.column}, {"value", r.value}, {"reason", r.reason}};
    if (r.line != 0) j["line"] = r.line;
    a.push_back(std::move(j));
  }
  return a;
}

// ---- CSV --------------------------------------------------------------------

CsvNormaliser::CsvNormaliser(std::string_view data, const CsvOptions& options, SniffReport plan)
    : text_(decode_input(data, plan.dialect.encoding)),
      plan_(std::move(plan)),
      nulls_(options.null_values ? NullSet(*options.null_values) : NullSet()),
      reader_(text_.text(), CsvDialectChars{plan_.dialect.delimiter, plan_.dialect.quote,
                                            plan_.dialect.escape}),
      errors_(options.on_error) {
  for (const auto& c : plan_.columns) {
    if (c.source_index >= 0) ncols_ = std::max(ncols_, static_cast<size_t>(c.source_index) + 1);
  }
  if (plan_.dialect.header) {
    reader_.next(fields_);
    ncols_ = std::max(ncols_, fields_.size());
  }
}

bool CsvNormaliser::convert_row(const std::vector<std::string_view>& f, RowSink& out) {
  const uint64_t row = reader_.record_number();
  const uint64_t line = reader_.line_number();
  if (f.size() > ncols_) {
    bool extra = false;
    for (size_t i = ncols_; i < f.size(); ++i) extra = extra || !trim_value(f[i]).empty();
    if (extra) {
      errors_.reject(RejectedRow{row, line, "", clip(f[ncols_]),
                                 "has " + std::to_string(f.size()) + " fields, expected " +
                                     std::to_string(ncols_)},
                     sqlstate::kBadCopyFileFormat);
      return false;
    }
  }
  for (const ColumnProfile& c : plan_.columns) {
    scratch_.clear();
    Convert r;
    std::string_view shown;
    if (c.geom_source == GeomSource::LatLonPair) {
      auto field = [&](int i) {
        return i >= 0 && static_cast<size_t>(i) < f.size() ? trim_value(f[static_cast<size_t>(i)])
                                                           : std::string_view();
      };
      std::string_view lat = field(c.lat_index), lon = field(c.lon_index);
      double la = 0, lo = 0;
      if (nulls_.is_null(lat) || nulls_.is_null(lon)) {
        r = Convert::Null;  // one coordinate alone is no point
      } else if (parse_double(lat, la) && parse_double(lon, lo) && la >= -90 && la <= 90 &&
                 lo >= -180 && lo <= 180) {
        std::string la_s(lat), lo_s(lon);
        for (auto* s : {&la_s, &lo_s})
          for (char& ch : *s)
            if (ch == ',') ch = '.';
        if (!la_s.empty() && la_s[0] == '+') la_s.erase(0, 1);
        if (!lo_s.empty() && lo_s[0] == '+') lo_s.erase(0, 1);
        latlon_to_ewkt(la_s, lo_s, scratch_);
        r = Convert::Ok;
      } else {
        r = Convert::Bad;
        err_ = "are not a latitude and longitude within WGS84 ranges";
        scratch_ = std::string(lat) + ", " + std::string(lon);
        shown = scratch_;
      }
      if (r == Convert::Ok) out.value(scratch_);
    } else {
      std::string_view raw = c.source_index >= 0 && static_cast<size_t>(c.source_index) < f.size()
                                 ? f[static_cast<size_t>(c.source_index)]
                                 : std::string_view();
      shown = raw;
      if (c.type == ColumnType::Text) {
        // Written straight from the input: no intermediate copy.
        r = check_text(raw, nulls_, err_);
        if (r == Convert::Ok) out.value(raw);
      } else if (c.type == ColumnType::Jsonb || c.type == ColumnType::Geometry) {
        r = convert_value(c, raw, nulls_, scratch_, err_);
        if (r == Convert::Ok) out.value(scratch_);
      } else {
        // Numbers, booleans, dates and timestamps are written in their
        // canonical form, which holds no character COPY escapes.  A bad
        // value's partial output goes with its row (next_rows).
        r = convert_value(c, raw, nulls_, out.open_value(), err_);
        if (r == Convert::Ok) out.close_value();
      }
    }
    if (r == Convert::Bad) {
      errors_.reject(RejectedRow{row, line, c.name, clip(trim_value(shown)), err_},
                     sqlstate::kInvalidTextRepresentation);
      return false;
    }
    if (r == Convert::Null) out.null();
  }
  return true;
}

bool CsvNormaliser::next_rows(RowSink& out) {
  out.clear();
  while (!done_ && out.bytes() < kChunkSize) {
    if (!reader_.next(fields_)) {
      done_ = true;
      break;
    }
    ++seen_;
    ticker_.tick(fields_.size() + 1);  // cells, not rows: rows may be wide
    out.start_row();
    if (convert_row(fields_, out)) {
      out.end_row();
      ++written_;
    } else {
      out.cancel_row();
    }
  }
  return out.rows() != 0;
}

bool CsvNormaliser::next_chunk(std::string& out) {
  const bool more = next_rows(copy_rows_);
  out = copy_rows_.copy_text();
  return more;
}

}  // namespace opendata::ingest
