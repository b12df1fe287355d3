// Which columns ORDER BY can sort as they are (see sort_order.hpp).
#include "pg/sort_order.hpp"

#include <algorithm>

#include "pg/guard.hpp"

extern "C" {
#include "utils/plancache.h"
#include "utils/typcache.h"
}

namespace opendata::pg {

bool has_default_order(Oid type) {
  return call([type] {
    // What ORDER BY asks (get_sort_group_operators): the type's default
    // B-tree opclass, through domains, arrays, records and ranges alike.
    const TypeCacheEntry* entry = lookup_type_cache(type, TYPECACHE_LT_OPR);
    return OidIsValid(entry->lt_opr);
  });
}

std::vector<std::string> fields_without_order(const std::string& from,
                                              const std::vector<std::string>& fields) {
  const std::string sql = "SELECT * FROM " + from + " b";
  const char* query = sql.c_str();
  // SPI_prepare parses and rewrites the statement; it is planned only when
  // run, which it never is here.
  TupleDesc desc = call([query]() -> TupleDesc {
    SPIPlanPtr plan = SPI_prepare(query, 0, nullptr);
    if (plan == nullptr)
      elog(ERROR, "opendata: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    List* sources = SPI_plan_get_plan_sources(plan);
    const CachedPlanSource* source =
        list_length(sources) == 1 ? static_cast<CachedPlanSource*>(linitial(sources)) : nullptr;
    if (source == nullptr || source->resultDesc == nullptr)
      elog(ERROR, "opendata: a crossing's side is not one relation");
    TupleDesc copy = CreateTupleDescCopy(source->resultDesc);
    SPI_freeplan(plan);
    return copy;
  });
  std::vector<std::string> unordered;
  for (int i = 0; i < desc->natts; i++) {
    const Form_pg_attribute attribute = TupleDescAttr(desc, i);
    const std::string name = NameStr(attribute->attname);
    if (!attribute->attisdropped && std::find(fields.begin(), fields.end(), name) != fields.end() &&
        !has_default_order(attribute->atttypid))
      unordered.push_back(name);
  }
  return unordered;
}

}  // namespace opendata::pg
