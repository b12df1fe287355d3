#include "pg/internal_call.hpp"

#include "core/error.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "utils/lsyscache.h"
#include "utils/regproc.h"
}

namespace opendata::pg {

namespace {

struct Resolved {
  Oid function;
  int nargs;
  Oid* types;  // palloc'd
};

Resolved resolve(const char* signature) {
  return call([signature] {
    Oid fn = DatumGetObjectId(DirectFunctionCall1(regprocedurein, CStringGetDatum(signature)));
    Oid* types = nullptr;
    int nargs = 0;
    get_func_signature(fn, &types, &nargs);
    return Resolved{fn, nargs, types};
  });
}

Datum input_value(Oid type, const std::string& text) {
  const char* s = text.c_str();
  return call([type, s] {
    Oid input_fn;
    Oid io_param;
    getTypeInputInfo(type, &input_fn, &io_param);
    return OidInputFunctionCall(input_fn, const_cast<char*>(s), io_param, -1);
  });
}

}  // namespace

std::optional<std::string> call_internal(const char* signature,
                                         const std::vector<std::optional<std::string>>& args) {
  Resolved fn = resolve(signature);
  if (fn.nargs != static_cast<int>(args.size()) || fn.nargs > FUNC_MAX_ARGS)
    throw UserError(sqlstate::kInternalError,
                    std::string("wrong number of arguments for ") + signature);
  std::vector<Datum> values(fn.nargs);
  std::vector<char> nulls(fn.nargs, 0);
  for (int i = 0; i < fn.nargs; i++) {
    if (args[i]) values[i] = input_value(fn.types[i], *args[i]);
    else nulls[i] = 1;
  }
  const Datum* v = values.data();
  const char* n = nulls.data();
  int nargs = fn.nargs;
  Oid function = fn.function;
  char* result = call([=]() -> char* {
    FmgrInfo flinfo;
    fmgr_info(function, &flinfo);
    LOCAL_FCINFO(fcinfo, FUNC_MAX_ARGS);
    InitFunctionCallInfoData(*fcinfo, &flinfo, nargs, InvalidOid, nullptr, nullptr);
    for (int i = 0; i < nargs; i++) {
      fcinfo->args[i].value = v[i];
      fcinfo->args[i].isnull = n[i] != 0;
    }
    if (flinfo.fn_strict)
      for (int i = 0; i < nargs; i++)
        if (n[i]) return nullptr;
    Datum d = FunctionCallInvoke(fcinfo);
    if (fcinfo->isnull) return nullptr;
    Oid out_fn;
    bool varlena;
    getTypeOutputInfo(get_func_rettype(function), &out_fn, &varlena);
    return OidOutputFunctionCall(out_fn, d);
  });
  if (result == nullptr) return std::nullopt;
  return std::string(result);
}

}  // namespace opendata::pg
