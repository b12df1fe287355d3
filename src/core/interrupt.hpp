// Cancellation hook for long loops in the core.
//
// The core cannot call CHECK_FOR_INTERRUPTS(): it has no PostgreSQL headers.
// Long loops call opendata::check_interrupts() every few thousand iterations
// instead; src/pg installs a hook that runs CHECK_FOR_INTERRUPTS() through
// the PostgreSQL-to-C++ guard, so a cancel or statement_timeout surfaces here
// as a C++ exception and unwinds the loop's objects before the error is
// re-raised at the boundary.  Outside a backend (unit tests, fuzzers,
// benchmarks) no hook is installed and the call costs one load and a branch.
#pragma once

namespace opendata {

using InterruptHook = void (*)();

// A plain function pointer: trivially initialised, no static constructor.
extern InterruptHook g_interrupt_hook;

inline void check_interrupts() {
  if (g_interrupt_hook != nullptr) g_interrupt_hook();
}

}  // namespace opendata
