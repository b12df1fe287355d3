// Domain errors raised by the pure C++ core.
//
// The core never includes a PostgreSQL header, so it cannot ereport().  It
// throws UserError instead; the boundary in src/pg turns it into an ERROR
// with the same SQLSTATE, DETAIL and HINT, after the catch block has closed
// (a position in the user's text, when there is one, is in the message: see
// position()).
#pragma once

#include <stdexcept>
#include <string>

#include "core/sqlstate.hpp"

namespace opendata {

class UserError : public std::runtime_error {
 public:
  UserError(std::string sqlstate, const std::string& message, std::string detail = {},
            std::string hint = {}, int position = 0)
      : std::runtime_error(message),
        sqlstate_(std::move(sqlstate)),
        detail_(std::move(detail)),
        hint_(std::move(hint)),
        position_(position) {}

  // Five characters, e.g. "22023".
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }
  // 1-based character position in the user's input (an ODSQL clause), 0
  // when not applicable.  The messages quote it; the PostgreSQL boundary
  // does not pass it on as errposition(), which would point into the SQL
  // statement's text, not into the parameter the user wrote.
  int position() const noexcept { return position_; }

 private:
  std::string sqlstate_;
  std::string detail_;
  std::string hint_;
  int position_;
};

}  // namespace opendata
