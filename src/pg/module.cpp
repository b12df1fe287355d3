// Module load: the magic block and the hooks the core needs.
#include "core/interrupt.hpp"
#include "pg/catalog_changes.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"
#include "pg/usage.hpp"
#include "pg/usage_shmem.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace {

// The core's long loops call opendata::check_interrupts(); in a backend that
// means CHECK_FOR_INTERRUPTS() through the guard.
void backend_interrupt_hook() { opendata::pg::check_for_interrupts(); }

}  // namespace

namespace opendata::pg {
void register_usage_worker();        // pg/usage_worker.cpp
void install_gdal_writer_loader();   // pg/gdal_module.cpp
}

void _PG_init(void) {
  opendata::g_interrupt_hook = backend_interrupt_hook;
  opendata::pg::install_gdal_writer_loader();
  opendata::pg::define_settings();
  opendata::pg::register_catalog_change_callbacks();
  // Usage counters and quotas live in shared memory, which only a library
  // loaded with shared_preload_libraries can ask for; loaded later (by the
  // first call in a session), they report "off" and count nothing.
  if (process_shared_preload_libraries_in_progress) {
    opendata::pg::usage_shmem::request_at_preload();
    opendata::pg::register_usage_worker();
    opendata::pg::install_call_hooks();
  }
}
