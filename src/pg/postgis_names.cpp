// opendata._postgis_schema() and opendata._geometry_oid(): the schema
// PostGIS is installed in and its geometry type, read from the system
// catalogs through their caches.
//
// They were SQL functions, which PostgreSQL plans again at each call made
// from inside another SQL function: registering a table of 20 columns
// called them some 160 times (_field_type() and _sql_type() for each
// column), and planning their catalog joins took 10 to 20 ms of the
// registration.  Here a call costs a cache lookup.  Both are STABLE: the
// answer follows PostGIS if it is moved (ALTER EXTENSION ... SET SCHEMA)
// or created again.
#include "pg/extension_schema.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

extern "C" {
PG_FUNCTION_INFO_V1(opendata_postgis_schema);
PG_FUNCTION_INFO_V1(opendata_geometry_oid);
}

// name, or NULL when PostGIS is not installed.
Datum opendata_postgis_schema(PG_FUNCTION_ARGS) {
  return opendata::pg::boundary([&]() -> Datum {
    Datum schema = opendata::pg::call([]() -> Datum {
      Oid nsp = opendata::pg::extension_schema("postgis");
      char* name = OidIsValid(nsp) ? get_namespace_name(nsp) : nullptr;
      if (name == nullptr) return PointerGetDatum(nullptr);
      Name out = static_cast<Name>(palloc0(NAMEDATALEN));
      namestrcpy(out, name);
      return NameGetDatum(out);
    });
    if (DatumGetPointer(schema) == nullptr) fcinfo->isnull = true;
    return schema;
  });
}

// oid of PostGIS's geometry type, or NULL when PostGIS is not installed.
Datum opendata_geometry_oid(PG_FUNCTION_ARGS) {
  return opendata::pg::boundary([&]() -> Datum {
    Oid type = opendata::pg::call([]() -> Oid {
      Oid nsp = opendata::pg::extension_schema("postgis");
      if (!OidIsValid(nsp)) return InvalidOid;
      return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("geometry"),
                             ObjectIdGetDatum(nsp));
    });
    if (!OidIsValid(type)) fcinfo->isnull = true;
    return ObjectIdGetDatum(type);
  });
}
