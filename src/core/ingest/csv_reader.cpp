#include "core/ingest/csv_reader.hpp"

#include <cstring>

#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace opendata::ingest {

CsvReader::CsvReader(std::string_view text, CsvDialectChars d, bool strict)
    : text_(text), d_(d), strict_(strict) {
  // One table lookup per byte in unquoted fields: the hot loop of the scan.
  std::memset(stop_, 0, sizeof stop_);
  stop_[static_cast<unsigned char>(d_.delimiter)] = true;
  stop_[static_cast<unsigned char>('\n')] = true;
  stop_[static_cast<unsigned char>('\r')] = true;
}

void CsvReader::end_of_line() {
  if (text_[pos_] == '\n') {
    ++lf_;
    ++pos_;
  } else if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
    ++crlf_;
    pos_ += 2;
  } else {
    ++cr_;
    ++pos_;
  }
  ++line_;
}

void CsvReader::read_quoted(Span& s) {
  const size_t n = text_.size();
  const char q = d_.quote;
  const char e = d_.escape;
  const uint64_t start_line = line_;
  size_t start = ++pos_;
  size_t seg = start;       // start of the not-yet-copied run
  bool copying = false;     // content is being assembled in buf_
  size_t buf_start = 0;
  size_t p = start;
  for (;;) {
    while (p < n && text_[p] != q && text_[p] != e && text_[p] != '\n') ++p;
    if (p >= n) {
      if (strict_) {
        throw UserError(sqlstate::kBadCopyFileFormat, "unterminated quoted field",
                        "The quoted field starting on line " + std::to_string(start_line) +
                            " is not closed before the end of the file.",
                        "Check the quote character, or set \"quote\" to \"\" if the file does "
                        "not quote fields.");
      }
      quote_issue_ = true;
      break;
    }
    char c = text_[p];
    if (c == '\n') {
      ++line_;
      ++p;
      continue;
    }
    if (c == e && e != q) {
      // Backslash escape: \" and \\ stand for the character itself; any other
      // backslash is kept as data (Windows paths survive).
      if (p + 1 < n && (text_[p + 1] == q || text_[p + 1] == e)) {
        if (!copying) {
          copying = true;
          buf_start = buf_.size();
        }
        buf_.append(text_.data() + seg, p - seg);
        buf_.push_back(text_[p + 1]);
        p += 2;
        seg = p;
      } else {
        ++p;
      }
      continue;
    }
    // c == q.  A doubled quote is a literal quote in both escape modes.
    if (p + 1 < n && text_[p + 1] == q) {
      if (!copying) {
        copying = true;
        buf_start = buf_.size();
      }
      buf_.append(text_.data() + seg, p - seg + 1);
      p += 2;
      seg = p;
      continue;
    }
    break;  // closing quote
  }
  size_t content_end = p < n ? p : n;
  pos_ = p < n ? p + 1 : n;
  // Text after the closing quote ("ab"c) is kept, as most readers do, but
  // flagged: the sniffer uses it to reject a wrong quote/delimiter guess.
  size_t tail = pos_;
  while (tail < n && !stop_[static_cast<unsigned char>(text_[tail])]) ++tail;
  if (tail > pos_) quote_issue_ = true;
  if (!copying && tail == pos_) {
    s = Span{start, content_end - start, false};
    return;
  }
  if (!copying) buf_start = buf_.size();
  buf_.append(text_.data() + seg, content_end - seg);
  buf_.append(text_.data() + pos_, tail - pos_);
  pos_ = tail;
  s = Span{buf_start, buf_.size() - buf_start, true};
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  const size_t n = text_.size();
  quote_issue_ = false;
  while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) end_of_line();
  if (pos_ >= n) return false;
  record_line_ = line_;
  ++records_;
  fields.clear();
  spans_.clear();  // only fields unescaped into buf_, patched in at the end
  buf_.clear();
  const char* const base = text_.data();
  for (;;) {
    if (d_.quote != '\0' && pos_ < n && text_[pos_] == d_.quote) {
      Span s{0, 0, false};
      read_quoted(s);
      if (s.in_buf) {
        s.off2 = fields.size();
        spans_.push_back(s);
        fields.emplace_back();
      } else {
        fields.emplace_back(base + s.off, s.len);
      }
    } else {
      size_t p = pos_;
      while (p < n && !stop_[static_cast<unsigned char>(text_[p])]) ++p;
      fields.emplace_back(base + pos_, p - pos_);
      pos_ = p;
    }
    if (fields.size() > max_fields_)
      throw UserError(sqlstate::kTooManyColumns, "too many columns",
                      "Line " + std::to_string(record_line_) + " has more than " +
                          std::to_string(max_fields_) + " fields; a table can have at most " +
                          std::to_string(max_fields_) + " columns.",
                      "Split the file, or keep only the columns you need.");
    if ((fields.size() & 0xFFFF) == 0) check_interrupts();  // one record may be the whole file
    if (pos_ >= n) break;
    if (text_[pos_] == d_.delimiter) {
      ++pos_;  // a delimiter at end of input still opens one last empty field
      continue;
    }
    end_of_line();
    break;
  }
  for (const Span& s : spans_) fields[s.off2] = std::string_view(buf_.data() + s.off, s.len);
  return true;
}

}  // namespace opendata::ingest
