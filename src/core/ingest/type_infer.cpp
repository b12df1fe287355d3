#include "core/ingest/type_infer.hpp"

#include <cmath>
#include <cstring>

namespace opendata::ingest {

namespace {

constexpr size_t kExampleMax = 100;  // bytes kept per example / min / max
constexpr uint64_t kDateVoteMargin = 8;
constexpr uint32_t kTemporalBits =
    kDateIso | kDateDmy | kDateMdy | kDateCompact | kIsoTemporal | kDmyTimestamp;

// Truncates at a UTF-8 boundary so reports stay valid JSON strings.
std::string clip(std::string_view v) {
  if (v.size() <= kExampleMax) return std::string(v);
  size_t n = kExampleMax;
  while (n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80) --n;
  return std::string(v.substr(0, n)) + "...";
}

std::vector<std::string> tokens(const std::string& name) {
  std::vector<std::string> t;
  std::string cur;
  for (char c : name) {
    if (c == '_') {
      if (!cur.empty()) t.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) t.push_back(cur);
  return t;
}

bool has_token(const std::vector<std::string>& t, std::initializer_list<const char*> words) {
  for (const auto& s : t)
    for (const char* w : words)
      if (s == w) return true;
  return false;
}

// The last 0 to 7 bytes of a value as a little-endian word.  A memcpy of
// variable length was a library call whose result, read back from the
// stack, stalled on store forwarding: a third of the distinct count's time.
// On little-endian machines, two fixed-size loads that may overlap put the
// same bytes at the same places, so OR-ing them is exact; elsewhere the
// bytes are assembled one by one, to the same word.
inline uint64_t tail_word(const char* p, size_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  auto load = [p](size_t at, auto word) {
    std::memcpy(&word, p + at, sizeof word);
    return static_cast<uint64_t>(word);
  };
  if (n >= 4) return load(0, uint32_t{}) | load(n - 4, uint32_t{}) << (8 * (n - 4));
  if (n >= 2) return load(0, uint16_t{}) | load(n - 2, uint16_t{}) << (8 * (n - 2));
  return n == 1 ? static_cast<unsigned char>(p[0]) : 0;
#else
  uint64_t w = 0;
  for (size_t k = 0; k < n; ++k) w |= uint64_t{static_cast<unsigned char>(p[k])} << (8 * k);
  return w;
#endif
}

// A cheap hash of short values, eight bytes per step (std::hash costs
// several times more on the 5-to-20-byte values of a typical column);
// mix() spreads its bits for the hash set and HyperLogLog.
uint64_t hash_value(std::string_view v) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  uint64_t h = v.size() * kMul;
  size_t i = 0;
  for (; i + 8 <= v.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, v.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 32;
  }
  h = (h ^ tail_word(v.data() + i, v.size() - i)) * kMul;
  return h ^ (h >> 32);
}

uint64_t mix(uint64_t x) {  // splitmix64 finaliser: spreads hash_value bits
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// v.compare(bound), as memcmp orders bytes.  Most values differ from the
// column's current min and max in their first byte, which settles the
// comparison without a memcmp call (two per value of every column).
inline int compare_bytes(std::string_view v, std::string_view bound) {
  if (!v.empty() && !bound.empty() && v[0] != bound[0])
    return static_cast<unsigned char>(v[0]) < static_cast<unsigned char>(bound[0]) ? -1 : 1;
  return v.compare(bound);
}

}  // namespace

// ---- name hints ----------------------------------------------------------------

bool is_code_name(const std::string& name) {
  auto t = tokens(name);
  for (const auto& s : t)
    if (s.compare(0, 3, "cod") == 0) return true;  // code, codgeo, coddep, codcom...
  return has_token(t, {"insee", "siren", "siret", "cp", "postal", "zip", "zipcode", "postcode",
                       "depcom", "finess", "uai", "rna", "nic", "codepostal"});
}

bool is_date_name(const std::string& name) {
  for (const auto& s : tokens(name))
    if (s.compare(0, 4, "date") == 0 || s == "dat" || s == "jour" || s == "day" || s == "dt")
      return true;
  return false;
}

bool is_lat_name(const std::string& name) {
  auto t = tokens(name);
  return has_token(t, {"lat", "latitude", "ylat", "lati"}) ||
         (has_token(t, {"y"}) && has_token(t, {"wgs84", "wgs"}));
}

bool is_lon_name(const std::string& name) {
  auto t = tokens(name);
  return has_token(t, {"lon", "lng", "long", "longitude", "xlon", "xlong"}) ||
         (has_token(t, {"x"}) && has_token(t, {"wgs84", "wgs"}));
}

// ---- distinct counting ---------------------------------------------------------

void DistinctCounter::add(std::string_view v) {
  const uint64_t h = mix(hash_value(v));
  if (h == last_) return;  // runs of one value are common (sorted files, flags)
  last_ = h;
  if (overflow_) {
    add_hash(h);
    return;
  }
  if (slots_.empty()) slots_.assign(16, 0);
  const uint64_t key = h != 0 ? h : 1;  // 0 marks an empty slot
  size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>(key >> 16) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == key) return;
    if (slots_[i] != 0) continue;
    slots_[i] = key;
    ++used_;
    break;
  }
  if (used_ > kExactCap) {
    // Switch to HyperLogLog: the stored hashes are exactly what it needs,
    // so nothing seen so far is lost.
    overflow_ = true;
    registers_.assign(size_t{1} << kBits, 0);
    for (uint64_t k : slots_)
      if (k != 0) add_hash(k);
    std::vector<uint64_t>().swap(slots_);
    return;
  }
  // Keep the load factor under 3/4: the exact set then never outgrows
  // 16,384 slots (128 kB), where a bound of 1/2 took 32,768 for its last
  // 1,808 values.  A column of distinct values (identifiers, coordinates)
  // reaches that size in every import of 10,000 rows or more; zeroing and
  // faulting in the tables of a 20-column file took a third of the sniff's
  // time (perf, 10,000 rows), and linear probing at 3/4 still finds a
  // value within a cache line or two.
  if (used_ * 4 > slots_.size() * 3) {
    std::vector<uint64_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, 0);
    mask = slots_.size() - 1;
    for (uint64_t k : old) {
      if (k == 0) continue;
      size_t i = static_cast<size_t>(k >> 16) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = k;
    }
  }
}

