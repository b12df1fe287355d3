// The schema an extension is installed in, read from pg_extension through
// its name index (PostgreSQL 15 exports no get_extension_schema(); 16 does,
// and this does the same).
#pragma once

#include "pg/postgres.hpp"

namespace opendata::pg {

// InvalidOid when the extension `name` is not installed.  PostgreSQL code
// only: errors jump out (call it inside pg::call()).
Oid extension_schema(const char* name);

}  // namespace opendata::pg
