#include "core/interrupt.hpp"

namespace opendata {

InterruptHook g_interrupt_hook = nullptr;

}  // namespace opendata
