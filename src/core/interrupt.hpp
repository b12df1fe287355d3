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

// Counts units of work (cells, coordinates, JSON values, tokens) and calls
// check_interrupts() once every `every` units: a loop over input of any
// shape reaches the hook at a steady rate, whatever a "row" costs.
class InterruptTicker {
 public:
  explicit InterruptTicker(unsigned every = 65536) : every_(every) {}
  void tick(unsigned long long units = 1) {
    count_ += units;
    if (count_ >= every_) {
      count_ = 0;
      check_interrupts();
    }
  }

 private:
  unsigned long long every_;
  unsigned long long count_ = 0;
};

}  // namespace opendata
