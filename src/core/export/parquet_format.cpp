#include "core/export/parquet_format.hpp"

#include <zlib.h>

#include <cstring>

#include "core/error.hpp"
#include "core/export/thrift_compact.hpp"
#include "core/export/wkb_reader.hpp"

namespace opendata::exporter::parquet {

using thrift::CompactWriter;
using thrift::Type;
using thrift::Value;

namespace {

void write_logical_type(CompactWriter& w, ConvertedType converted) {
  // LogicalType is a union of (mostly empty) structs.
  switch (converted) {
    case ConvertedType::Utf8:
      w.field_struct(10), w.field_struct(1), w.end_struct(), w.end_struct();
      break;
    case ConvertedType::Date:
      w.field_struct(10), w.field_struct(6), w.end_struct(), w.end_struct();
      break;
    case ConvertedType::Json:
      w.field_struct(10), w.field_struct(12), w.end_struct(), w.end_struct();
      break;
    case ConvertedType::Int64:
      w.field_struct(10);
      w.field_struct(10);
      w.field_byte(1, 64);
      w.field_bool(2, true);
      w.end_struct();
      w.end_struct();
      break;
    case ConvertedType::TimestampMicros:
      w.field_struct(10);
      w.field_struct(8);
      w.field_bool(1, true);  // isAdjustedToUTC
      w.field_struct(2);      // unit
      w.field_struct(2);      // MICROS
      w.end_struct();
      w.end_struct();
      w.end_struct();
      w.end_struct();
      break;
    case ConvertedType::None:
      break;
  }
}

}  // namespace

void write_file_meta(const FileMeta& meta, std::string& out) {
  CompactWriter w(out);
  w.begin_struct();
  w.field_i32(1, 1);  // version
  w.field_list(2, Type::Struct, meta.schema.size() + 1);
  w.begin_struct();  // the root
  w.field_binary(4, "schema");
  w.field_i32(5, static_cast<std::int32_t>(meta.schema.size()));
  w.end_struct();
  for (const SchemaColumn& c : meta.schema) {
    w.begin_struct();
    w.field_i32(1, static_cast<std::int32_t>(c.type));
    w.field_i32(3, 1);  // OPTIONAL
    w.field_binary(4, c.name);
    if (c.converted != ConvertedType::None) w.field_i32(6, static_cast<std::int32_t>(c.converted));
    write_logical_type(w, c.converted);
    w.end_struct();
  }
  w.field_i64(3, meta.num_rows);
  w.field_list(4, Type::Struct, meta.row_groups.size());
  for (const RowGroupMeta& g : meta.row_groups) {
    w.begin_struct();
    w.field_list(1, Type::Struct, g.columns.size());
    for (const ColumnChunkMeta& c : g.columns) {
      w.begin_struct();
      w.field_i64(2, c.data_page_offset);
      w.field_struct(3);
      w.field_i32(1, static_cast<std::int32_t>(c.type));
      w.field_list(2, Type::I32, 2);
      w.element_i32(0);  // PLAIN
      w.element_i32(3);  // RLE
      w.field_list(3, Type::Binary, 1);
      w.element_binary(c.name);
      w.field_i32(4, static_cast<std::int32_t>(c.codec));
      w.field_i64(5, c.num_values);
      w.field_i64(6, c.total_uncompressed_size);
      w.field_i64(7, c.total_compressed_size);
      w.field_i64(9, c.data_page_offset);
      w.end_struct();
      w.end_struct();
    }
    w.field_i64(2, g.total_byte_size);
    w.field_i64(3, g.num_rows);
    w.end_struct();
  }
  if (!meta.key_values.empty()) {
    w.field_list(5, Type::Struct, meta.key_values.size());
    for (const auto& [k, v] : meta.key_values) {
      w.begin_struct();
      w.field_binary(1, k);
      w.field_binary(2, v);
      w.end_struct();
    }
  }
  if (!meta.created_by.empty()) w.field_binary(6, meta.created_by);
  w.end_struct();
}

namespace {

[[noreturn]] void malformed(const std::string& what) {
  throw UserError(sqlstate::kInvalidBinaryRepresentation, "not a readable Parquet file: " + what);
}

std::int64_t int_field(const Value& s, std::int16_t id, bool required = true) {
  const Value* v = s.field(id);
  if (v == nullptr || v->type == Type::Struct || v->type == Type::List || v->type == Type::Binary) {
    if (required) malformed("missing field " + std::to_string(id));
    return 0;
  }
  return v->i;
}

const Value& struct_field(const Value& s, std::int16_t id) {
  const Value* v = s.field(id);
  if (v == nullptr || v->type != Type::Struct) malformed("missing struct " + std::to_string(id));
  return *v;
}

const Value& list_field(const Value& s, std::int16_t id) {
  const Value* v = s.field(id);
  if (v == nullptr || v->type != Type::List) malformed("missing list " + std::to_string(id));
  return *v;
}

std::uint32_t le32(std::string_view s, std::size_t pos) {
  if (pos > s.size() || s.size() - pos < 4) malformed("truncated");
  const auto* p = reinterpret_cast<const unsigned char*>(s.data() + pos);
  return p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

std::string gunzip(std::string_view in, std::size_t expected) {
  std::string out(expected, '\0');
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) malformed("zlib");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const std::size_t got = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END || got != expected) malformed("bad gzip page");
  return out;
}

// Definition levels of width 1 in the RLE/bit-packing hybrid.
std::vector<bool> read_levels(std::string_view in, std::size_t n) {
  std::vector<bool> levels;
  std::size_t pos = 0;
  while (levels.size() < n) {
    std::uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      if (pos >= in.size() || shift > 35) malformed("levels truncated");
      const auto b = static_cast<unsigned char>(in[pos++]);
      header |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) break;
    }
    if (header & 1) {  // bit-packed groups of 8
      const std::uint64_t groups = header >> 1;
      if (groups > in.size() - pos) malformed("levels truncated");
      for (std::uint64_t k = 0; k < groups * 8 && levels.size() < n; ++k)
        levels.push_back((static_cast<unsigned char>(in[pos + k / 8]) >> (k % 8)) & 1);
      pos += groups;
    } else {  // a run of one value, in one byte
      const std::uint64_t run = header >> 1;
      if (pos >= in.size()) malformed("levels truncated");
      const bool value = in[pos++] & 1;
      if (run > n - levels.size()) malformed("run longer than the page");
      levels.insert(levels.end(), run, value);
      if (run == 0) malformed("empty run");
    }
  }
  return levels;
}

