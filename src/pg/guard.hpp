// The two guards at the C++ / PostgreSQL boundary.
//
// PostgreSQL reports errors with longjmp, which skips C++ destructors; C++
// reports errors with exceptions, which PostgreSQL cannot catch.  So every
// crossing goes through one of these:
//
//   pg::call(fn)       PostgreSQL -> C++.  Runs fn, which calls PostgreSQL
//                      functions that may raise (SPI, palloc, type input...),
//                      under PG_TRY.  A raised error is copied out of
//                      ErrorContext and thrown as pg::PgError, so the C++
//                      frames above unwind normally.  fn itself must own no
//                      object with a destructor: it is jumped out of.
//
//   pg::boundary(fn)   C++ -> PostgreSQL.  Wraps the body of every SQL-callable
//                      entry point.  Any exception is caught and turned into
//                      an ERROR *after* the catch block has closed, keeping the
//                      SQLSTATE, DETAIL and HINT of a UserError, or re-throwing
//                      the original ErrorData of a PgError.
//
// A PgError must always reach the boundary: the error it carries has not
// been cleaned up by a subtransaction, so swallowing it would leave the
// transaction in an unknown state.  This mirrors pg_duckdb's guards.
#pragma once

#include <exception>
#include <type_traits>
#include <utility>

#include "core/error.hpp"
#include "pg/postgres.hpp"

namespace opendata::pg {

// A PostgreSQL error caught by pg::call(), carried as a C++ exception.
class PgError : public std::exception {
 public:
  explicit PgError(ErrorData* edata) noexcept : edata_(edata) {}
  ErrorData* edata() const noexcept { return edata_; }
  const char* what() const noexcept override;

 private:
  ErrorData* edata_;  // palloc'd in the caller's memory context
};

namespace detail {
// Copies the current error out of ErrorContext into `cxt`, then resets the
// error state.  Called only from the PG_CATCH branch of pg::call().
ErrorData* capture_error(MemoryContext cxt);

// What the boundary learned in its catch block.  Plain data only: it must
// survive the longjmp that ereport() performs afterwards.
struct PendingError {
  ErrorData* pg = nullptr;  // a PostgreSQL error to re-throw as it was
  char sqlstate[6] = "XX000";
  char* message = nullptr;
  char* detail = nullptr;
  char* hint = nullptr;
  bool out_of_memory = false;
};

void record(PendingError& pending, const UserError& e) noexcept;
void record(PendingError& pending, const char* sqlstate, const char* message) noexcept;
[[noreturn]] void raise(const PendingError& pending);
}  // namespace detail

template <typename Fn>
auto call(Fn&& fn) -> std::invoke_result_t<Fn> {
  using Result = std::invoke_result_t<Fn>;
  MemoryContext cxt = CurrentMemoryContext;
  ErrorData* volatile edata = nullptr;
  if constexpr (std::is_void_v<Result>) {
    PG_TRY();
    { fn(); }
    PG_CATCH();
    { edata = detail::capture_error(cxt); }
    PG_END_TRY();
    if (edata != nullptr) throw PgError(edata);
  } else {
    static_assert(std::is_trivially_copyable_v<Result>,
                  "pg::call returns only trivially copyable values (Datum, pointers, ints)");
    Result result{};
    PG_TRY();
    { result = fn(); }
    PG_CATCH();
    { edata = detail::capture_error(cxt); }
    PG_END_TRY();
    if (edata != nullptr) throw PgError(edata);
    return result;
  }
}

// CHECK_FOR_INTERRUPTS() for C++ frames: a pending cancel or timeout becomes
// a PgError.  The fast path is a single load, as in the macro itself.
inline void check_for_interrupts() {
  if (unlikely(INTERRUPTS_PENDING_CONDITION())) call([] { CHECK_FOR_INTERRUPTS(); });
}

// Also used for C callbacks that PostgreSQL calls from its own frames (a COPY
// data source, say): they return what the body returns.
template <typename Fn>
auto boundary(Fn&& body) -> std::invoke_result_t<Fn> {
  detail::PendingError pending;
  try {
    return body();
  } catch (const PgError& e) {
    pending.pg = e.edata();
  } catch (const UserError& e) {
    detail::record(pending, e);
  } catch (const std::bad_alloc&) {
    pending.out_of_memory = true;
  } catch (const std::exception& e) {
    detail::record(pending, sqlstate::kInternalError, e.what());
  } catch (...) {
    detail::record(pending, sqlstate::kInternalError, "unknown C++ exception");
  }
  // The catch blocks have closed and the exception objects are destroyed:
  // it is now safe to longjmp.
  detail::raise(pending);
}

}  // namespace opendata::pg
