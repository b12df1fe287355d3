// opendata._expand_m(g, d): the box that holds every point within d metres
// of the geometry g (WGS 84) on the ground, as PostGIS' ST_Expand(g, dx,
// dy) with the margins of src/core/cross/ground_box.hpp.  The crossing
// compiler writes it into within_distance and the nearest crossing's
// second pass, where the GiST index of the inner side takes it once per
// outer row.
//
// Written in C because the same box in SQL read the geometry's bounds ten
// times (each margin needs the latitude of the box's far edge, and SQL
// shares no subexpression).  For 100,000 points in one session (load 7 on
// 2 CPUs): 584 ms for the SQL box, 208 for this function, 186 for an
// expert's ST_Expand(g, ..., ST_Y(g) ...), 28 for reading the points.  PostGIS' functions are
// called through fmgr, found once per call site in the schema of the
// geometry type this function was declared with: no search_path is read,
// and the function has no SET clause (99_finalize.sql), which would cost a
// setting change per row.
#include <cmath>
#include <initializer_list>

#include "core/cross/ground_box.hpp"
#include "pg/guard.hpp"
#include "pg/signatures.hpp"

extern "C" {
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(opendata_expand_m);
}

namespace opendata::pg {
namespace {

// The PostGIS functions the box is computed with, looked up once per call
// site and kept in its flinfo (fn_extra, in fn_mcxt: plain C data).
struct PostgisBox {
  FmgrInfo box3d;                   // box3d(geometry)
  FmgrInfo xmin, xmax, ymin, ymax;  // st_xmin(box3d), ...
  FmgrInfo expand;                  // st_expand(geometry, dx, dy, dz, dm)
};

// A value, or SQL NULL.
struct MaybeDatum {
  Datum value;
  bool isnull;
};

Oid postgis_function(const char* schema, const char* name, int nargs, const Oid* argtypes) {
  List* qualified = list_make2(makeString(pstrdup(schema)), makeString(pstrdup(name)));
  return LookupFuncName(qualified, nargs, argtypes, false);
}

Oid type_namespace(Oid type) {
  HeapTuple tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
  if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for type %u", type);
  const Oid nsp = reinterpret_cast<Form_pg_type>(GETSTRUCT(tuple))->typnamespace;
  ReleaseSysCache(tuple);
  return nsp;
}

// Raises (through pg::call) when PostGIS lacks one of them.
PostgisBox* postgis_box(FunctionCallInfo fcinfo) {
  if (fcinfo->flinfo->fn_extra != nullptr)
    return static_cast<PostgisBox*>(fcinfo->flinfo->fn_extra);
  return call([fcinfo] {
    MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
    Oid* declared = nullptr;
    int nargs = 0;
    get_func_signature(fcinfo->flinfo->fn_oid, &declared, &nargs);
    const Oid geometry = declared[0];
    const char* schema = get_namespace_name(type_namespace(geometry));
    const Oid box3d = postgis_function(schema, "box3d", 1, &geometry);
    const Oid box3d_type = get_func_rettype(box3d);
    // PostGIS declares st_expand(geometry, dx, dy) as (..., dz float8
    // DEFAULT 0, dm float8 DEFAULT 0): a call through fmgr gives all five.
    const Oid expand_args[5] = {geometry, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID};
    auto* box = static_cast<PostgisBox*>(MemoryContextAllocZero(cxt, sizeof(PostgisBox)));
    fmgr_info_cxt(box3d, &box->box3d, cxt);
    fmgr_info_cxt(postgis_function(schema, "st_xmin", 1, &box3d_type), &box->xmin, cxt);
    fmgr_info_cxt(postgis_function(schema, "st_xmax", 1, &box3d_type), &box->xmax, cxt);
    fmgr_info_cxt(postgis_function(schema, "st_ymin", 1, &box3d_type), &box->ymin, cxt);
    fmgr_info_cxt(postgis_function(schema, "st_ymax", 1, &box3d_type), &box->ymax, cxt);
    fmgr_info_cxt(postgis_function(schema, "st_expand", 5, expand_args), &box->expand, cxt);
    fcinfo->flinfo->fn_extra = box;
    return box;
  });
}

// fn(args...), NULL when fn returns NULL (box3d() of an empty geometry).
MaybeDatum invoke(FmgrInfo* fn, std::initializer_list<Datum> args) {
  LOCAL_FCINFO(fcinfo, 5);
  InitFunctionCallInfoData(*fcinfo, fn, static_cast<short>(args.size()), InvalidOid, nullptr,
                           nullptr);
  int i = 0;
  for (Datum arg : args) {
    fcinfo->args[i].value = arg;
    fcinfo->args[i].isnull = false;
    i++;
  }
  const Datum value = FunctionCallInvoke(fcinfo);
  return {value, fcinfo->isnull};
}

double float8_of(FmgrInfo* fn, Datum box) { return DatumGetFloat8(invoke(fn, {box}).value); }

}  // namespace
}  // namespace opendata::pg

// _expand_m(g geometry, d float8) RETURNS geometry (signature::kExpandM),
// STRICT: the two arguments read by position, once per outer row.  NULL
// for an empty geometry, and for a negative or undefined distance.
extern "C" Datum opendata_expand_m(PG_FUNCTION_ARGS) {
  using namespace opendata;
  return pg::boundary([&]() -> Datum {
    const Datum g = PG_GETARG_DATUM(0);
    const double d = PG_GETARG_FLOAT8(1);
    if (!(d >= 0) || !std::isfinite(d)) {
      fcinfo->isnull = true;
      return Datum(0);
    }
    pg::PostgisBox* box = pg::postgis_box(fcinfo);
    const pg::MaybeDatum expanded = pg::call([box, g, d]() -> pg::MaybeDatum {
      const pg::MaybeDatum bounds = pg::invoke(&box->box3d, {g});
      if (bounds.isnull) return bounds;
      const cross::GroundMargins m = cross::ground_margins(
          pg::float8_of(&box->xmin, bounds.value), pg::float8_of(&box->xmax, bounds.value),
          pg::float8_of(&box->ymin, bounds.value), pg::float8_of(&box->ymax, bounds.value), d);
      return pg::invoke(&box->expand, {g, Float8GetDatum(m.dx), Float8GetDatum(m.dy),
                                       Float8GetDatum(0.0), Float8GetDatum(0.0)});
    });
    fcinfo->isnull = expanded.isnull;
    return expanded.value;
  });
}
