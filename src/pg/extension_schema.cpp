#include "pg/extension_schema.hpp"

extern "C" {
#include "access/genam.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "utils/fmgroids.h"
}

namespace opendata::pg {

Oid extension_schema(const char* name) {
  Relation rel = table_open(ExtensionRelationId, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
              CStringGetDatum(name));
  SysScanDesc scan = systable_beginscan(rel, ExtensionNameIndexId, true, nullptr, 1, &key);
  HeapTuple tuple = systable_getnext(scan);
  Oid schema = HeapTupleIsValid(tuple)
                   ? reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple))->extnamespace
                   : InvalidOid;
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
  return schema;
}

}  // namespace opendata::pg