void DistinctCounter::add_hash(uint64_t h) {
  size_t idx = static_cast<size_t>(h >> (64 - kBits));
  uint64_t w = (h << kBits) | (uint64_t{1} << (kBits - 1));  // guard bit bounds the rank
  auto rank = static_cast<uint8_t>(__builtin_clzll(w) + 1);
  if (rank > registers_[idx]) registers_[idx] = rank;
}

uint64_t DistinctCounter::count() const {
  if (!overflow_) return used_;
  const double m = static_cast<double>(registers_.size());
  double sum = 0;
  size_t zeros = 0;
  for (uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    if (r == 0) ++zeros;
  }
  double e = (0.7213 / (1 + 1.079 / m)) * m * m / sum;
  if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
  return static_cast<uint64_t>(e + 0.5);
}

// ---- accumulation --------------------------------------------------------------

ColumnInferrer::ColumnInferrer(const InferSettings& s, std::string name)
    : s_(s), name_(std::move(name)) {
  if (!s_.geometry_allowed) cand_ &= ~(kLatLon | kGeoJson | kWkt);
}

void ColumnInferrer::add(std::string_view raw, uint64_t row) {
  std::string_view v = trim_value(raw);
  if (s_.nulls->is_null(v)) {
    ++nulls_;
    return;
  }
  add_value(v, row, true);
}

void ColumnInferrer::add_json(JsonKind kind, std::string_view text, uint64_t row) {
  switch (kind) {
    case JsonKind::Null: ++nulls_; return;
    case JsonKind::String: add(text, row); return;
    case JsonKind::Number:
    case JsonKind::Bool: add_value(text, row, false); return;
    case JsonKind::Nested:
      nested_ = true;
      ++values_;
      stats(text);
      return;
  }
}

