// A text value built in place: one palloc'd buffer whose first VARHDRSZ
// bytes are reserved for the varlena header, so that the finished buffer
// *is* the returned text datum.  The single-value exports and the export
// aggregates append their writer's chunks here; the output is never held
// twice (a C++ string, then a copy of it as text), and growing the buffer
// goes through repalloc, which for large blocks is realloc (mremap), not
// a copy.
#pragma once

#include <string>
#include <string_view>

#include "pg/guard.hpp"

extern "C" {
#include "lib/stringinfo.h"
}

namespace opendata::pg {

class TextBuffer {
 public:
  // Allocates in the current memory context, which must outlive the datum.
  TextBuffer() {
    StringInfo buf = &buf_;
    call([buf] {
      initStringInfo(buf);
      appendStringInfoSpaces(buf, VARHDRSZ);
    });
  }

  // Raises 54000 beyond what one text value can hold (1 GB), with a hint
  // naming the function without that limit.
  void append(std::string_view chunk) {
    if (chunk.empty()) return;
    if (chunk.size() > MaxAllocSize - 1 - static_cast<std::size_t>(buf_.len))
      throw UserError(sqlstate::kProgramLimitExceeded, "export is larger than one value can hold (1 GB)",
                      "The output had reached " + std::to_string(buf_.len) + " bytes.",
                      "Use opendata.export_chunks(), which returns the same output as rows, "
                      "for instance with COPY or psql's \\copy.");
    StringInfo buf = &buf_;
    const char* data = chunk.data();
    int len = static_cast<int>(chunk.size());
    call([buf, data, len] { appendBinaryStringInfo(buf, data, len); });
  }

  std::size_t size() const { return static_cast<std::size_t>(buf_.len) - VARHDRSZ; }

  // The text datum: the buffer itself.  Call once, last.
  Datum datum() {
    SET_VARSIZE(buf_.data, buf_.len);
    return PointerGetDatum(buf_.data);
  }

 private:
  StringInfoData buf_;
};

}  // namespace opendata::pg
