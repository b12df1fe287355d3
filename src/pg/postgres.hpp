// The one place where PostgreSQL headers enter C++.
//
// C++ and third-party headers are included by each file first; PostgreSQL's
// come after, inside one extern "C" block.  Only files under src/pg include
// this header.
#pragma once

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}

// postgres.h defines these as macros in some versions; they collide with the
// C++ standard library.
#ifdef gettext
#undef gettext
#endif
#ifdef dgettext
#undef dgettext
#endif
#ifdef ngettext
#undef ngettext
#endif
#ifdef dngettext
#undef dngettext
#endif
