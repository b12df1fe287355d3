#include "core/export/thrift_compact.hpp"

#include <cstring>

#include "core/error.hpp"
#include "core/export/wkb_reader.hpp"

namespace opendata::exporter::thrift {

void CompactWriter::varint(std::uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void CompactWriter::field_header(std::int16_t id, Type type) {
  std::int16_t& last = last_ids_.back();
  const int delta = id - last;
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {
    out_.push_back(static_cast<char>(type));
    varint(zigzag(id));
  }
  last = id;
}

void CompactWriter::end_struct() {
  out_.push_back(static_cast<char>(Type::Stop));
  last_ids_.pop_back();
}

void CompactWriter::field_i32(std::int16_t id, std::int32_t v) {
  field_header(id, Type::I32);
  varint(zigzag(v));
}

void CompactWriter::field_i64(std::int16_t id, std::int64_t v) {
  field_header(id, Type::I64);
  varint(zigzag(v));
}

void CompactWriter::field_bool(std::int16_t id, bool v) { field_header(id, v ? Type::True : Type::False); }

void CompactWriter::field_byte(std::int16_t id, std::int8_t v) {
  field_header(id, Type::Byte);
  out_.push_back(static_cast<char>(v));
}

void CompactWriter::field_binary(std::int16_t id, std::string_view v) {
  field_header(id, Type::Binary);
  element_binary(v);
}

void CompactWriter::element_binary(std::string_view v) {
  varint(v.size());
  out_.append(v);
}

void CompactWriter::field_struct(std::int16_t id) {
  field_header(id, Type::Struct);
  begin_struct();
}

void CompactWriter::field_list(std::int16_t id, Type element, std::size_t size) {
  field_header(id, Type::List);
  if (size < 15) {
    out_.push_back(static_cast<char>((size << 4) | static_cast<int>(element)));
  } else {
    out_.push_back(static_cast<char>(0xF0 | static_cast<int>(element)));
    varint(size);
  }
}

const Value* Value::field(std::int16_t id) const {
  for (const auto& [fid, v] : fields)
    if (fid == id) return &v;
  return nullptr;
}

namespace {

constexpr int kMaxDepth = 32;

[[noreturn]] void malformed(const char* what) {
  throw UserError(sqlstate::kInvalidBinaryRepresentation, std::string("malformed Thrift metadata: ") + what);
}

std::uint8_t byte_at(std::string_view in, std::size_t& pos) {
  if (pos >= in.size()) malformed("unexpected end");
  return static_cast<std::uint8_t>(in[pos++]);
}

std::uint64_t read_varint(std::string_view in, std::size_t& pos) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const std::uint8_t b = byte_at(in, pos);
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  malformed("varint too long");
}

std::int64_t read_zigzag(std::string_view in, std::size_t& pos) {
  const std::uint64_t u = read_varint(in, pos);
  return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
}

Value read_value(std::string_view in, std::size_t& pos, Type type, int depth);

Value read_struct_at(std::string_view in, std::size_t& pos, int depth) {
  if (depth > kMaxDepth) malformed("nested too deep");
  Value s;
  s.type = Type::Struct;
  std::int16_t last = 0;
  while (true) {
    const std::uint8_t h = byte_at(in, pos);
    const auto type = static_cast<Type>(h & 0x0F);
    if (type == Type::Stop) return s;
    std::int64_t id = (h >> 4) != 0 ? last + (h >> 4) : read_zigzag(in, pos);
    if (id < INT16_MIN || id > INT16_MAX) malformed("field id out of range");
    last = static_cast<std::int16_t>(id);
    if (type == Type::True || type == Type::False) {
      Value b;
      b.type = Type::True;
      b.i = type == Type::True;
      s.fields.emplace_back(last, std::move(b));
    } else {
      s.fields.emplace_back(last, read_value(in, pos, type, depth + 1));
    }
  }
}

Value read_value(std::string_view in, std::size_t& pos, Type type, int depth) {
  Value v;
  v.type = type;
  switch (type) {
    case Type::True:
    case Type::False:  // a bool inside a list: one byte
      v.i = byte_at(in, pos) == 1;
      v.type = Type::True;
      return v;
    case Type::Byte:
      v.i = static_cast<std::int8_t>(byte_at(in, pos));
      return v;
    case Type::I16:
    case Type::I32:
    case Type::I64:
      v.i = read_zigzag(in, pos);
      return v;
    case Type::Double: {
      if (in.size() - pos < 8) malformed("unexpected end");
      std::memcpy(&v.d, in.data() + pos, 8);
      pos += 8;
      return v;
    }
    case Type::Binary: {
      const std::uint64_t n = read_varint(in, pos);
      if (n > in.size() - pos) malformed("binary longer than the input");
      v.bytes = in.substr(pos, n);
      pos += n;
      return v;
    }
    case Type::List:
    case Type::Set: {
      const std::uint8_t h = byte_at(in, pos);
      std::uint64_t n = h >> 4;
      if (n == 15) n = read_varint(in, pos);
      v.element = static_cast<Type>(h & 0x0F);
      // Every element takes at least one byte.
      if (n > in.size() - pos) malformed("list longer than the input");
      if (depth > kMaxDepth) malformed("nested too deep");
      for (std::uint64_t k = 0; k < n; ++k) v.items.push_back(read_value(in, pos, v.element, depth + 1));
      return v;
    }
    case Type::Struct:
      return read_struct_at(in, pos, depth);
    case Type::Map:
    case Type::Stop:
      break;
  }
  malformed("unsupported type");
}

}  // namespace

Value read_struct(std::string_view in, std::size_t& pos) { return read_struct_at(in, pos, 0); }

}  // namespace opendata::exporter::thrift
