#include "pg/keyset.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

#include "core/odsql/keyset.hpp"
#include "pg/args.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

namespace opendata::pg {
namespace {

std::optional<odsql::KeyKind> kind_of(Oid type) {
  switch (type) {
    case INT2OID:
      return odsql::KeyKind::Int2;
    case INT4OID:
      return odsql::KeyKind::Int4;
    case INT8OID:
      return odsql::KeyKind::Int8;
    case NUMERICOID:
      return odsql::KeyKind::Numeric;
    case FLOAT4OID:
      return odsql::KeyKind::Float4;
    case FLOAT8OID:
      return odsql::KeyKind::Float8;
    case TEXTOID:
    case VARCHAROID:
      return odsql::KeyKind::Text;
    case BOOLOID:
      return odsql::KeyKind::Bool;
    case DATEOID:
      return odsql::KeyKind::Date;
    case TIMESTAMPOID:
      return odsql::KeyKind::Timestamp;
    case TIMESTAMPTZOID:
      return odsql::KeyKind::Timestamptz;
    default:
      return std::nullopt;
  }
}

template <typename F>
std::string shortest(F v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round trip
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

// The exact text of a sort value, whatever the session's DateStyle,
// TimeZone or extra_float_digits: floats in shortest round-trip form,
// dates and timestamps in ISO style and UTC.  The type output functions
// serve the types they already write one way (integers, numeric, text).
std::string exact_text(Datum d, Oid type) {
  char buf[MAXDATELEN + 1];
  buf[0] = '\0';
  switch (type) {
    case FLOAT4OID:
      return shortest(DatumGetFloat4(d));
    case FLOAT8OID:
      return shortest(DatumGetFloat8(d));
    case BOOLOID:
      return DatumGetBool(d) ? "t" : "f";
    case DATEOID: {
      DateADT date = DatumGetDateADT(d);
      call([date, &buf] {
        if (DATE_NOT_FINITE(date)) {
          EncodeSpecialDate(date, buf);
          return;
        }
        struct pg_tm tm = {};
        j2date(date + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
        EncodeDateOnly(&tm, USE_ISO_DATES, buf);
      });
      return buf;
    }
    case TIMESTAMPOID:
    case TIMESTAMPTZOID: {
      Timestamp ts = DatumGetTimestamp(d);
      bool with_zone = type == TIMESTAMPTZOID;
      call([ts, with_zone, &buf] {
        if (TIMESTAMP_NOT_FINITE(ts)) {
          EncodeSpecialTimestamp(ts, buf);
          return;
        }
        struct pg_tm tm = {};
        fsec_t fsec = 0;
        // No time zone argument: the fields of the UTC instant.
        if (timestamp2tm(ts, nullptr, &tm, &fsec, nullptr, nullptr) != 0) return;
        tm.tm_isdst = 0;  // EncodeDateTime prints the offset only when this is known
        EncodeDateTime(&tm, fsec, with_zone, 0, nullptr, USE_ISO_DATES, buf);
      });
      return buf;
    }
    default: {
      char* text = call([d, type] {
        Oid out;
        bool varlena;
        getTypeOutputInfo(type, &out, &varlena);
        return OidOutputFunctionCall(out, d);
      });
      return text;
    }
  }
}

}  // namespace

void add_keyset(const Args& args, const PublishedDataset& ds, odsql::Request& req) {
  if (args.has("after")) req.after = args.text("after");
  add_key(ds, req);
}

std::vector<std::string> dataset_key(const PublishedDataset& ds) {
  std::vector<std::string> key(static_cast<std::size_t>(ds.key_size));
  for (std::size_t i = 0; i < ds.fields.size(); i++) {
    const int position = ds.columns[i].key_position;
    if (position >= 1 && position <= ds.key_size)
      key[static_cast<std::size_t>(position - 1)] = ds.fields[i].name;
  }
  // Every key field must be a field of the view, or it is no key of it.
  for (const auto& k : key)
    if (k.empty()) return {};
  return key;
}

void add_key(const PublishedDataset& ds, odsql::Request& req) {
  for (std::size_t i = 0; i < ds.fields.size(); i++) {
    const PublishedDataset::Column& c = ds.columns[i];
    if (std::optional<odsql::KeyKind> kind = kind_of(c.type))
      req.keyset_columns.push_back({ds.fields[i].name, *kind, c.not_null});
  }
  req.key = dataset_key(ds);
}

std::string next_token(const odsql::Compiled& compiled, std::int64_t rows, const spi::Row& page) {
  if (compiled.keyset.empty() || rows <= 0) return {};
  // Column 2: the rows on the page; a short page is the last one.
  if (std::stoll(spi::value(page, 2).value_or("0")) < rows) return {};
  std::vector<std::optional<std::string>> values;
  for (std::size_t i = 0; i < compiled.keyset.size(); i++) {
    int col = static_cast<int>(i) + 3;
    bool isnull = false;
    Datum d = spi::binary_value(page, col, &isnull);
    Oid type = spi::column_type(page, col);
    if (isnull)
      values.emplace_back();
    else
      values.emplace_back(exact_text(d, type));
  }
  return odsql::make_token(compiled.keyset_fingerprint, compiled.keyset, values);
}

}  // namespace opendata::pg
