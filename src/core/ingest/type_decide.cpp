// The decision half of type inference: from what a column's values could
// all be, to one type and a reason a publisher can read.  The order of the
// rules below is the documented precedence (docs/import.md).
#include <algorithm>
#include <cstdio>

#include "core/ingest/type_infer.hpp"

namespace opendata::ingest {

namespace {

constexpr size_t kClip = 100;

std::string q(const std::string& v) { return "'" + v + "'"; }

std::string all_n(uint64_t n) {
  return n == 1 ? std::string("the only non-null value is")
                : "all " + std::to_string(n) + " non-null values are";
}

std::string iso_of_key(int32_t k) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", k / 10000 % 10000, k / 100 % 100, k % 100);
  return buf;
}

std::string clip(const std::string& s) {
  if (s.size() <= kClip) return s;
  size_t n = kClip;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "...";
}

const char* letter_pair_name(uint8_t letters) {
  return letters == (kLetterT | kLetterF)   ? "t or f"
         : letters == (kLetterY | kLetterN) ? "y or n"
                                            : "o or n";
}

}  // namespace

bool ColumnInferrer::letters_paired() const {
  return letters_ == 0 || letters_ == (kLetterT | kLetterF) || letters_ == (kLetterY | kLetterN) ||
         letters_ == (kLetterO | kLetterN);
}

std::string pg_type_of(const ColumnProfile& c) {
  if (c.type != ColumnType::Geometry) return column_type_name(c.type);
  std::string kind = geom_kind_name(c.geom_kind);
  if (c.geom_z) kind += "Z";
  return "geometry(" + kind + "," + std::to_string(c.srid) + ")";
}

void ColumnInferrer::finish(ColumnProfile& out, const ColumnType* forced) const {
  out.non_null_count = values_;
  out.null_count = nulls_;
  out.distinct_count = distinct_.count();
  out.distinct_exact = distinct_.exact();
  out.examples = examples_;
  if (forced != nullptr) decide_forced(out, *forced);
  else decide(out);
  fill_minmax(out);
  out.pg_type = pg_type_of(out);
  if ((out.type == ColumnType::Date || out.type == ColumnType::Timestamp ||
       out.type == ColumnType::Timestamptz) &&
      out.min.size() >= 4 && out.min.compare(0, 4, "1800") < 0) {
    // Opendatasoft exports unknown dates as 1700-01-01: say so, keep them.
    out.reason += "; the earliest value " + out.min + " may be a placeholder for an unknown date";
  }
}