void read_chunk(std::string_view file, const ColumnChunkMeta& meta, bool optional, std::vector<ReadValue>& out) {
  if (meta.data_page_offset < 4 || static_cast<std::uint64_t>(meta.data_page_offset) >= file.size())
    malformed("page offset outside the file");
  std::size_t pos = static_cast<std::size_t>(meta.data_page_offset);
  const Value header = thrift::read_struct(file, pos);
  if (int_field(header, 1) != 0) malformed("only data pages v1 are read");
  const std::int64_t raw_size = int_field(header, 2);
  const std::int64_t stored_size = int_field(header, 3);
  const Value& data = struct_field(header, 5);
  const std::int64_t n = int_field(data, 1);
  if (int_field(data, 2) != 0) malformed("only PLAIN values are read");
  if (stored_size < 0 || static_cast<std::uint64_t>(stored_size) > file.size() - pos || raw_size < 0 ||
      raw_size > (std::int64_t{1} << 30) || n < 0 || n > raw_size * 8 + 8)
    malformed("page sizes");
  std::string_view stored = file.substr(pos, static_cast<std::size_t>(stored_size));
  std::string page;
  if (meta.codec == Codec::Gzip) page = gunzip(stored, static_cast<std::size_t>(raw_size));
  else if (meta.codec == Codec::Uncompressed) page.assign(stored);
  else malformed("unsupported codec");
  std::string_view p = page;
  std::size_t vpos = 0;
  std::vector<bool> defined(static_cast<std::size_t>(n), true);
  if (optional) {
    const std::uint32_t len = le32(p, 0);
    if (len > p.size() - 4) malformed("levels longer than the page");
    defined = read_levels(p.substr(4, len), static_cast<std::size_t>(n));
    vpos = 4 + len;
  }
  std::size_t bit = 0;
  for (std::size_t r = 0; r < defined.size(); ++r) {
    ReadValue v;
    v.defined = defined[r];
    if (v.defined) {
      switch (meta.type) {
        case PhysicalType::Boolean:
          if (vpos + bit / 8 >= p.size()) malformed("values truncated");
          v.i = (static_cast<unsigned char>(p[vpos + bit / 8]) >> (bit % 8)) & 1;
          ++bit;
          break;
        case PhysicalType::Int32:
          v.i = static_cast<std::int32_t>(le32(p, vpos));
          vpos += 4;
          break;
        case PhysicalType::Int64:
        case PhysicalType::Double: {
          const std::uint64_t lo = le32(p, vpos), hi = le32(p, vpos + 4);
          const std::uint64_t bits = lo | hi << 32;
          v.i = static_cast<std::int64_t>(bits);
          std::memcpy(&v.d, &bits, 8);
          vpos += 8;
          break;
        }
        case PhysicalType::ByteArray: {
          const std::uint32_t len = le32(p, vpos);
          if (len > p.size() - vpos - 4) malformed("value longer than the page");
          v.bytes.assign(p.substr(vpos + 4, len));
          vpos += 4 + len;
          break;
        }
        default:
          malformed("unsupported physical type");
      }
    }
    out.push_back(std::move(v));
  }
}

}  // namespace

