#include "core/ingest/dialect.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "core/interrupt.hpp"
#include "core/ingest/names.hpp"
#include "core/ingest/type_infer.hpp"

namespace opendata::ingest {

namespace {

constexpr size_t kSampleBytes = 512 * 1024;
constexpr size_t kSampleRecords = 1000;
constexpr size_t kInterruptEveryCells = 65536;

struct Score {
  bool multi = false;   // modal field count >= 2
  long consistent = 0;  // records with the modal field count, minus penalties
  size_t columns = 0;   // the modal field count
};

bool better(const Score& a, const Score& b) {
  if (a.multi != b.multi) return a.multi;
  if (a.consistent != b.consistent) return a.consistent > b.consistent;
  return a.columns > b.columns;
}

Score score(std::string_view sample, CsvDialectChars d, bool truncated) {
  CsvReader r(sample, d, false);
  std::vector<std::string_view> f;
  std::vector<size_t> counts;
  long issues = 0;
  size_t work = 0;
  while (counts.size() < kSampleRecords && r.next(f)) {
    counts.push_back(f.size());
    if ((work += f.size() + 1) >= kInterruptEveryCells) {
      check_interrupts();
      work = 0;
    }
    if (r.quote_issue()) ++issues;
  }
  // The last record of a cut sample may be partial.
  if (truncated && counts.size() > 1 && r.offset() >= sample.size()) counts.pop_back();
  Score s;
  if (counts.empty()) return s;
  std::map<size_t, long> freq;
  for (size_t c : counts) ++freq[c];
  long best = 0;
  for (const auto& [cols, n] : freq)
    if (n >= best) best = n, s.columns = cols;  // ties: the larger count (map order)
  // A multi-column reading must hold for most rows, or it is noise.
  s.multi = s.columns >= 2 && (counts.size() == 1 || static_cast<size_t>(best) * 2 > counts.size());
  // A quote problem means this quote/escape guess split a field wrongly.
  s.consistent = best - 2 * issues;
  return s;
}

}  // namespace

std::string_view dialect_sample(std::string_view text) {
  if (text.size() <= kSampleBytes) return text;
  std::string_view s = text.substr(0, kSampleBytes);
  size_t nl = s.rfind('\n');
  return nl == std::string_view::npos ? s : s.substr(0, nl + 1);
}

CsvDialectChars detect_dialect_chars(std::string_view sample, const CsvOptions& o) {
  const bool truncated = false;
  std::vector<char> delims = o.delimiter ? std::vector<char>{o.delimiter}
                                         : std::vector<char>{';', ',', '\t', '|'};
  std::vector<char> quotes;
  if (o.quote) quotes.push_back(*o.quote);
  else if (sample.find('"') != std::string_view::npos) quotes = {'"'};
  else quotes = {'"', '\''};  // single quotes only when double quotes never occur
  CsvDialectChars best{};
  Score best_score;
  bool have = false;
  for (char q : quotes) {
    std::vector<char> escapes;
    if (o.escape) {
      escapes.push_back(*o.escape == '\\' ? '\\' : q);
    } else {
      escapes.push_back(q);
      // Backslash escaping is only worth testing if \" occurs at all.
      if (q != '\0' && sample.find(std::string{'\\', q}) != std::string_view::npos)
        escapes.push_back('\\');
    }
    for (char e : escapes)
      for (char d : delims) {
        CsvDialectChars c{d, q, e};
        Score s = score(sample, c, truncated);
        if (!have || better(s, best_score)) {
          best = c;
          best_score = s;
          have = true;
        }
      }
  }
  if (!best_score.multi && !o.delimiter) best.delimiter = ',';  // single column
  return best;
}

bool detect_header(std::string_view sample, CsvDialectChars d, const NullSet& nulls) {
  CsvReader r(sample, d, false);
  std::vector<std::string_view> f;
  if (!r.next(f)) return true;
  // Too wide to be a table: the caller refuses it (54011) without profiling.
  if (f.size() > kMaxColumns) return true;
  std::vector<std::string> first(f.begin(), f.end());
  InferSettings s;
  s.nulls = &nulls;
  s.geometry_allowed = false;
  std::vector<ColumnInferrer> cols;
  cols.reserve(first.size());
  for (size_t i = 0; i < first.size(); ++i) cols.emplace_back(s, std::string());
  size_t n = 0;
  size_t work = 0;
  while (n < 200 && r.next(f)) {
    ++n;
    if ((work += cols.size() + f.size()) >= kInterruptEveryCells) {
      check_interrupts();
      work = 0;
    }
    for (size_t i = 0; i < cols.size(); ++i) {
      if (i < f.size()) cols[i].add(f[i], n + 1);
      else cols[i].add_null();
    }
  }
  if (n == 0) return true;
  size_t typed = 0, fitting = 0;
  for (size_t i = 0; i < cols.size(); ++i) {
    ColumnProfile p;
    cols[i].finish(p, nullptr);
    if (p.type == ColumnType::Text || p.non_null_count == 0) continue;
    ++typed;
    std::string_view v = trim_value(first[i]);
    if (nulls.is_null(v)) {
      ++fitting;  // headers are rarely empty: an empty first cell reads as data
      continue;
    }
    ValueFlags fl;
    // A one-letter header ("n", "t") reads as a boolean: it fits only a
    // column that is boolean.
    uint32_t fits = cols[i].candidates();
    if (p.type != ColumnType::Boolean) fits &= ~kBool;
    if (classify(v, fits, fl) != 0) ++fitting;
  }
  return typed == 0 || fitting < typed;
}

}  // namespace opendata::ingest
