// A text that tells two requests apart: equal keys, equal requests, so that
// what compile_records() made of one serves the other (src/pg keeps
// compiled requests under it, pg/compiled_requests.hpp).
#pragma once

#include <string>

#include "core/odsql/compiler.hpp"

namespace opendata::odsql {

// Every field of `req`, each part ended by '\0' and every list counted, so
// that no two requests give the same key.  Written next to the struct: a
// field added to Request does not compile here until it is added to the
// key (request_key.cpp binds the fields by structured binding).
std::string request_key(const Request& req);

}  // namespace opendata::odsql
