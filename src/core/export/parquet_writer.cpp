#include "core/export/parquet_writer.hpp"

#include <zlib.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/export/iso_wkb.hpp"
#include "core/export/parquet_format.hpp"
#include "core/export/thrift_compact.hpp"

namespace opendata::exporter {
namespace {

using parquet::Codec;
using parquet::ConvertedType;
using parquet::PhysicalType;
using thrift::CompactWriter;

constexpr std::size_t kMaxGroupBytes = 64u << 20;

[[noreturn]] void bad_datetime(std::string_view iso) {
  throw UserError(sqlstate::kInvalidDatetimeFormat, "invalid date or date-time for Parquet: \"" + std::string(iso) + "\"");
}

// Reads `width` digits at `pos` of `s`.
bool digits(std::string_view s, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > s.size()) return false;
  out = 0;
  for (std::size_t k = pos; k < pos + width; ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
    out = out * 10 + (s[k] - '0');
  }
  return true;
}

// Howard Hinnant's days_from_civil.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t date_days(std::string_view iso, std::size_t& pos) {
  int y, m, d;
  if (!digits(iso, 0, 4, y) || iso.size() < 10 || iso[4] != '-' || !digits(iso, 5, 2, m) || iso[7] != '-' ||
      !digits(iso, 8, 2, d) || m < 1 || m > 12 || d < 1 || d > 31)
    bad_datetime(iso);
  pos = 10;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

// Physical and logical type of a column kind.
struct ColumnType {
  PhysicalType physical;
  ConvertedType converted;  // None: no converted type
};

ColumnType type_of(CellKind kind) {
  switch (kind) {
    case CellKind::Integer:
      return {PhysicalType::Int64, ConvertedType::Int64};
    case CellKind::Number:
      return {PhysicalType::Double, ConvertedType::None};
    case CellKind::Boolean:
      return {PhysicalType::Boolean, ConvertedType::None};
    case CellKind::Date:
      return {PhysicalType::Int32, ConvertedType::Date};
    case CellKind::DateTime:
      return {PhysicalType::Int64, ConvertedType::TimestampMicros};
    case CellKind::Geometry:
      return {PhysicalType::ByteArray, ConvertedType::None};
    case CellKind::Json:
    case CellKind::Array:
      return {PhysicalType::ByteArray, ConvertedType::Json};
    case CellKind::Text:
    case CellKind::Null:
      break;
  }
  return {PhysicalType::ByteArray, ConvertedType::Utf8};
}

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
}

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Booleans (definition levels of width 1, or BOOLEAN values) bit-packed,
// least significant bit first.
void append_bits(std::string& out, const std::vector<bool>& bits) {
  for (std::size_t k = 0; k < bits.size(); k += 8) {
    unsigned char byte = 0;
    for (std::size_t b = 0; b < 8 && k + b < bits.size(); ++b)
      if (bits[k + b]) byte |= static_cast<unsigned char>(1u << b);
    out.push_back(static_cast<char>(byte));
  }
}

std::string gzip(const std::string& in) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer, as codec GZIP requires.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw UserError(sqlstate::kInternalError, "zlib could not start");
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw UserError(sqlstate::kInternalError, "zlib could not compress a page");
  return out;
}

const char* geometry_type_name(std::uint32_t iso) {
  static const char* const names[] = {nullptr, "Point", "LineString", "Polygon", "MultiPoint",
                                      "MultiLineString", "MultiPolygon", "GeometryCollection"};
  const std::uint32_t base = iso % 1000;
  if (base < 1 || base > 7 || (iso / 1000 != 0 && iso / 1000 != 1)) return nullptr;
  return names[base];
}

struct ColumnChunk {
  std::vector<bool> defined;    // one per row of the group
  std::vector<bool> booleans;   // BOOLEAN values
  std::string values;           // PLAIN values of the other types
  // Whole file, for the GeoParquet metadata.
  std::set<std::uint32_t> geometry_types;
  double bbox[4] = {0, 0, 0, 0};
  bool has_bbox = false;
};