void ColumnInferrer::decide(ColumnProfile& out) const {
  auto set = [&](ColumnType t, std::string reason) {
    out.type = t;
    out.reason = std::move(reason);
  };
  if (values_ == 0) {
    set(ColumnType::Text, nulls_ == 0 ? "no values" : "all " + std::to_string(nulls_) +
                                                          " values are empty or null sentinels");
    return;
  }
  if (nested_) {
    set(ColumnType::Jsonb, "holds nested JSON objects or arrays: kept as jsonb");
    return;
  }
  const uint32_t c = cand_;
  const std::string all = all_n(values_);

  // Like 0/1, one-letter values without a boolean word are boolean only as
  // a complete pair (t/f, y/n, o/n): a column of "F" alone is text (and
  // "M" is no boolean, so M/F never is).
  const bool letters_ok = word_bool_ || letters_paired();
  if ((c & kBool) && letters_ok && (word_bool_ || letters_ != 0 || (zero_ && one_))) {
    set(ColumnType::Boolean, word_bool_ ? all + " boolean words (true/false, oui/non, ...)"
                             : letters_ != 0 ? all + " " + letter_pair_name(letters_) +
                                                   ", both present: read as boolean"
                                             : all + " 0 or 1, both present: read as boolean (the \"columns\""
                                                     " option {\"type\": \"integer\"} keeps numbers)");
    return;
  }
  if ((c & kDateCompact) &&
      (s_.date_format == DateFormat::Compact ||
       (s_.date_format == DateFormat::Auto && is_date_name(name_)))) {
    set(ColumnType::Date, all + " yyyymmdd dates" +
                              (s_.date_format == DateFormat::Compact
                                   ? std::string(" (date_format yyyymmdd)")
                                   : " and the column name mentions a date"));
    out.date_order = DateOrder::Compact;
    return;
  }
  if (c & kIntLike) {
    if (leading_zero_ > 0) {
      set(ColumnType::Text, all + " integers, " + std::to_string(leading_zero_) +
                                " with leading zeros (e.g. " + q(leading_zero_example_) +
                                "): kept as text");
      return;
    }
    if (is_code_name(name_)) {
      set(ColumnType::Text, all + " integers, but the name " + q(name_) +
                                " denotes a code: kept as text");
      return;
    }
    if (c & kInt4) set(ColumnType::Integer, all + " integers");
    else if (c & kInt8) set(ColumnType::Bigint, all + " integers, some beyond the integer range");
    else set(ColumnType::Numeric, all + " integers, some beyond the bigint range");
    return;
  }
  if ((c & kNumDot) && !comma_ && s_.decimal != ',') {
    set(ColumnType::Numeric, all + " decimal numbers");
    out.decimal = '.';
    return;
  }
  std::string number_note;
  if ((c & kNumComma) && !dot_) {
    if (s_.decimal == '.') {
      number_note = "numbers use ',' but the decimal option is '.'";
    } else if (s_.decimal == 0 && s_.delimiter != ';' && thousands_like_ == comma_values_) {
      number_note = "every ',' value looks like a thousands group (e.g. '1,234'), which is "
                    "ambiguous; set the decimal option";
    } else {
      set(ColumnType::Numeric, all + " decimal numbers with a decimal comma");
      out.decimal = ',';
      return;
    }
  }
  if (c & kDateIso) {
    set(ColumnType::Date, all + " ISO dates (yyyy-mm-dd)");
    out.date_order = DateOrder::Iso;
    return;
  }
  if ((c & kDateMdy) && s_.date_format == DateFormat::Mdy) {
    set(ColumnType::Date, all + " mm/dd/yyyy dates (date_format mdy)");
    out.date_order = DateOrder::Mdy;
    return;
  }
  if ((c & kDateDmy) && s_.date_format != DateFormat::Mdy) {
    set(ColumnType::Date, all + " dd/mm/yyyy dates");
    out.date_order = DateOrder::Dmy;
    return;
  }
  if (c & kDateMdy) {
    set(ColumnType::Date, all + " dates that only read as mm/dd/yyyy (a day above 12 comes second)");
    out.date_order = DateOrder::Mdy;
    return;
  }
  if (c & kIsoTemporal) {
    if (tz_) set(ColumnType::Timestamptz, all + " ISO 8601 date-times" +
                                              std::string(notz_time_ ? ", some with a UTC offset"
                                                                     : " with a UTC offset"));
    else set(ColumnType::Timestamp, all + " ISO 8601 date-times without a UTC offset");
    out.date_order = DateOrder::Iso;
    return;
  }
  if ((c & kDmyTimestamp) && s_.date_format != DateFormat::Mdy) {
    set(ColumnType::Timestamp, all + " dd/mm/yyyy hh:mm date-times");
    out.date_order = DateOrder::Dmy;
    return;
  }
  if (c & kLatLon) {
    set(ColumnType::Geometry, all + " \"lat,lon\" pairs in WGS84 ranges: point geometry");
    out.geom_source = GeomSource::LatLonText;
    out.geom_kind = GeomKind::Point;
    out.srid = 4326;
    return;
  }
  if (c & kGeoJson) {
    set(ColumnType::Geometry, all + " GeoJSON geometries");
    out.geom_source = GeomSource::GeoJsonText;
    out.geom_kind = geom_kind_;
    out.geom_z = geom_all_z_;
    out.srid = 4326;
    return;
  }
  if ((c & kWkt) && !srid_mixed_) {
    set(ColumnType::Geometry, all + " WKT geometries");
    out.geom_source = GeomSource::WktText;
    out.geom_kind = geom_kind_;
    out.geom_z = geom_all_z_;
    out.srid = srid_ != 0 ? srid_ : 4326;
    return;
  }
  // Text.  Say which value settled it.
  std::string why;
  if (!number_note.empty()) why = number_note;
  else if (comma_ && dot_ && (c == 0) && text_example_.empty())
    why = "numbers mix '.' and ',' decimal marks";
  else if (text_pure_) why = "value " + q(text_example_) + " at row " + std::to_string(text_row_) +
                             " is not a number, date, boolean or geometry";
  else if (!text_example_.empty())
    why = "values of different kinds, e.g. " + q(text_example_) + " at row " +
          std::to_string(text_row_) + " does not fit the type of the values before it";
  else if ((c & kBool) && !word_bool_ && !letters_paired())
    why = "one-letter values are boolean only as a complete pair (t/f, y/n, o/n)";
  else if ((c & kBool) && (zero_ != one_))
    why = "only " + std::string(zero_ ? "'0'" : "'1'") + " appears";
  else if (c & kWkt) why = "WKT values with different SRIDs";
  else why = "free text";
  set(ColumnType::Text, "text: " + why);
}

