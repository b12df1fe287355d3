#include "core/odsql/links.hpp"

#include <algorithm>
#include <utility>

namespace opendata::odsql {
namespace {

using Query = QueryArgs;

// The arguments every next link repeats, in records()'s argument order;
// defaults are left out so the link stays as short as the request was.
Query common(const LinkArgs& args, const Request& req) {
  Query q{{"dataset", args.dataset}};
  if (!req.select.empty()) q.emplace_back("fields", req.select);
  if (!req.where.empty()) q.emplace_back("where", req.where);
  if (!req.group_by.empty()) q.emplace_back("group_by", req.group_by);
  if (!req.order_by.empty()) q.emplace_back("order_by", req.order_by);
  q.emplace_back("rows", std::to_string(req.limit));
  return q;
}

void add_tail(Query& q, const LinkArgs& args, const Request& req) {
  if (!req.refine.empty()) q.emplace_back("refine", array_literal(req.refine));
  if (!req.exclude.empty()) q.emplace_back("exclude", array_literal(req.exclude));
  if (!args.lang.empty()) q.emplace_back("lang", args.lang);
  if (req.timezone != "UTC") q.emplace_back("timezone", req.timezone);
}

std::string url(const LinkArgs& args, const Query& q) { return rpc_url(args.base_url, "records", q); }

}  // namespace

std::string rpc_url(const std::string& base_url, const std::string& function,
                    const QueryArgs& args) {
  std::string out = base_url + "/rpc/" + function;
  char separator = '?';
  for (const auto& [name, value] : args) {
    if (!value) continue;
    out += separator + name + '=' + percent_encode(*value);
    separator = '&';
  }
  return out;
}

std::string next_start_url(const std::string& base_url, const std::string& function,
                           QueryArgs args, std::int64_t start, std::int64_t rows,
                           std::int64_t total) {
  if (rows <= 0 || start + rows >= total) return {};
  const std::string next = std::to_string(start + rows);
  auto it = std::find_if(args.begin(), args.end(), [](const auto& a) { return a.first == "start"; });
  if (it == args.end()) {
    args.emplace_back("start", next);
  } else {
    it->second = next;
  }
  return rpc_url(base_url, function, args);
}

std::string percent_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += i == 0 ? "\"" : ",\"";
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string next_link_after(const LinkArgs& args, const Request& req, const std::string& token) {
  Query q = common(args, req);
  q.emplace_back("after", token);
  add_tail(q, args, req);
  return url(args, q);
}

std::string next_link_start(const LinkArgs& args, const Request& req) {
  Query q = common(args, req);
  q.emplace_back("start", std::to_string(req.offset + req.limit));
  add_tail(q, args, req);
  return url(args, q);
}

}  // namespace opendata::odsql