class ParquetWriter final : public Writer {
 public:
  ParquetWriter(std::vector<Column> columns, const ExportOptions& options, std::size_t rows_per_group)
      : Writer(std::move(columns), options), rows_per_group_(rows_per_group == 0 ? 1 : rows_per_group) {
    for (const Column& c : columns_) types_.push_back(type_of(c.kind));
    chunks_.resize(columns_.size());
  }

 private:
  void emit(const std::string& bytes) {
    out_ += bytes;
    written_ += bytes.size();
  }

  void write_begin() override { emit("PAR1"); }

  void write_row(const Cell* cells) override {
    // Remember where every chunk stood, so a row that fails leaves none of
    // its values behind (the base class rolls back the output buffer).
    std::vector<std::size_t> sizes;
    sizes.reserve(chunks_.size());
    for (const ColumnChunk& c : chunks_) sizes.push_back(c.values.size());
    std::size_t k = 0;
    try {
      for (; k < columns_.size(); ++k) append_cell(k, cells[k]);
    } catch (...) {
      for (std::size_t j = 0; j < chunks_.size(); ++j) {
        ColumnChunk& c = chunks_[j];
        c.values.resize(sizes[j]);
        if (c.defined.size() > group_rows_) {
          if (c.defined.back() && types_[j].physical == PhysicalType::Boolean) c.booleans.pop_back();
          c.defined.pop_back();
        }
      }
      throw;
    }
    ++group_rows_;
    std::size_t bytes = 0;
    for (const ColumnChunk& c : chunks_) bytes += c.values.size();
    if (group_rows_ >= rows_per_group_ || bytes >= kMaxGroupBytes) flush_group();
  }

  void append_cell(std::size_t k, const Cell& cell) {
    ColumnChunk& c = chunks_[k];
    if (cell.kind == CellKind::Null) {
      c.defined.push_back(false);
      return;
    }
    switch (types_[k].physical) {
      case PhysicalType::Boolean:
        c.booleans.push_back(cell.kind == CellKind::Boolean ? cell.v.b : cell.text == "true");
        break;
      case PhysicalType::Int32:
        put_le(c.values, static_cast<std::uint32_t>(parquet_date(cell.text)), 4);
        break;
      case PhysicalType::Int64:
        put_le(c.values, static_cast<std::uint64_t>(columns_[k].kind == CellKind::DateTime
                                                        ? parquet_timestamp(cell.text)
                                                        : integer_of(cell)),
               8);
        break;
      case PhysicalType::Double: {
        const double d = number_of(cell);
        std::uint64_t bits;
        std::memcpy(&bits, &d, 8);
        put_le(c.values, bits, 8);
        break;
      }
      default:
        append_bytes(k, cell);
        break;
    }
    c.defined.push_back(true);
  }

  static std::int64_t integer_of(const Cell& cell) {
    if (!cell.is_text) return cell.kind == CellKind::Number ? static_cast<std::int64_t>(cell.v.d) : cell.v.i;
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(cell.text.data(), cell.text.data() + cell.text.size(), v);
    if (ec != std::errc() || end != cell.text.data() + cell.text.size())
      throw UserError(sqlstate::kInvalidTextRepresentation, "invalid integer \"" + std::string(cell.text) + "\"");
    return v;
  }

  static double number_of(const Cell& cell) {
    if (!cell.is_text) return cell.kind == CellKind::Integer ? static_cast<double>(cell.v.i) : cell.v.d;
    const std::string s(cell.text);
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0')
      throw UserError(sqlstate::kInvalidTextRepresentation, "invalid number \"" + s + "\"");
    return d;
  }