void ColumnInferrer::decide_forced(ColumnProfile& out, ColumnType t) const {
  out.type = t;
  out.forced = true;
  out.reason = std::string("type ") + column_type_name(t) + " forced by the import options";
  const uint32_t c = cand_;
  switch (t) {
    case ColumnType::Numeric:
      out.decimal = s_.decimal != 0 ? s_.decimal : (comma_ && !dot_ ? ',' : '\0');
      break;
    case ColumnType::Date:
    case ColumnType::Timestamp:
    case ColumnType::Timestamptz:
      out.date_order = forced_date_order(t);
      break;
    case ColumnType::Geometry:
      out.srid = 4326;
      if (c & kLatLon) {
        out.geom_source = GeomSource::LatLonText;
        out.geom_kind = GeomKind::Point;
      } else if (c & kGeoJson) {
        out.geom_source = GeomSource::GeoJsonText;
        out.geom_kind = geom_kind_;
        out.geom_z = geom_all_z_;
      } else {
        out.geom_source = GeomSource::WktText;
        out.geom_kind = (c & kWkt) ? geom_kind_ : GeomKind::Unknown;
        out.geom_z = (c & kWkt) && geom_all_z_;
        if ((c & kWkt) && srid_ != 0 && !srid_mixed_) out.srid = srid_;
      }
      break;
    default: break;
  }
}

// The order of a column forced to a date or timestamp type comes from its
// valid values, whatever the invalid ones are (they are rejected at load,
// as on_error says): ISO when most values are ISO dates (they are never
// ambiguous), else date_format when given, else the form most values have,
// slashed dates read day first as in France unless month-first readings
// fit more values.
DateOrder ColumnInferrer::forced_date_order(ColumnType t) const {
  const uint64_t slash = std::max(dmy_votes_, mdy_votes_);
  // yyyymmdd has no time part: a timestamp column never reads it.
  const uint64_t compact = t == ColumnType::Date ? compact_votes_ : 0;
  if (iso_votes_ > 0 && iso_votes_ >= slash && iso_votes_ >= compact) return DateOrder::Iso;
  switch (s_.date_format) {
    case DateFormat::Dmy:
      return DateOrder::Dmy;
    case DateFormat::Mdy:
      return DateOrder::Mdy;
    case DateFormat::Ymd:
      return DateOrder::Iso;
    case DateFormat::Compact:
      return DateOrder::Compact;
    case DateFormat::Auto:
      break;
  }
  if (compact > slash) return DateOrder::Compact;
  return mdy_votes_ > dmy_votes_ ? DateOrder::Mdy : DateOrder::Dmy;
}

void ColumnInferrer::fill_minmax(ColumnProfile& out) const {
  auto iso_date = [](const std::string& v, DateOrder o) {
    std::string s;
    return convert_date(v, o, s) ? s : std::string();
  };
  switch (out.type) {
    case ColumnType::Integer:
    case ColumnType::Bigint:
    case ColumnType::Numeric:
      if (num_seen_) {
        out.min = num_min_text_;
        out.max = num_max_text_;
        for (auto* s : {&out.min, &out.max}) {
          for (char& ch : *s)
            if (ch == ',') ch = '.';
          if (!s->empty() && (*s)[0] == '+') s->erase(0, 1);
        }
      }
      break;
    case ColumnType::Date:
      if (out.date_order == DateOrder::Dmy && date_seen_) {
        out.min = iso_of_key(dmy_min_);
        out.max = iso_of_key(dmy_max_);
      } else if (out.date_order == DateOrder::Mdy && date_seen_) {
        out.min = iso_of_key(mdy_min_);
        out.max = iso_of_key(mdy_max_);
      } else if (out.date_order == DateOrder::Compact && num_seen_) {
        out.min = iso_date(num_min_text_, DateOrder::Compact);
        out.max = iso_date(num_max_text_, DateOrder::Compact);
      } else if (out.date_order == DateOrder::Iso) {
        out.min = iso_date(text_min_, DateOrder::Iso);
        out.max = iso_date(text_max_, DateOrder::Iso);
      }
      break;
    case ColumnType::Timestamp:
    case ColumnType::Timestamptz:
      if (out.date_order == DateOrder::Iso) {
        out.min = clip(text_min_);
        out.max = clip(text_max_);
      }
      break;
    case ColumnType::Text:
      out.min = clip(text_min_);
      out.max = clip(text_max_);
      break;
    default: break;
  }
}

}  // namespace opendata::ingest
