// Thrift's compact protocol, the encoding of Parquet's metadata (the file
// footer and each page header): just what a Parquet writer and a test
// reader need.  https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
//
// The writer appends to a std::string; structs nest, each remembering the
// last field id written so that field headers carry the short delta form.
// The reader is bounded and throws UserError 22P03 on anything malformed:
// it reads untrusted bytes (the fuzz target test/fuzz/parquet_fuzz.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace opendata::exporter::thrift {

enum class Type : std::uint8_t {
  Stop = 0,
  True = 1,
  False = 2,
  Byte = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  Double = 7,
  Binary = 8,
  List = 9,
  Set = 10,
  Map = 11,
  Struct = 12,
};

class CompactWriter {
 public:
  explicit CompactWriter(std::string& out) : out_(out) {}

  void begin_struct() { last_ids_.push_back(0); }
  void end_struct();  // writes the stop byte

  void field_i32(std::int16_t id, std::int32_t v);
  void field_i64(std::int16_t id, std::int64_t v);
  void field_bool(std::int16_t id, bool v);
  void field_byte(std::int16_t id, std::int8_t v);
  void field_binary(std::int16_t id, std::string_view v);
  // A struct field: begin_struct() is implied; close it with end_struct().
  void field_struct(std::int16_t id);
  // A list field's header; then write `size` elements with the element
  // writers below (structs: begin_struct() ... end_struct() each).
  void field_list(std::int16_t id, Type element, std::size_t size);

  void element_i32(std::int32_t v) { varint(zigzag(v)); }
  void element_binary(std::string_view v);

 private:
  static std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  }
  void varint(std::uint64_t v);
  void field_header(std::int16_t id, Type type);

  std::string& out_;
  std::vector<std::int16_t> last_ids_;
};

// A decoded value: what the test reader and the fuzz target walk.
struct Value {
  Type type = Type::Stop;
  std::int64_t i = 0;                          // bool (0/1), byte, i16, i32, i64
  double d = 0;                                // double
  std::string_view bytes;                      // binary (a view into the input)
  std::vector<std::pair<std::int16_t, Value>> fields;  // struct
  std::vector<Value> items;                    // list, set
  Type element = Type::Stop;                   // list, set

  // The field with this id, or nullptr.
  const Value* field(std::int16_t id) const;
};

// Reads one struct at `pos`, advancing it.  Depth and sizes are bounded by
// the input: a list claims no more elements than bytes remain.
Value read_struct(std::string_view in, std::size_t& pos);

}  // namespace opendata::exporter::thrift