  void append_bytes(std::size_t k, const Cell& cell) {
    ColumnChunk& c = chunks_[k];
    std::string bytes;
    if (columns_[k].kind == CellKind::Geometry) {
      const IsoWkbInfo info = append_iso_wkb(cell.text, bytes);
      c.geometry_types.insert(info.type);
      if (info.has_bbox) {
        if (!c.has_bbox) {
          std::copy(info.bbox, info.bbox + 4, c.bbox);
          c.has_bbox = true;
        } else {
          c.bbox[0] = std::min(c.bbox[0], info.bbox[0]);
          c.bbox[1] = std::min(c.bbox[1], info.bbox[1]);
          c.bbox[2] = std::max(c.bbox[2], info.bbox[2]);
          c.bbox[3] = std::max(c.bbox[3], info.bbox[3]);
        }
      }
    } else if (cell.kind == CellKind::Array) {
      append_json_value(bytes, cell, geometry_options_);
    } else if (cell.kind == CellKind::Integer || cell.kind == CellKind::Number || cell.kind == CellKind::Boolean) {
      if (cell.is_text) bytes.assign(cell.text);
      else append_json_value(bytes, cell, geometry_options_);
    } else {
      bytes.assign(cell.text);
    }
    put_le(c.values, bytes.size(), 4);
    c.values += bytes;
  }

  // One data page per column: definition levels then values, compressed.
  void flush_group() {
    if (group_rows_ == 0) return;
    parquet::RowGroupMeta group;
    group.num_rows = group_rows_;
    for (std::size_t k = 0; k < columns_.size(); ++k) {
      ColumnChunk& c = chunks_[k];
      std::string levels;
      put_varint(levels, ((c.defined.size() + 7) / 8) << 1 | 1);  // one bit-packed run
      append_bits(levels, c.defined);
      std::string page;
      put_le(page, levels.size(), 4);
      page += levels;
      if (types_[k].physical == PhysicalType::Boolean) append_bits(page, c.booleans);
      else page += c.values;
      const std::string compressed = gzip(page);

      std::string header;
      CompactWriter h(header);
      h.begin_struct();
      h.field_i32(1, 0);  // DATA_PAGE
      h.field_i32(2, static_cast<std::int32_t>(page.size()));
      h.field_i32(3, static_cast<std::int32_t>(compressed.size()));
      h.field_struct(5);
      h.field_i32(1, static_cast<std::int32_t>(c.defined.size()));
      h.field_i32(2, 0);  // PLAIN
      h.field_i32(3, 3);  // RLE definition levels
      h.field_i32(4, 3);  // RLE repetition levels (none: flat schema)
      h.end_struct();
      h.end_struct();

      parquet::ColumnChunkMeta meta;
      meta.name = columns_[k].name;
      meta.type = types_[k].physical;
      meta.codec = Codec::Gzip;
      meta.num_values = static_cast<std::int64_t>(c.defined.size());
      meta.data_page_offset = static_cast<std::int64_t>(written_);
      meta.total_uncompressed_size = static_cast<std::int64_t>(header.size() + page.size());
      meta.total_compressed_size = static_cast<std::int64_t>(header.size() + compressed.size());
      group.total_byte_size += meta.total_uncompressed_size;
      group.columns.push_back(meta);
      emit(header);
      emit(compressed);
      c.defined.clear();
      c.booleans.clear();
      c.values.clear();
    }
    total_rows_ += group_rows_;
    groups_.push_back(std::move(group));
    group_rows_ = 0;
  }

  void write_finish() override {
    flush_group();
    parquet::FileMeta file;
    file.num_rows = static_cast<std::int64_t>(total_rows_);
    file.row_groups = groups_;
    for (std::size_t k = 0; k < columns_.size(); ++k)
      file.schema.push_back({columns_[k].name, types_[k].physical, types_[k].converted});
    const std::string geo = geo_metadata();
    if (!geo.empty()) file.key_values.emplace_back("geo", geo);
    file.created_by = "opendata";
    std::string footer;
    parquet::write_file_meta(file, footer);
    std::string tail;
    put_le(tail, footer.size(), 4);
    emit(footer);
    emit(tail + "PAR1");
  }

