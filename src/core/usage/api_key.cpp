#include "core/usage/api_key.hpp"

#include <cctype>

namespace opendata::usage {
namespace {

constexpr std::size_t kMaxIdLength = 32;
constexpr std::size_t kMaxSecretLength = 256;

bool id_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

}  // namespace

std::optional<ApiKey> parse_api_key(std::string_view text) {
  text = trim(text);
  std::size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > kMaxIdLength) return std::nullopt;
  std::string_view id = text.substr(0, dot), secret = text.substr(dot + 1);
  if (secret.empty() || secret.size() > kMaxSecretLength) return std::nullopt;
  for (char c : id)
    if (!id_char(c)) return std::nullopt;
  for (char c : secret)
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f) return std::nullopt;
  return ApiKey{std::string(id), std::string(secret)};
}

std::string_view presented_key(std::string_view authorization, std::string_view x_api_key) {
  authorization = trim(authorization);
  if (starts_with_nocase(authorization, "apikey ")) return trim(authorization.substr(7));
  return trim(x_api_key);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  // volatile: keep the compiler from turning the loop into an early exit.
  volatile unsigned char result = diff;
  return result == 0;
}

std::string client_address(std::string_view x_forwarded_for, std::string_view x_real_ip,
                           std::string_view peer) {
  std::string_view first = x_forwarded_for.substr(0, x_forwarded_for.find(','));
  first = trim(first);
  if (!first.empty()) return std::string(first);
  x_real_ip = trim(x_real_ip);
  if (!x_real_ip.empty()) return std::string(x_real_ip);
  return std::string(trim(peer));
}

}  // namespace opendata::usage