void ColumnInferrer::add_value(std::string_view v, uint64_t row, bool /*json_string*/) {
  // Date forms stay under test while at least about half the values are
  // dates (the margin lets a few bad values come first); in a column that
  // is not one, that stops after a handful of values.
  const bool vote_dates = values_ <= 2 * date_values_ + kDateVoteMargin;
  ++values_;
  ValueFlags f;
  const uint32_t alive = cand_ | (vote_dates ? kTemporalBits : 0u);
  const uint32_t seen = alive != 0 ? classify(v, alive, f) : 0;
  if (seen & kTemporalBits) {
    ++date_values_;
    iso_votes_ += (seen & (kDateIso | kIsoTemporal)) != 0;
    dmy_votes_ += (seen & (kDateDmy | kDmyTimestamp)) != 0;
    mdy_votes_ += (seen & kDateMdy) != 0;
    compact_votes_ += (seen & kDateCompact) != 0;
  }
  const uint32_t bits = seen & cand_;
  if (bits == 0 && cand_ != 0) {
    // This value ends the column's last hope of a typed column: remember it
    // for the reason string.
    text_example_ = clip(v);
    text_row_ = row;
    ValueFlags ignored;
    text_pure_ = classify(v, kAllBits & ~(kGeoJson | kWkt), ignored) == 0;
  }
  cand_ &= bits;
  if (bits & kBool) {
    word_bool_ |= f.word_bool;
    zero_ |= f.zero;
    one_ |= f.one;
    if (f.letter) letters_ |= letter_bit(f.letter);
  }
  if (f.leading_zero && (bits & kIntLike)) {
    if (leading_zero_++ == 0) leading_zero_example_ = clip(v);
  }
  if (bits & (kNumDot | kNumComma)) {
    dot_ |= f.dot_decimal;
    if (f.comma_decimal) {
      comma_ = true;
      ++comma_values_;
      if (f.thousands_like) ++thousands_like_;
    }
    double d = 0;
    bool have = false;
    if ((bits & kIntLike) && v.size() <= 18) {
      // Integers: a digit loop is several times cheaper than from_chars.
      int64_t n = 0;
      size_t i = (v[0] == '-' || v[0] == '+') ? 1 : 0;
      for (; i < v.size(); ++i) n = n * 10 + (v[i] - '0');
      d = static_cast<double>(v[0] == '-' ? -n : n);
      have = true;
    } else {
      have = parse_double(v, d);
    }
    if (have) {
      if (!num_seen_ || d < num_min_) num_min_ = d, num_min_text_ = clip(v);
      if (!num_seen_ || d > num_max_) num_max_ = d, num_max_text_ = clip(v);
      num_seen_ = true;
    }
  }
  if (bits & kIsoTemporal) {
    time_ |= f.has_time;
    tz_ |= f.has_tz;
    notz_time_ |= f.has_time && !f.has_tz;
  }
  if (seen & (kDateDmy | kDateMdy)) {
    // Keys as yyyymmdd integers under both readings, for min/max (of a
    // forced column too, hence `seen`).
    int32_t kd = (seen & kDateDmy) ? date_key(v, DateOrder::Dmy) : -1;
    int32_t km = (seen & kDateMdy) ? date_key(v, DateOrder::Mdy) : -1;
    if (kd >= 0) {
      if (!date_seen_ || kd < dmy_min_) dmy_min_ = kd;
      if (!date_seen_ || kd > dmy_max_) dmy_max_ = kd;
    }
    if (km >= 0) {
      if (!date_seen_ || km < mdy_min_) mdy_min_ = km;
      if (!date_seen_ || km > mdy_max_) mdy_max_ = km;
    }
    date_seen_ = true;
  }
  if (bits & (kGeoJson | kWkt)) {
    auto k = static_cast<GeomKind>(f.geom_kind);
    if (!geom_seen_) geom_kind_ = k;
    else if (geom_kind_ != k) geom_kind_ = GeomKind::Unknown;
    geom_all_z_ = geom_all_z_ && f.geom_z;
    if (geom_seen_ && f.srid != srid_) srid_mixed_ = true;
    srid_ = f.srid;
    geom_seen_ = true;
  }
  stats(v);
}

void ColumnInferrer::stats(std::string_view v) {
  distinct_.add(v);
  if (examples_.size() < 5) {
    bool dup = false;
    for (const auto& e : examples_) dup = dup || e == v;
    if (!dup) examples_.push_back(clip(v));
  }
  if (text_min_.empty() && text_max_.empty()) {
    text_min_.assign(v.data(), v.size());
    text_max_ = text_min_;
  } else if (compare_bytes(v, text_min_) < 0) {
    text_min_.assign(v.data(), v.size());
  } else if (compare_bytes(v, text_max_) > 0) {
    text_max_.assign(v.data(), v.size());
  }
}

}  // namespace opendata::ingest
