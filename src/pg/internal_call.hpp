// Calling the extension's internal SQL functions from its C++ entry points.
//
// The internal functions (opendata._record_import, _import_target, ...) are
// revoked from every role but the extension's: a publisher may call the
// documented entry points only.  An entry point written in C++ that needs
// one calls it here, through fmgr, which checks no EXECUTE privilege (the
// executor does that), exactly as a PL handler calls its functions.  The
// function still runs as itself: a SECURITY DEFINER one as its owner, with
// its own checks of the caller.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace opendata::pg {

// Calls the function named by its full signature, e.g.
// "opendata._record_import(text,bigint,text)", with arguments given as text
// (converted by each parameter type's input function; nullopt is NULL).
// Returns the result as text (its type's output), or nullopt for NULL.
std::optional<std::string> call_internal(const char* signature,
                                         const std::vector<std::optional<std::string>>& args);

}  // namespace opendata::pg
