// Input decoding: whatever bytes the publisher uploaded become UTF-8 text.
//
// Open data files arrive as UTF-8 (often with one or even several BOMs left
// by successive tools), as Windows-1252 from spreadsheets, or occasionally as
// UTF-16 from Excel's "Unicode text".  Everything downstream (parser, type
// inference, COPY output) works on UTF-8 only, so decoding happens once, up
// front.  Valid UTF-8 is never copied: DecodedText then views the caller's
// buffer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace opendata::ingest {

enum class Encoding { Auto, Utf8, Windows1252, Latin1, Latin9, Utf16le, Utf16be };

// Canonical name used in reports and options: "utf-8", "windows-1252", ...
const char* encoding_name(Encoding e);
// Parses a user spelling ("UTF8", "latin-1", "cp1252", ...); false if unknown.
bool parse_encoding(std::string_view name, Encoding& out);

class DecodedText {
 public:
  DecodedText() = default;
  DecodedText(const DecodedText&) = delete;
  DecodedText& operator=(const DecodedText&) = delete;
  DecodedText(DecodedText&&) = default;
  DecodedText& operator=(DecodedText&&) = default;

  // The UTF-8 text, BOMs removed.  Views either the caller's buffer or the
  // owned transcoding, so it is recomputed on each call (safe after a move).
  std::string_view text() const { return owned_used ? std::string_view(owned) : view; }

  Encoding encoding = Encoding::Utf8;  // what the input was decoded from
  int bom_count = 0;                   // leading BOMs stripped
  bool transcoded() const { return owned_used; }

  // Implementation detail, public for the decoder.
  std::string owned;
  std::string_view view;
  bool owned_used = false;
};

// Decodes `raw` (the whole file).  With Encoding::Auto: UTF-16 by BOM, else
// UTF-8 if the bytes are valid UTF-8, else Windows-1252 (a superset of
// Latin-1 for printable text; the 0x80-0x9F range is where they differ).
// Throws UserError 22021 when an explicit UTF-8 is invalid, and 22P04 for
// NUL bytes or an obviously binary file (zip/xlsx signature).
DecodedText decode_input(std::string_view raw, Encoding requested);

// True if `s` is entirely valid UTF-8 (no overlongs, no surrogates).  On
// failure, *bad_offset receives the offset of the first invalid byte.
bool is_valid_utf8(std::string_view s, size_t* bad_offset = nullptr);

// Appends the UTF-8 encoding of code point `cp` to `out`.
void append_utf8(std::string& out, unsigned cp);

}  // namespace opendata::ingest
