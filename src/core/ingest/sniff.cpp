#include "core/ingest/sniff.hpp"

#include <map>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/ingest/csv_reader.hpp"
#include "core/ingest/dialect.hpp"
#include "core/ingest/encoding.hpp"
#include "core/ingest/names.hpp"
#include "core/ingest/plan.hpp"
#include "core/ingest/type_infer.hpp"

namespace opendata::ingest {

namespace {

constexpr size_t kMaxRaggedListed = 100;
// Cells, not rows: a row of 1,600 columns costs 1,600 cells of work.
constexpr uint64_t kInterruptEveryCells = 65536;

// Without a header, the table has as many columns as most sample rows.
size_t modal_field_count(std::string_view sample, CsvDialectChars d) {
  CsvReader r(sample, d, false);
  std::vector<std::string_view> f;
  std::map<size_t, size_t> freq;
  uint64_t work = 0;
  for (int n = 0; n < 1000 && r.next(f); ++n) {
    ++freq[f.size()];
    if ((work += f.size() + 1) >= kInterruptEveryCells) {
      check_interrupts();
      work = 0;
    }
  }
  size_t best = 0, cols = 0;
  for (const auto& [c, n] : freq)
    if (n >= best) best = n, cols = c;
  return cols;
}

std::string line_ending_name(const CsvReader& r) {
  int kinds = (r.lf_count() > 0) + (r.crlf_count() > 0) + (r.cr_count() > 0);
  if (kinds == 0) return "none";
  if (kinds > 1) return "mixed";
  return r.lf_count() ? "lf" : r.crlf_count() ? "crlf" : "cr";
}

bool all_empty(const std::vector<std::string_view>& f, size_t from) {
  for (size_t i = from; i < f.size(); ++i)
    if (!trim_value(f[i]).empty()) return false;
  return true;
}

}  // namespace

SniffReport sniff_csv(std::string_view data, const CsvOptions& o) {
  DecodedText dec = decode_input(data, o.encoding);
  const std::string_view text = dec.text();
  const NullSet nulls = o.null_values ? NullSet(*o.null_values) : NullSet();

  SniffReport rep;
  rep.format = "csv";
  rep.dialect.encoding = dec.encoding;
  rep.dialect.bom_count = dec.bom_count;
  const std::string_view sample = dialect_sample(text);
  CsvDialectChars chars = detect_dialect_chars(sample, o);
  rep.dialect.delimiter = chars.delimiter;
  rep.dialect.quote = chars.quote;
  rep.dialect.escape = chars.escape;
  rep.dialect.header = o.header ? *o.header : detect_header(sample, chars, nulls);
  rep.dialect.detected = !(o.delimiter && o.quote && o.header);

  CsvReader reader(text, chars, true);
  std::vector<std::string_view> f;
  std::vector<std::string> labels;
  if (rep.dialect.header) {
    reader.set_max_fields(kMaxColumns);
    const bool any = reader.next(f);
    reader.set_max_fields(SIZE_MAX);  // long data rows are ragged, not fatal
    if (any) {
      check_column_count(f.size());  // before any work per column
      for (auto v : f) labels.emplace_back(trim_value(v));
    }
  } else {
    size_t n = modal_field_count(sample, chars);
    check_column_count(n);
    for (size_t i = 0; i < n; ++i) labels.push_back("col_" + std::to_string(i + 1));
  }
  const size_t ncols = labels.size();
  if (ncols == 0)
    throw UserError(sqlstate::kBadCopyFileFormat, "CSV file is empty", "The file has no header and no rows.");

  std::vector<std::string> names;
  auto overrides = resolve_columns(labels, o, names);
  const int geo_col = forced_geometry_column(labels, names, o);

  InferSettings plain;
  plain.nulls = &nulls;
  plain.decimal = o.decimal;
  plain.date_format = o.date_format;
  plain.delimiter = chars.delimiter;
  plain.geometry_allowed = o.geometry.kind == GeometryOption::Kind::Auto;
  InferSettings geo = plain;
  geo.geometry_allowed = true;

  std::vector<ColumnInferrer> cols;
  cols.reserve(ncols);
  for (size_t i = 0; i < ncols; ++i)
    cols.emplace_back(static_cast<int>(i) == geo_col ? geo : plain, names[i]);

  uint64_t rows = 0, work = 0;
  while (reader.next(f)) {
    ++rows;
    if ((work += f.size() + ncols) >= kInterruptEveryCells) {
      check_interrupts();
      work = 0;
    }
    const uint64_t row = reader.record_number();
    if (f.size() != ncols && !(f.size() > ncols && all_empty(f, ncols))) {
      // Short rows are padded with NULLs; long rows will be rejected at
      // import.  Trailing empty fields (a delimiter at the end of every
      // line) are not ragged.
      if (rep.ragged_rows.size() < kMaxRaggedListed)
        rep.ragged_rows.push_back(RaggedRow{row, reader.line_number(), f.size(), ncols});
      ++rep.ragged_count;
    }
    const size_t n = std::min(f.size(), ncols);
    for (size_t i = 0; i < n; ++i) cols[i].add(f[i], row);
    for (size_t i = n; i < ncols; ++i) cols[i].add_null();
  }
  rep.row_count = rows;
  rep.dialect.line_ending = line_ending_name(reader);

  for (size_t i = 0; i < ncols; ++i) {
    ColumnProfile p;
    p.name = names[i];
    p.label = labels[i];
    p.source_index = static_cast<int>(i);
    const ColumnType* forced = overrides[i] && overrides[i]->type ? &*overrides[i]->type : nullptr;
    ColumnType geom_type = ColumnType::Geometry;
    if (static_cast<int>(i) == geo_col && !forced) forced = &geom_type;
    cols[i].finish(p, forced);
    rep.columns.push_back(std::move(p));
  }
  // "a;b;" headers (a delimiter at the end of every line) leave an unnamed,
  // empty last column: drop it rather than create col_3 full of NULLs.  The
  // first column always stays: a table needs one (found by the fuzzer).
  while (rep.dialect.header && rep.columns.size() > 1 && rep.columns.back().label.empty() &&
         rep.columns.back().non_null_count == 0 && !rep.columns.back().forced)
    rep.columns.pop_back();
  finish_geometry(rep, o);

  if (rep.ragged_count > 0)
    rep.warnings.push_back(std::to_string(rep.ragged_count) +
                           " rows do not have " + std::to_string(ncols) +
                           " fields: short rows are padded with NULLs, long rows are rejected");
  if (dec.transcoded())
    rep.warnings.push_back(std::string("the file is not valid UTF-8: read as ") +
                           encoding_name(dec.encoding));
  return rep;
}

}  // namespace opendata::ingest
