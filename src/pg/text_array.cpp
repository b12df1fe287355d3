#include "pg/text_array.hpp"

#include "pg/guard.hpp"
#include "pg/text.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
}

namespace opendata::pg {

Datum text_array_datum(const std::vector<std::string>& items) {
  const int n = static_cast<int>(items.size());
  Datum* elems = call([n] { return static_cast<Datum*>(palloc0(sizeof(Datum) * (n > 0 ? n : 1))); });
  for (int i = 0; i < n; i++) elems[i] = text_datum(items[static_cast<std::size_t>(i)]);
  return call([elems, n] {
    return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
  });
}

}  // namespace opendata::pg
