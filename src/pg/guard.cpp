#include <cstring>
#include <new>

#include "pg/guard.hpp"

namespace opendata::pg {

const char* PgError::what() const noexcept {
  return (edata_ != nullptr && edata_->message != nullptr) ? edata_->message
                                                           : "PostgreSQL error";
}

namespace detail {

ErrorData* capture_error(MemoryContext cxt) {
  // CopyErrorData() refuses to run in ErrorContext.
  MemoryContextSwitchTo(cxt);
  ErrorData* edata = CopyErrorData();
  FlushErrorState();
  return edata;
}

namespace {

// Copies a string without any chance of raising: this runs inside a catch
// block, where a longjmp would skip the exception's destructor.  On failure
// the text is dropped and the error still goes out with its SQLSTATE.
char* copy_no_raise(const char* s) noexcept {
  if (s == nullptr || *s == '\0') return nullptr;
  size_t len = std::strlen(s);
  auto* out = static_cast<char*>(palloc_extended(len + 1, MCXT_ALLOC_NO_OOM));
  if (out != nullptr) std::memcpy(out, s, len + 1);
  return out;
}

void set_sqlstate(PendingError& pending, const char* sqlstate) noexcept {
  bool valid = sqlstate != nullptr && std::strlen(sqlstate) == 5;
  for (int i = 0; valid && i < 5; i++) {
    char c = sqlstate[i];
    valid = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
  }
  std::memcpy(pending.sqlstate, valid ? sqlstate : opendata::sqlstate::kInternalError, 6);
}

}  // namespace

void record(PendingError& pending, const UserError& e) noexcept {
  set_sqlstate(pending, e.sqlstate().c_str());
  pending.message = copy_no_raise(e.what());
  pending.detail = copy_no_raise(e.detail().c_str());
  pending.hint = copy_no_raise(e.hint().c_str());
}

void record(PendingError& pending, const char* sqlstate, const char* message) noexcept {
  set_sqlstate(pending, sqlstate);
  pending.message = copy_no_raise(message);
}

void raise(const PendingError& pending) {
  if (pending.pg != nullptr) ReThrowError(pending.pg);
  if (pending.out_of_memory)
    ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory in opendata")));

  const char* s = pending.sqlstate;
  ereport(ERROR,
          (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])),
           errmsg_internal("%s", pending.message != nullptr ? pending.message : "opendata error"),
           pending.detail != nullptr ? errdetail_internal("%s", pending.detail) : 0,
           pending.hint != nullptr ? errhint("%s", pending.hint) : 0));
  pg_unreachable();
}

}  // namespace detail
}  // namespace opendata::pg
