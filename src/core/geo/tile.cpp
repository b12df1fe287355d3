#include "core/geo/tile.hpp"

#include "core/backquote.hpp"
#include "core/error.hpp"

namespace opendata::geo {

void check_tile(std::int64_t z, std::int64_t x, std::int64_t y) {
  if (z < 0 || z > kMaxZoom)
    throw UserError(sqlstate::kInvalidParameterValue, "tile zoom must be an integer from 0 to " +
                                                          std::to_string(kMaxZoom) + ", not " +
                                                          std::to_string(z));
  const std::int64_t n = std::int64_t{1} << z;
  for (auto [name, v] : {std::pair<const char*, std::int64_t>{"x", x}, {"y", y}}) {
    if (v < 0 || v >= n)
      throw UserError(sqlstate::kInvalidParameterValue,
                      std::string("tile ") + name + " must be from 0 to " + std::to_string(n - 1) +
                          " at zoom " + std::to_string(z) + ", not " + std::to_string(v),
                      "", "At zoom z the tiles are numbered 0 to 2^z - 1 in each direction.");
  }
}

CellSql mercator_cell_sql(const std::string& lon_sql, const std::string& lat_sql,
                          const std::string& cells_sql) {
  const std::string lat = "least(greatest(" + lat_sql + ", -" + std::string(kMaxLatitudeSql) +
                          "), " + kMaxLatitudeSql + ")";
  // Clamped to the grid: floor() of a coordinate on the grid's edge
  // (longitude 180) would be one past the last cell.
  auto clamp = [&](const std::string& f) {
    return "least(greatest(floor(" + f + " * " + cells_sql + "), 0), " + cells_sql + " - 1)::int8";
  };
  CellSql out;
  out.x = clamp("((" + lon_sql + " + 180) / 360)");
  out.y = clamp("((1 - ln(tan(radians(" + lat + ")) + 1 / cos(radians(" + lat + "))) / pi()) / 2)");
  return out;
}

std::vector<std::string> parse_field_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto skip_spaces = [&] {
    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  };
  skip_spaces();
  if (i == n) return out;
  for (;;) {
    skip_spaces();
    std::string name;
    if (i < n && text[i] == '`') {
      const std::size_t after = read_backquoted(text, i, name);
      if (after == std::string::npos)
        throw UserError(sqlstate::kInvalidParameterValue,
                        "unterminated back-quote in fields at character " + std::to_string(i + 1));
      i = after;
    } else {
      std::size_t start = i;
      while (i < n && text[i] != ',') ++i;
      std::size_t end = i;
      while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t' ||
                             text[end - 1] == '\n' || text[end - 1] == '\r'))
        --end;
      name = text.substr(start, end - start);
    }
    if (name.empty())
      throw UserError(sqlstate::kInvalidParameterValue, "empty field name in fields",
                      "fields is a comma-separated list of field names.");
    out.push_back(name);
    skip_spaces();
    if (i == n) break;
    if (text[i] != ',')
      throw UserError(sqlstate::kInvalidParameterValue,
                      "expected a comma in fields at character " + std::to_string(i + 1),
                      "fields is a comma-separated list of field names.");
    ++i;
  }
  return out;
}

}  // namespace opendata::geo
