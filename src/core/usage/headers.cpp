#include "core/usage/headers.hpp"

#include <cstdint>

namespace opendata::usage {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool take(char c) {
    skip_space();
    if (i_ >= s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool at_end() {
    skip_space();
    return i_ == s_.size();
  }

  // A name without escapes (PostgREST's are lower-case ASCII), as a view.
  bool name(std::string_view* out) {
    if (!take('"')) return false;
    std::size_t end = s_.find_first_of("\"\\", i_);
    if (end == std::string_view::npos || s_[end] != '"') return false;
    *out = s_.substr(i_, end - i_);
    i_ = end + 1;
    return true;
  }

  // A string value, decoded into *out (skipped when out is null).
  bool string(std::string* out) {
    if (!take('"')) return false;
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        if (out != nullptr) out->push_back(c);
        continue;
      }
      if (!escape(out)) return false;
    }
    return false;
  }

 private:
  bool escape(std::string* out) {
    if (i_ >= s_.size()) return false;
    const char e = s_[i_++];
    char plain = 0;
    switch (e) {
      case '"': plain = '"'; break;
      case '\\': plain = '\\'; break;
      case '/': plain = '/'; break;
      case 'b': plain = '\b'; break;
      case 'f': plain = '\f'; break;
      case 'n': plain = '\n'; break;
      case 'r': plain = '\r'; break;
      case 't': plain = '\t'; break;
      case 'u': return unicode(out);
      default: return false;
    }
    if (out != nullptr) out->push_back(plain);
    return true;
  }

  bool hex4(std::uint32_t* v) {
    if (s_.size() - i_ < 4) return false;
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return false;
      *v = *v * 16 + static_cast<std::uint32_t>(d);
    }
    return true;
  }

  // \uXXXX, or a surrogate pair of them, as UTF-8.
  bool unicode(std::string* out) {
    std::uint32_t cp = 0;
    if (!hex4(&cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t low = 0;
      if (s_.substr(i_, 2) != "\\u") return false;
      i_ += 2;
      if (!hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (out == nullptr) return true;
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

std::string* slot(PickedHeaders& h, std::string_view name) {
  if (name == "authorization") return &h.authorization;
  if (name == "x-api-key") return &h.x_api_key;
  if (name == "x-forwarded-for") return &h.x_forwarded_for;
  if (name == "x-real-ip") return &h.x_real_ip;
  if (name == "if-none-match") return &h.if_none_match;
  return nullptr;
}

}  // namespace

std::optional<PickedHeaders> pick_headers(std::string_view json) {
  Reader r(json);
  PickedHeaders h;
  if (!r.take('{')) return std::nullopt;
  if (!r.take('}')) {
    do {
      std::string_view name;
      if (!r.name(&name) || !r.take(':')) return std::nullopt;
      std::string* target = slot(h, name);
      if (target != nullptr) target->clear();  // the last of a repeated name
      if (!r.string(target)) return std::nullopt;
    } while (r.take(','));
    if (!r.take('}')) return std::nullopt;
  }
  if (!r.at_end()) return std::nullopt;
  return h;
}

}  // namespace opendata::usage
