// libFuzzer target for the keyset paging tokens of records() ("after").
//
// The input is a token as a client would send it.  Reading it against a
// fixed ordering must either give values of the expected kinds or throw
// UserError; values it accepts must survive make_token() -> read_token()
// unchanged.  The exact-form checks of every kind also see the raw input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/odsql/keyset.hpp"

using opendata::UserError;
using namespace opendata::odsql;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::string fingerprint = "0123456789abcdef";
  const std::vector<KeyKind> kinds = {KeyKind::Text, KeyKind::Float8,      KeyKind::Numeric,
                                      KeyKind::Date, KeyKind::Timestamptz, KeyKind::Bool,
                                      KeyKind::Int4};
  for (KeyKind k : {KeyKind::Int2, KeyKind::Int4, KeyKind::Int8, KeyKind::Numeric, KeyKind::Float4,
                    KeyKind::Float8, KeyKind::Text, KeyKind::Bool, KeyKind::Date,
                    KeyKind::Timestamp, KeyKind::Timestamptz}) {
    (void)check_key_value(k, input);
  }
  try {
    const auto values = read_token(input, fingerprint, kinds);
    if (values.size() != kinds.size()) std::abort();
    const std::string again = make_token(fingerprint, kinds, values);
    if (again.empty() || read_token(again, fingerprint, kinds) != values) std::abort();
  } catch (const UserError&) {
  }
  return 0;
}
