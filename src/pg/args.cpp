#include "pg/args.hpp"

extern "C" {
#include "utils/array.h"
#include "utils/lsyscache.h"
}

namespace opendata::pg {

std::vector<std::string> text_array_arg(FunctionCallInfo fcinfo, int i) {
  std::vector<std::string> out;
  if (PG_ARGISNULL(i)) return out;
  Datum arg = PG_GETARG_DATUM(i);
  Datum* elems = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  call([&] {
    ArrayType* array = DatumGetArrayTypeP(arg);
    if (ARR_NDIM(array) > 1)
      ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                      errmsg("expected a one-dimensional text array")));
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
  });
  out.reserve(count);
  for (int k = 0; k < count; k++) {
    if (!nulls[k]) out.push_back(text_string(elems[k]));
  }
  return out;
}

}  // namespace opendata::pg
