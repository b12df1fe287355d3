// Module load: the magic block and the hooks the core needs.
#include "core/interrupt.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace {

// The core's long loops call opendata::check_interrupts(); in a backend that
// means CHECK_FOR_INTERRUPTS() through the guard.
void backend_interrupt_hook() { opendata::pg::check_for_interrupts(); }

}  // namespace

void _PG_init(void) {
  opendata::g_interrupt_hook = backend_interrupt_hook;
  opendata::pg::define_settings();
}