  // GeoParquet 1.1: https://geoparquet.org/releases/v1.1.0/
  std::string geo_metadata() const {
    nlohmann::json columns = nlohmann::json::object();
    std::string primary;
    for (std::size_t k = 0; k < columns_.size(); ++k) {
      if (columns_[k].kind != CellKind::Geometry) continue;
      const ColumnChunk& c = chunks_[k];
      nlohmann::json types = nlohmann::json::array();
      for (std::uint32_t t : c.geometry_types) {
        const char* name = geometry_type_name(t);
        if (name == nullptr) {  // M, curves, TINs: GeoParquet has no name for them
          types = nlohmann::json::array();
          break;
        }
        types.push_back(std::string(name) + (t >= 1000 ? " Z" : ""));
      }
      nlohmann::json col = {{"encoding", "WKB"}, {"geometry_types", types}};
      if (c.has_bbox) col["bbox"] = {c.bbox[0], c.bbox[1], c.bbox[2], c.bbox[3]};
      columns[columns_[k].name] = col;
      if (primary.empty()) primary = columns_[k].name;
    }
    if (primary.empty()) return {};
    return nlohmann::json{{"version", "1.1.0"}, {"primary_column", primary}, {"columns", columns}}.dump();
  }

  std::size_t rows_per_group_;
  std::vector<ColumnType> types_;
  std::vector<ColumnChunk> chunks_;
  std::vector<parquet::RowGroupMeta> groups_;
  std::size_t group_rows_ = 0;
  std::uint64_t total_rows_ = 0;
  std::uint64_t written_ = 0;  // bytes emitted since begin(): the file offset
};

}  // namespace

std::int32_t parquet_date(std::string_view iso) {
  std::size_t pos = 0;
  const std::int64_t days = date_days(iso, pos);
  if (pos != iso.size()) bad_datetime(iso);
  return static_cast<std::int32_t>(days);
}

std::int64_t parquet_timestamp(std::string_view iso) {
  std::size_t pos = 0;
  const std::int64_t days = date_days(iso, pos);
  int hh = 0, mm = 0, ss = 0;
  std::int64_t micros = 0;
  if (pos < iso.size()) {
    if ((iso[pos] != 'T' && iso[pos] != ' ') || !digits(iso, pos + 1, 2, hh) || iso.size() < pos + 9 ||
        iso[pos + 3] != ':' || !digits(iso, pos + 4, 2, mm) || iso[pos + 6] != ':' || !digits(iso, pos + 7, 2, ss) ||
        hh > 24 || mm > 59 || ss > 60)
      bad_datetime(iso);
    pos += 9;
    if (pos < iso.size() && iso[pos] == '.') {
      std::int64_t scale = 100000;
      for (++pos; pos < iso.size() && iso[pos] >= '0' && iso[pos] <= '9'; ++pos) {
        micros += (iso[pos] - '0') * scale;
        scale /= 10;
      }
    }
  }
  std::int64_t offset_s = 0;
  if (pos < iso.size()) {
    if (iso[pos] == 'Z' && pos + 1 == iso.size()) {
      pos = iso.size();
    } else if (iso[pos] == '+' || iso[pos] == '-') {
      const int sign = iso[pos] == '-' ? -1 : 1;
      int oh = 0, om = 0, os = 0;
      if (!digits(iso, pos + 1, 2, oh)) bad_datetime(iso);
      pos += 3;
      if (pos < iso.size() && iso[pos] == ':') ++pos;
      if (pos < iso.size()) {
        if (!digits(iso, pos, 2, om)) bad_datetime(iso);
        pos += 2;
      }
      if (pos < iso.size() && iso[pos] == ':') {
        if (!digits(iso, pos + 1, 2, os)) bad_datetime(iso);
        pos += 3;
      }
      offset_s = sign * (oh * 3600 + om * 60 + os);
    }
  }
  if (pos != iso.size()) bad_datetime(iso);
  return ((days * 86400 + hh * 3600 + mm * 60 + ss) - offset_s) * 1000000 + micros;
}

std::unique_ptr<Writer> make_parquet_writer(std::vector<Column> columns, const ExportOptions& options,
                                            std::size_t rows_per_group) {
  return std::make_unique<ParquetWriter>(std::move(columns), options, rows_per_group);
}

}  // namespace opendata::exporter
