#include "core/odsql/links.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

namespace opendata::odsql {
namespace {

void append_encoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
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
}

// A GET URL written as its arguments come, in one string: a records()
// page with a next link writes one per call.
class Url {
 public:
  Url(std::string_view base_url, std::string_view function, std::size_t args_size) {
    out_.reserve(base_url.size() + function.size() + 5 + args_size + args_size / 2);
    out_ += base_url;
    out_ += "/rpc/";
    out_ += function;
  }

  void arg(std::string_view name, std::string_view value) {
    out_ += separator_;
    separator_ = '&';
    out_ += name;
    out_ += '=';
    append_encoded(out_, value);
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  char separator_ = '?';
};

// A records() next link: the arguments of the request, in records()'s
// argument order, with `position` ("after" or "start") and its value after
// rows; defaults are left out so the link stays as short as the request was.
std::string records_link(const LinkArgs& args, const Request& req, std::string_view position,
                         std::string_view position_value) {
  const std::string rows = std::to_string(req.limit);
  Url url(args.base_url, "records",
          args.dataset.size() + req.select.size() + req.where.size() + req.group_by.size() +
              req.order_by.size() + position_value.size() + 64);
  url.arg("dataset", args.dataset);
  if (!req.select.empty()) url.arg("fields", req.select);
  if (!req.where.empty()) url.arg("where", req.where);
  if (!req.group_by.empty()) url.arg("group_by", req.group_by);
  if (!req.order_by.empty()) url.arg("order_by", req.order_by);
  url.arg("rows", rows);
  url.arg(position, position_value);
  if (!req.refine.empty()) url.arg("refine", array_literal(req.refine));
  if (!req.exclude.empty()) url.arg("exclude", array_literal(req.exclude));
  if (!args.lang.empty()) url.arg("lang", args.lang);
  if (req.timezone != "UTC") url.arg("timezone", req.timezone);
  return url.take();
}

}  // namespace

std::string rpc_url(const std::string& base_url, const std::string& function,
                    const QueryArgs& args) {
  std::size_t size = 0;
  for (const auto& [name, value] : args) size += name.size() + (value ? value->size() : 0) + 2;
  Url url(base_url, function, size);
  for (const auto& [name, value] : args) {
    if (value) url.arg(name, *value);
  }
  return url.take();
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
  std::string out;
  out.reserve(text.size());
  append_encoded(out, text);
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
  return records_link(args, req, "after", token);
}

std::string next_link_start(const LinkArgs& args, const Request& req) {
  return records_link(args, req, "start", std::to_string(req.offset + req.limit));
}

}  // namespace opendata::odsql
