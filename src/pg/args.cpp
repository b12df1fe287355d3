#include "pg/args.hpp"

#include <cstring>

extern "C" {
#include "utils/array.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
}

namespace opendata::pg {
namespace {

// The elements of a text[] value, NULL ones as nullopt.
std::vector<std::optional<std::string>> text_elements(Datum arg) {
  Datum* elems = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  call([&] {
    ArrayType* array = DatumGetArrayTypeP(arg);
    if (ARR_NDIM(array) > 1)
      ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                      errmsg("expected a one-dimensional text array")));
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
  });
  std::vector<std::optional<std::string>> out;
  out.reserve(count);
  for (int k = 0; k < count; k++) {
    if (nulls[k]) {
      out.emplace_back(std::nullopt);
    } else {
      out.emplace_back(text_string(elems[k]));
    }
  }
  return out;
}

}  // namespace

int Args::position(const char* name) const {
  for (int i = 0; i < signature_.count; i++) {
    if (std::strcmp(signature_.names[i], name) == 0) return i;
  }
  throw UserError(sqlstate::kInternalError, std::string("C function ") + signature_.symbol +
                                                " has no argument \"" + name + "\"");
}

bool Args::has(const char* name) const {
  for (int i = 0; i < signature_.count; i++) {
    if (std::strcmp(signature_.names[i], name) == 0) return i < fcinfo_->nargs;
  }
  return false;
}

bool Args::given(const char* name) const {
  const int i = position(name);
  if (i >= fcinfo_->nargs)
    throw UserError(sqlstate::kInternalError,
                    std::string("C function ") + signature_.symbol + " was called with " +
                        std::to_string(fcinfo_->nargs) + " arguments, its table names " +
                        std::to_string(signature_.count));
  return !fcinfo_->args[i].isnull;
}

std::string Args::text(const char* name) const {
  return given(name) ? text_string(fcinfo_->args[position(name)].value) : std::string();
}

std::string Args::text_or(const char* name, const std::string& fallback) const {
  return given(name) ? text_string(fcinfo_->args[position(name)].value) : fallback;
}

std::int64_t Args::int32_or(const char* name, std::int64_t fallback) const {
  if (!given(name)) return fallback;
  return static_cast<std::int64_t>(DatumGetInt32(fcinfo_->args[position(name)].value));
}

std::int64_t Args::int64_or(const char* name, std::int64_t fallback) const {
  if (!given(name)) return fallback;
  return static_cast<std::int64_t>(DatumGetInt64(fcinfo_->args[position(name)].value));
}

bool Args::bool_or(const char* name, bool fallback) const {
  return given(name) ? DatumGetBool(fcinfo_->args[position(name)].value) : fallback;
}

std::vector<std::string> Args::text_array(const char* name) const {
  std::vector<std::string> out;
  if (!given(name)) return out;
  for (std::optional<std::string>& element : text_elements(datum(name)))
    if (element) out.push_back(std::move(*element));
  return out;
}

std::vector<std::optional<std::string>> Args::text_array_with_nulls(const char* name) const {
  if (!given(name)) return {};
  return text_elements(datum(name));
}

std::string Args::jsonb_text(const char* name) const {
  if (!given(name)) return "null";
  const Datum d = datum(name);
  return std::string(call([d] { return DatumGetCString(DirectFunctionCall1(jsonb_out, d)); }));
}

double Args::float8(const char* name) const { return DatumGetFloat8(datum(name)); }

Oid Args::type(const char* name) const {
  const int i = position(name);
  return call([this, i] { return get_fn_expr_argtype(fcinfo_->flinfo, i); });
}

Datum Args::datum(const char* name) const {
  if (!given(name))
    throw UserError(sqlstate::kInternalError, std::string("argument \"") + name + "\" is NULL");
  return fcinfo_->args[position(name)].value;
}

}  // namespace opendata::pg
