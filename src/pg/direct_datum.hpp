// Datums built directly from the commonest canonical forms the ingest core
// writes, without the type's input function: dates "yyyy-mm-dd" and
// timestamps with an explicit offset "yyyy-mm-ddThh:mm:ss[.ffffff]+hh:mm"
// (or "Z") for timestamptz.  date_in and timestamptz_in tokenise and look
// every field up in keyword tables; for a million rows that is most of a
// load's conversion time.  Any other form (another date style, a time zone
// name, no offset, 24:00:00, a leap second, more digits) is left to the
// input function: the result is the one date_in / timestamptz_in gives.
#pragma once

#include "pg/postgres.hpp"

namespace opendata::pg {

// Fills *out and returns true when `text` has the exact form; false means
// "use the input function".  Raise no error.
bool direct_date(const char* text, Datum* out);
bool direct_timestamptz(const char* text, Datum* out);

}  // namespace opendata::pg
