// Streaming CSV record reader over UTF-8 text held in memory.
//
// Fields are returned as string_views into the input whenever possible; only
// quoted fields that contain escapes are unescaped, into a per-record buffer.
// Line endings may be LF, CRLF or a lone CR, and may be mixed.  Quoted fields
// may span lines.  Blank lines are skipped (they are not records).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace opendata::ingest {

struct CsvDialectChars {
  char delimiter = ',';
  char quote = '"';   // '\0': quoting disabled
  char escape = '"';  // == quote: doubled quotes; '\\': backslash escapes
};

class CsvReader {
 public:
  // `strict`: an unterminated quoted field is an error (UserError 22P04).
  // When sniffing a truncated sample it is not.
  CsvReader(std::string_view text, CsvDialectChars d, bool strict = true);

  // Reads the next record into `fields` (views valid until the next call).
  // Returns false at end of input.
  bool next(std::vector<std::string_view>& fields);

  // next() throws UserError 54011 ("too many columns") when a record has
  // more than `n` fields, before the rest of the record is split.  For a
  // header: a line of a million fields is refused, not stored.
  void set_max_fields(size_t n) { max_fields_ = n; }

  // 1-based ordinal of the record just read among non-blank records.
  uint64_t record_number() const { return records_; }
  // 1-based physical line on which the record just read starts.
  uint64_t line_number() const { return record_line_; }
  // Byte offset where the next record starts.
  size_t offset() const { return pos_; }
  // The record just read had text after a closing quote ("ab"c) or an
  // unterminated quote at end of input (non-strict mode).
  bool quote_issue() const { return quote_issue_; }
  // Line-ending statistics over what has been read.
  uint64_t lf_count() const { return lf_; }
  uint64_t crlf_count() const { return crlf_; }
  uint64_t cr_count() const { return cr_; }

 private:
  // A field either views the input or lives in buf_ (offsets, since buf_
  // may reallocate while the record is being read).
  struct Span {
    size_t off;
    size_t len;
    bool in_buf;
    size_t off2 = 0;  // index of the field to patch
  };
  void read_quoted(Span& s);
  void end_of_line();

  std::string_view text_;
  CsvDialectChars d_;
  bool strict_;
  size_t pos_ = 0;
  uint64_t records_ = 0;
  uint64_t line_ = 1;
  uint64_t record_line_ = 0;
  uint64_t lf_ = 0, crlf_ = 0, cr_ = 0;
  bool quote_issue_ = false;
  size_t max_fields_ = SIZE_MAX;
  std::string buf_;
  std::vector<Span> spans_;
  bool stop_[256];
};

}  // namespace opendata::ingest
