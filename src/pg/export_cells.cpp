// PostgreSQL values -> export cells; see export_cells.hpp.
#include "pg/export_cells.hpp"

#include <cstring>

extern "C" {
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace opendata::pg {
namespace {

namespace ex = opendata::exporter;

constexpr std::size_t kBufBytes = 64;  // > MAXDATELEN + 1

// Writes `v` as at least `width` decimal digits, zero-padded, at `p`;
// returns the end.
char* put_digits(char* p, int v, int width) {
  char tmp[12];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n < width) tmp[n++] = '0';
  while (n > 0) *p++ = tmp[--n];
  return p;
}

// ISO 8601, whatever DateStyle says.  Formatted by hand: snprintf was a
// visible share of a CSV export's time (one date per row).
std::string_view iso_date(DateADT d, char* buf) {
  if (DATE_NOT_FINITE(d)) return DATE_IS_NOBEGIN(d) ? "-infinity" : "infinity";
  int y, m, day;
  j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
  char* p = put_digits(buf, y > 0 ? y : 1 - y, 4);
  *p++ = '-';
  p = put_digits(p, m, 2);
  *p++ = '-';
  p = put_digits(p, day, 2);
  if (y <= 0) {
    memcpy(p, " BC", 3);
    p += 3;
  }
  return std::string_view(buf, static_cast<std::size_t>(p - buf));
}

// The name of a type and of its send function, to recognise PostGIS types
// without linking to PostGIS.
bool named_type(Oid type, const char* name, const char* send) {
  if (type < FirstNormalObjectId) return false;
  return call([type, name, send] {
    HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
    if (!HeapTupleIsValid(tup)) return false;
    auto* t = reinterpret_cast<Form_pg_type>(GETSTRUCT(tup));
    bool same = strcmp(NameStr(t->typname), name) == 0 && OidIsValid(t->typsend);
    Oid typsend = t->typsend;
    ReleaseSysCache(tup);
    if (!same) return false;
    char* fn = get_func_name(typsend);
    return fn != nullptr && strcmp(fn, send) == 0;
  });
}

}  // namespace

bool is_geometry_type(Oid type) {
  return named_type(type, "geometry", "geometry_send") || named_type(type, "geography", "geography_send");
}

CellConverter::CellConverter(TupleDesc desc, bool bytea_is_geometry)
    : columns_(desc->natts),
      kinds_(desc->natts, ex::CellKind::Text),
      bufs_(desc->natts * kBufBytes),
      items_(desc->natts),
      values_(desc->natts) {
  for (int i = 0; i < desc->natts; i++) {
    Form_pg_attribute att = TupleDescAttr(desc, i);
    if (att->attisdropped) continue;
    setup(columns_[i], att->atttypid, bytea_is_geometry);
    switch (columns_[i].conv) {
      case Conv::Int2:
      case Conv::Int4:
      case Conv::Int8: kinds_[i] = ex::CellKind::Integer; break;
      case Conv::Float8:
      case Conv::NumberText: kinds_[i] = ex::CellKind::Number; break;
      case Conv::Bool: kinds_[i] = ex::CellKind::Boolean; break;
      case Conv::Date: kinds_[i] = ex::CellKind::Date; break;
      case Conv::DateTime: kinds_[i] = ex::CellKind::DateTime; break;
      case Conv::Json: kinds_[i] = ex::CellKind::Json; break;
      case Conv::Geometry:
      case Conv::GeometrySend: kinds_[i] = ex::CellKind::Geometry; break;
      case Conv::Array: kinds_[i] = ex::CellKind::Array; break;
      case Conv::Text:
      case Conv::Output: kinds_[i] = ex::CellKind::Text; break;
    }
  }
}

void CellConverter::setup(Column& c, Oid declared, bool bytea_is_geometry) {
  Oid type = call([declared] { return getBaseType(declared); });
  c.type = type;
  switch (type) {
    case INT2OID: c.conv = Conv::Int2; return;
    case INT4OID: c.conv = Conv::Int4; return;
    case INT8OID: c.conv = Conv::Int8; return;
    case FLOAT8OID: c.conv = Conv::Float8; return;
    case BOOLOID: c.conv = Conv::Bool; return;
    case DATEOID: c.conv = Conv::Date; return;
    case TIMESTAMPOID:
    case TIMESTAMPTZOID: c.conv = Conv::DateTime; return;
    case TEXTOID:
    case VARCHAROID:
    case BPCHAROID: c.conv = Conv::Text; return;
    case BYTEAOID:
      if (bytea_is_geometry) {
        c.conv = Conv::Geometry;
        return;
      }
      break;
    case NUMERICOID:
    case FLOAT4OID: c.conv = Conv::NumberText; break;
    case JSONOID:
    case JSONBOID: c.conv = Conv::Json; break;
    default: break;
  }
  FmgrInfo* fn = &c.fn;
  if (c.conv == Conv::Output && is_geometry_type(type)) {
    // EWKB from the type's binary send function, as COPY BINARY has it.
    c.conv = Conv::GeometrySend;
    call([type, fn] {
      Oid send;
      bool varlena;
      getTypeBinaryOutputInfo(type, &send, &varlena);
      fmgr_info(send, fn);
    });
    return;
  }
  Oid elem = call([type] { return get_element_type(type); });
  if (c.conv == Conv::Output && OidIsValid(elem)) {
    c.conv = Conv::Array;
    Column inner;
    setup(inner, elem, false);
    c.elem_conv = inner.conv == Conv::Array ? Conv::Output : inner.conv;
    c.elem_type = inner.type;
    c.elem_fn = inner.fn;
    if (inner.conv == Conv::Array) {  // nested arrays: each element as its text
      FmgrInfo* efn = &c.elem_fn;
      Oid et = inner.type;
      call([et, efn] {
        Oid out;
        bool varlena;
        getTypeOutputInfo(et, &out, &varlena);
        fmgr_info(out, efn);
      });
    }
    Column* col = &c;
    call([elem, col] { get_typlenbyvalalign(elem, &col->elem_len, &col->elem_byval, &col->elem_align); });
    return;
  }
  call([type, fn] {
    Oid out;
    bool varlena;
    getTypeOutputInfo(type, &out, &varlena);
    fmgr_info(out, fn);
  });
}

ex::Cell CellConverter::convert(Conv conv, FmgrInfo* fn, Oid type, Datum d, char* buf) {
  switch (conv) {
    case Conv::Int2: return ex::Cell::integer(DatumGetInt16(d));
    case Conv::Int4: return ex::Cell::integer(DatumGetInt32(d));
    case Conv::Int8: return ex::Cell::integer(DatumGetInt64(d));
    case Conv::Float8: return ex::Cell::number(DatumGetFloat8(d));
    case Conv::Bool: return ex::Cell::boolean(DatumGetBool(d));
    case Conv::Date: return ex::Cell::date(iso_date(DatumGetDateADT(d), buf));
    case Conv::DateTime: {
      // ISO 8601 (XSD) in the session time zone, as to_json writes it.
      const char* s = call([buf, d, type] { return JsonEncodeDateTime(buf, d, type, nullptr); });
      return ex::Cell::datetime(s);
    }
    case Conv::Text:
    case Conv::Geometry: {
      // Most values are stored inline and uncompressed: read them in place,
      // without the cost of the guard; only toasted ones are fetched.
      auto* v = reinterpret_cast<struct varlena*>(DatumGetPointer(d));
      if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
        v = call([d] { return PG_DETOAST_DATUM_PACKED(d); });
      std::string_view bytes(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
      return conv == Conv::Text ? ex::Cell::text_value(bytes) : ex::Cell::geometry(bytes);
    }
    case Conv::GeometrySend: {
      std::string_view bytes = call([fn, d] {
        bytea* b = SendFunctionCall(fn, d);
        return std::string_view(VARDATA(b), VARSIZE(b) - VARHDRSZ);
      });
      return ex::Cell::geometry(bytes);
    }
    case Conv::NumberText:
    case Conv::Json:
    case Conv::Output:
    case Conv::Array: {
      const char* text = call([fn, d] { return OutputFunctionCall(fn, d); });
      if (conv == Conv::NumberText) return ex::Cell::number_text(text);
      if (conv == Conv::Json) return ex::Cell::json(text);
      return ex::Cell::text_value(text);
    }
  }
  return ex::Cell::null();
}

void CellConverter::fill(const Datum* values, const bool* nulls, std::vector<ex::Cell>& cells) {
  cells.resize(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); i++) {
    Column& c = columns_[i];
    if (nulls[i]) {
      cells[i] = ex::Cell::null();
      continue;
    }
    char* buf = &bufs_[i * kBufBytes];
    if (c.conv != Conv::Array) {
      cells[i] = convert(c.conv, &c.fn, c.type, values[i], buf);
      continue;
    }
    Datum* elems = nullptr;
    bool* elem_nulls = nullptr;
    int n = 0;
    Datum d = values[i];
    Column* col = &c;
    call([d, col, &elems, &elem_nulls, &n] {
      ArrayType* a = DatumGetArrayTypeP(d);
      deconstruct_array(a, ARR_ELEMTYPE(a), col->elem_len,
                        col->elem_byval, col->elem_align, &elems, &elem_nulls, &n);
    });
    std::vector<ex::Cell>& items = items_[i];
    items.resize(static_cast<std::size_t>(n));
    for (int k = 0; k < n; k++) {
      if (elem_nulls[k]) {
        items[k] = ex::Cell::null();
      } else if (c.elem_conv == Conv::Date || c.elem_conv == Conv::DateTime) {
        // Each date or datetime item needs its own text: palloc'd in the
        // row's memory context.
        char* own = static_cast<char*>(call([] { return palloc(kBufBytes); }));
        items[k] = convert(c.elem_conv, &c.elem_fn, c.elem_type, elems[k], own);
      } else {
        items[k] = convert(c.elem_conv, &c.elem_fn, c.elem_type, elems[k], buf);
      }
    }
    cells[i] = ex::Cell::array(items.data(), items.size());
  }
}

void CellConverter::fill(HeapTuple tuple, TupleDesc desc, std::vector<ex::Cell>& cells) {
  std::size_t n = columns_.size();
  // std::vector<bool> has no data(): deform into plain arrays.
  bool* nulls = static_cast<bool*>(call([n] { return palloc(n * sizeof(bool) + 1); }));
  call([tuple, desc, this, nulls] { heap_deform_tuple(tuple, desc, values_.data(), nulls); });
  fill(values_.data(), nulls, cells);
}

}  // namespace opendata::pg
