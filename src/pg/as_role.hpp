// Acting as another role for one statement, in a security-restricted
// operation (src/pg/as_role.cpp explains the rules).
#pragma once

#include <optional>
#include <string>

#include "pg/postgres.hpp"

namespace opendata::pg {

// While alive, the current user is `role` in a security-restricted
// operation: no SET ROLE, no temporary objects, settings undone by
// finish().  An empty search_path keeps the current one.  The caller checks
// that the role is one the caller may act as.
class ActingAs {
 public:
  ActingAs(Oid role, const std::string& search_path);
  // Undoes the settings the statement changed; call on success (an error
  // aborts the (sub)transaction, which undoes them).
  void finish();
  ~ActingAs();
  ActingAs(const ActingAs&) = delete;
  ActingAs& operator=(const ActingAs&) = delete;

 private:
  Oid saved_user_ = InvalidOid;
  int saved_context_ = 0;
  int guc_level_ = 0;
};

// A regrole's text output (what an internal function returned) as an OID.
Oid role_of(const std::optional<std::string>& role);

}  // namespace opendata::pg
