// Running one statement with the rights of another role, as PostgreSQL's
// maintenance commands do (REFRESH MATERIALIZED VIEW, CREATE INDEX,
// ANALYZE run index expressions and view bodies as the relation's owner).
//
//   opendata._query_as(role regrole, sql text) RETURNS SETOF record
//   opendata._exec_as(role regrole, sql text) RETURNS void
//
// The extension's SECURITY DEFINER functions run as opendata_owner and
// touch only the catalog.  Whatever they must do on a relation a user
// created (count or fingerprint its rows, read a geometry's SRID, grant
// read access, refresh a crossing) goes through these two functions, so
// that anything that relation runs (a view's functions, casts, triggers,
// default or index expressions) runs as a role the caller already is,
// never as the definer:
//
//   - the target role must be the caller (the role chosen by SET ROLE, or
//     the session user) or a role whose privileges the caller has; so no
//     call of these functions gives anyone a right they did not hold;
//   - the statement runs as a security-restricted operation: it cannot
//     SET ROLE (or RESET ROLE back to a superuser session user), create
//     temporary objects or change session state, and the settings it
//     changes are undone when it ends;
//   - its search_path is the one the extension's invoker functions have
//     (pg_catalog, opendata, PostGIS's schema, pg_temp), whatever the
//     calling definer's: the statements name PostGIS functions unqualified.
//
// Only opendata_owner may call them (99_finalize.sql); the statements are
// built by the extension's own SQL, never taken from a user or a table.
#include <string>

#include "core/error.hpp"
#include "pg/args.hpp"
#include "pg/as_role.hpp"
#include "pg/guard.hpp"
#include "pg/spi.hpp"
#include "pg/internal_call.hpp"
#include "pg/text.hpp"

extern "C" {
#include "executor/tstoreReceiver.h"
#include "funcapi.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(opendata_query_as);
PG_FUNCTION_INFO_V1(opendata_exec_as);
}

namespace opendata::pg {

ActingAs::ActingAs(Oid role, const std::string& search_path) {
  const char* path = search_path.c_str();
  call([this, role, path] {
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    SetUserIdAndSecContext(role, saved_context_ | SECURITY_LOCAL_USERID_CHANGE |
                                     SECURITY_RESTRICTED_OPERATION);
    guc_level_ = NewGUCNestLevel();
    if (path[0] != '\0')
      set_config_option("search_path", path, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                        false);
  });
}

void ActingAs::finish() {
  int level = guc_level_;
  call([level] { AtEOXact_GUC(false, level); });
}

ActingAs::~ActingAs() { SetUserIdAndSecContext(saved_user_, saved_context_); }

Oid role_of(const std::optional<std::string>& role) {
  if (!role) throw UserError(sqlstate::kInternalError, "no role to act on the relation");
  const char* name = role->c_str();
  return call([name] { return DatumGetObjectId(DirectFunctionCall1(regrolein, CStringGetDatum(name))); });
}

namespace {

// May the caller act as `role`?  The caller is the outer user: what SET ROLE
// chose, whatever SECURITY DEFINER function is running now.
void check_may_act_as(Oid role) {
  Oid caller = call([] { return GetOuterUserId(); });
  bool allowed = role == caller || call([=] { return has_privs_of_role(caller, role); });
  if (allowed) return;
  const char* role_name = call([=] { return GetUserNameFromId(role, false); });
  const char* caller_name = call([=] { return GetUserNameFromId(caller, false); });
  throw UserError(sqlstate::kInsufficientPrivilege,
                  std::string("permission denied to act as role \"") + role_name + "\"",
                  std::string("Role \"") + caller_name + "\" does not have the privileges of role \"" +
                      role_name + "\".");
}

struct Statement {
  Oid role;
  std::string sql;
};

// Read before the switch, as the definer: the acting role need not see
// pg_extension's row (it can), but the definer's view is the one to trust.
std::string statement_search_path() {
  spi::execute("SELECT pg_catalog.format('pg_catalog, opendata, %I, pg_temp', opendata._postgis_schema())",
               true);
  return spi::value(0, 1).value_or("pg_catalog, opendata, pg_temp");
}

Statement statement_args(const Args& args) {
  if (!args.given("role") || !args.given("sql"))
    throw UserError(sqlstate::kInvalidParameterValue, "role and statement must not be NULL");
  return Statement{DatumGetObjectId(args.datum("role")), text_string(args.datum("sql"))};
}

}  // namespace
}  // namespace opendata::pg

// _query_as(role, sql): the rows of a query run as `role`, in the shape the
// call site declares (AS t(col type, ...)); a different shape is an error.
Datum opendata_query_as(PG_FUNCTION_ARGS) {
  namespace pg = opendata::pg;
  return pg::boundary([&]() -> Datum {
    pg::Statement st = pg::statement_args(pg::Args(fcinfo, pg::signature::kQueryAs));
    pg::check_may_act_as(st.role);
    pg::call([fcinfo] { InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC); });
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    DestReceiver* dest = pg::call([rsinfo] {
      DestReceiver* d = CreateDestReceiver(DestTuplestore);
      SetTuplestoreDestReceiverParams(d, rsinfo->setResult, rsinfo->econtext->ecxt_per_query_memory,
                                      false, rsinfo->setDesc,
                                      "the statement's columns do not match the declared ones");
      return d;
    });
    pg::spi::connect();
    {
      pg::ActingAs as(st.role, pg::statement_search_path());
      pg::spi::execute_to(st.sql, {}, dest);
      as.finish();
    }
    pg::spi::finish();
    return (Datum)0;
  });
}

// _exec_as(role, sql): a statement (DDL, GRANT, REFRESH) run as `role`;
// the rows it processed (CREATE ... AS: the rows it wrote, which a caller
// then need not count again).
Datum opendata_exec_as(PG_FUNCTION_ARGS) {
  namespace pg = opendata::pg;
  return pg::boundary([&]() -> Datum {
    pg::Statement st = pg::statement_args(pg::Args(fcinfo, pg::signature::kExecAs));
    pg::check_may_act_as(st.role);
    uint64 processed = 0;
    pg::spi::connect();
    {
      pg::ActingAs as(st.role, pg::statement_search_path());
      processed = pg::spi::execute(st.sql.c_str(), false);
      as.finish();
    }
    pg::spi::finish();
    PG_RETURN_INT64(static_cast<int64>(processed));
  });
}
