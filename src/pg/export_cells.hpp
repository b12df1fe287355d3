// PostgreSQL values -> export cells (src/core/export/cell.hpp), column by
// column, decided once from a TupleDesc.  Shared by the export functions
// (src/pg/export.cpp, rows of a cursor) and the media-type aggregates
// (src/pg/export_agg.cpp, rows of any relation PostgREST reads).
//
// Cells point into the tuple, into memory palloc'd in the current memory
// context, or into buffers held here; they stay valid until the next
// fill() on the same object, or until that memory context is reset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/export/cell.hpp"
#include "pg/guard.hpp"

namespace opendata::pg {

class CellConverter {
 public:
  // bytea_is_geometry: a bytea column holds WKB (the export functions select
  // ST_AsBinary(geom)); otherwise bytea is written as PostgreSQL prints it.
  // Every PostgreSQL call goes through pg::call.
  CellConverter(TupleDesc desc, bool bytea_is_geometry);

  // The kind the non-null cells of each column have, for exporter::Column.
  const std::vector<exporter::CellKind>& kinds() const { return kinds_; }

  // Converts one row: `values`/`nulls` as heap_deform_tuple gives them.
  void fill(const Datum* values, const bool* nulls, std::vector<exporter::Cell>& cells);
  // The same for a heap tuple.
  void fill(HeapTuple tuple, TupleDesc desc, std::vector<exporter::Cell>& cells);

 private:
  enum class Conv : std::uint8_t {
    Int2, Int4, Int8, Float8, NumberText, Bool, Date, DateTime, Text, Json, Geometry,
    GeometrySend, Array, Output
  };
  struct Column {
    Conv conv = Conv::Output;
    Oid type = InvalidOid;
    FmgrInfo fn;  // output function (Output, NumberText, Json), send function (GeometrySend)
    // Array: the element's conversion.
    Conv elem_conv = Conv::Output;
    Oid elem_type = InvalidOid;
    int16 elem_len = 0;
    bool elem_byval = false;
    char elem_align = 'i';
    FmgrInfo elem_fn;
  };

  void setup(Column& c, Oid type, bool bytea_is_geometry);
  exporter::Cell convert(Conv conv, FmgrInfo* fn, Oid type, Datum d, char* buf);

  std::vector<Column> columns_;
  std::vector<exporter::CellKind> kinds_;
  std::vector<char> bufs_;                          // 64 bytes per column: dates, datetimes
  std::vector<std::vector<exporter::Cell>> items_;  // array items, per column
  std::vector<Datum> values_;
};

// The PostGIS types, found by name (PostGIS is another library: its
// functions are called through fmgr, never directly).
bool is_geometry_type(Oid type);

}  // namespace opendata::pg
