#include "core/ingest/types.hpp"

namespace opendata::ingest {

const char* column_type_name(ColumnType t) {
  switch (t) {
    case ColumnType::Text: return "text";
    case ColumnType::Boolean: return "boolean";
    case ColumnType::Integer: return "integer";
    case ColumnType::Bigint: return "bigint";
    case ColumnType::Numeric: return "numeric";
    case ColumnType::Date: return "date";
    case ColumnType::Timestamp: return "timestamp";
    case ColumnType::Timestamptz: return "timestamptz";
    case ColumnType::Jsonb: return "jsonb";
    case ColumnType::Geometry: return "geometry";
  }
  return "text";
}

bool parse_column_type(std::string_view s, ColumnType& out) {
  std::string n;
  for (char c : s) n.push_back(static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c));
  if (n == "text" || n == "varchar" || n == "string" || n == "character varying") out = ColumnType::Text;
  else if (n == "boolean" || n == "bool") out = ColumnType::Boolean;
  else if (n == "integer" || n == "int" || n == "int4") out = ColumnType::Integer;
  else if (n == "bigint" || n == "int8") out = ColumnType::Bigint;
  else if (n == "numeric" || n == "decimal" || n == "float" || n == "double precision" || n == "number")
    out = ColumnType::Numeric;
  else if (n == "date") out = ColumnType::Date;
  else if (n == "timestamp" || n == "timestamp without time zone") out = ColumnType::Timestamp;
  else if (n == "timestamptz" || n == "timestamp with time zone") out = ColumnType::Timestamptz;
  else if (n == "jsonb" || n == "json") out = ColumnType::Jsonb;
  else if (n == "geometry") out = ColumnType::Geometry;
  else return false;
  return true;
}

}  // namespace opendata::ingest