Table read_file(std::string_view file) {
  if (file.size() < 12 || file.substr(0, 4) != "PAR1" || file.substr(file.size() - 4) != "PAR1")
    malformed("no PAR1 magic");
  const std::uint32_t footer_len = le32(file, file.size() - 8);
  if (footer_len > file.size() - 12) malformed("footer longer than the file");
  std::size_t pos = file.size() - 8 - footer_len;
  const Value meta = thrift::read_struct(file, pos);

  Table t;
  t.meta.num_rows = int_field(meta, 3);
  const Value& schema = list_field(meta, 2);
  std::vector<bool> optional;
  for (std::size_t k = 1; k < schema.items.size(); ++k) {  // [0] is the root
    const Value& e = schema.items[k];
    if (e.type != Type::Struct) malformed("schema element");
    if (e.field(5) != nullptr) malformed("nested schemas are not read");
    const Value* name = e.field(4);
    if (name == nullptr || name->type != Type::Binary) malformed("column without a name");
    const std::int64_t rep = int_field(e, 3, false);
    if (rep == 2) malformed("repeated columns are not read");
    optional.push_back(rep == 1);
    t.meta.schema.push_back({std::string(name->bytes), static_cast<PhysicalType>(int_field(e, 1)),
                             e.field(6) ? static_cast<ConvertedType>(int_field(e, 6)) : ConvertedType::None});
  }
  if (const Value* kv = meta.field(5); kv != nullptr && kv->type == Type::List) {
    for (const Value& item : kv->items) {
      const Value* k = item.field(1);
      const Value* v = item.field(2);
      if (k != nullptr && k->type == Type::Binary)
        t.meta.key_values.emplace_back(std::string(k->bytes), v && v->type == Type::Binary ? std::string(v->bytes) : "");
    }
  }
  t.columns.resize(t.meta.schema.size());
  const Value& groups = list_field(meta, 4);
  for (const Value& g : groups.items) {
    if (g.type != Type::Struct) malformed("row group");
    const Value& chunks = list_field(g, 1);
    if (chunks.items.size() != t.meta.schema.size()) malformed("row group columns");
    RowGroupMeta group;
    group.num_rows = int_field(g, 3);
    for (std::size_t k = 0; k < chunks.items.size(); ++k) {
      const Value& md = struct_field(chunks.items[k], 3);
      ColumnChunkMeta c;
      c.name = t.meta.schema[k].name;
      c.type = static_cast<PhysicalType>(int_field(md, 1));
      c.codec = static_cast<Codec>(int_field(md, 4));
      c.num_values = int_field(md, 5);
      c.data_page_offset = int_field(md, 9);
      const std::size_t before = t.columns[k].size();
      read_chunk(file, c, optional[k], t.columns[k]);
      if (static_cast<std::int64_t>(t.columns[k].size() - before) != group.num_rows)
        malformed("column chunk rows differ from the row group's");
      group.columns.push_back(c);
    }
    t.meta.row_groups.push_back(std::move(group));
  }
  for (const auto& col : t.columns)
    if (static_cast<std::int64_t>(col.size()) != t.meta.num_rows) malformed("row count differs from num_rows");
  return t;
}

}  // namespace opendata::exporter::parquet
