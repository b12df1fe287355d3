// libFuzzer target for the DCAT-AP serialisers (src/core/catalog).
//
// The input is cut at NUL bytes into strings that are put wherever the
// catalog document holds text (IRIs, titles, keywords, language, dates,
// media types...), so every escaping path sees arbitrary bytes; when the
// input starts with '{' it is also tried as a whole document.
//
// Properties checked on every input:
//  - no crash or undefined behaviour (ASan/UBSan);
//  - the only exception is UserError 22023;
//  - every output is valid UTF-8 without the control characters XML 1.0
//    forbids; the JSON-LD parses as JSON; the three formats agree on being
//    produced or refused.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalog/dcat.hpp"
#include "core/error.hpp"

using namespace opendata::catalog;
using nlohmann::json;

namespace {

bool clean_output(const std::string& s) {
  // clean_literal() is the identity on text that is already clean.
  return clean_literal(s) == s;
}

void check(const std::string& doc) {
  std::string out[3];
  bool refused[3] = {false, false, false};
  const RdfFormat formats[3] = {RdfFormat::Turtle, RdfFormat::RdfXml, RdfFormat::JsonLd};
  for (int i = 0; i < 3; ++i) {
    try {
      out[i] = serialise_catalog(doc, formats[i]);
    } catch (const opendata::UserError& e) {
      if (e.sqlstate() != "22023") std::abort();
      refused[i] = true;
    }
  }
  if (refused[0] != refused[1] || refused[1] != refused[2]) std::abort();
  if (refused[0]) return;
  for (const std::string& o : out)
    if (o.empty() || !clean_output(o)) std::abort();
  if (json::parse(out[2], nullptr, false).is_discarded()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && input[0] == '{') check(std::string(input));

  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= input.size(); ++i) {
    if (i == input.size() || input[i] == '\0') {
      parts.emplace_back(input.substr(start, i - start));
      start = i + 1;
    }
  }
  auto part = [&](std::size_t k) { return parts[k % parts.size()]; };
  // Values as JSON strings: nlohmann refuses invalid UTF-8 when dumping, so
  // the bytes go through a lossy but total conversion first.
  auto s = [&](std::size_t k) {
    json v = part(k);
    return json::parse(v.dump(-1, ' ', false, json::error_handler_t::replace));
  };
  json dist = {{"iri", s(0)},
               {"title", s(1)},
               {"format", s(2)},
               {"media_type", s(3)},
               {"access_url", "https://x.example/" + part(4)},
               {"download_url", s(5)}};
  json ds = {
      {"iri", "https://x.example/d/" + part(6)},
      {"identifier", s(7)},
      {"title", s(8)},
      {"description", s(9)},
      {"language", json::array({s(10), "fr"})},
      {"themes", json::array({s(11), {{"code", s(12)}, {"label_en", s(13)}}})},
      {"keywords", json::array({s(14), s(15)})},
      {"publisher", {{"iri", "https://x.example/o/" + part(16)}, {"name", s(17)}, {"type", s(18)}}},
      {"contact_point", {{"name", s(19)}, {"email", s(20)}, {"url", s(21)}}},
      {"landing_page", s(22)},
      {"spatial", {{"label", s(23)}, {"uri", s(24)}, {"bbox", json::array({1.5, -2, 3e10, size})}}},
      {"temporal", {{"start", s(25)}, {"end", s(26)}}},
      {"accrual_periodicity", s(27)},
      {"issued", s(28)},
      {"license", {{"id", s(29)}, {"iri", s(30)}}},
      {"rights", s(31)},
      {"access", s(32)},
      {"version", s(33)},
      {"was_derived_from", json::array({s(34)})},
      {"distributions", json::array({dist})}};
  json doc = {{"catalog",
               {{"iri", "https://x.example/c"},
                {"title", s(35)},
                {"language", s(36)},
                {"homepage", s(37)},
                {"publisher", {{"iri", s(38)}, {"name", s(39)}}}}},
              {"page", {{"iri", s(40)}, {"next", s(41)}, {"total", size}, {"page_size", 1}}},
              {"datasets", json::array({ds})}};
  check(doc.dump(-1, ' ', false, json::error_handler_t::replace));
  try {
    std::string org = schema_org_dataset(ds.dump(-1, ' ', false, json::error_handler_t::replace));
    if (json::parse(org, nullptr, false).is_discarded()) std::abort();
  } catch (const opendata::UserError& e) {
    if (e.sqlstate() != "22023") std::abort();
  }
  return 0;
}
