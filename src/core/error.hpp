// Domain errors raised by the pure C++ core.
//
// The core never includes a PostgreSQL header, so it cannot ereport().  It
// throws UserError instead; the boundary in src/pg turns it into an ERROR
// with the same SQLSTATE, DETAIL, HINT and cursor position, after the catch
// block has closed.
#pragma once

#include <stdexcept>
#include <string>

namespace opendata {

// SQLSTATE codes used by the core, named as in PostgreSQL's errcodes.txt.
namespace sqlstate {
inline constexpr const char kInvalidParameterValue[] = "22023";
inline constexpr const char kInvalidTextRepresentation[] = "22P02";
inline constexpr const char kBadCopyFileFormat[] = "22P04";
inline constexpr const char kCharacterNotInRepertoire[] = "22021";
inline constexpr const char kNumericValueOutOfRange[] = "22003";
inline constexpr const char kDatetimeFieldOverflow[] = "22008";
inline constexpr const char kSyntaxError[] = "42601";
inline constexpr const char kUndefinedColumn[] = "42703";
inline constexpr const char kUndefinedFunction[] = "42883";
inline constexpr const char kDatatypeMismatch[] = "42804";
inline constexpr const char kGroupingError[] = "42803";
inline constexpr const char kProgramLimitExceeded[] = "54000";
inline constexpr const char kStatementTooComplex[] = "54001";
inline constexpr const char kTooManyColumns[] = "54011";
inline constexpr const char kFeatureNotSupported[] = "0A000";
inline constexpr const char kInsufficientPrivilege[] = "42501";
inline constexpr const char kInternalError[] = "XX000";
}  // namespace sqlstate

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
