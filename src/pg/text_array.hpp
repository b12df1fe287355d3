// A text[] datum from C++ strings.
#pragma once

#include <string>
#include <vector>

#include "pg/postgres.hpp"

namespace opendata::pg {

// A one-dimensional text[] of `items`, in the current memory context.
Datum text_array_datum(const std::vector<std::string>& items);

}  // namespace opendata::pg
