// request_key(): every field of a Request reaches the key, and lists
// cannot shift into one another.
#include <functional>
#include <set>

#include "core/odsql/request_key.hpp"
#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;

Request every_field_set() {
  Request r;
  r.relation = "opendata_api.\"trees\"";
  r.select = "name, height";
  r.where = "height > 3";
  r.where_parameter = "where";
  r.group_by = "";
  r.order_by = "height desc";
  r.refine = {"city:Paris"};
  r.exclude = {"alive:false"};
  r.limit = 20;
  r.offset = 40;
  r.timezone = "Europe/Paris";
  r.key = {"id"};
  r.keyset_columns = {{"id", KeyKind::Int4, true}};
  r.after = "token";
  return r;
}

// One change per field of Request (and of KeysetColumn): a field whose
// change leaves the key as it was would let a compiled request be reused
// for another one.
const std::vector<std::pair<const char*, std::function<void(Request&)>>> kChanges = {
    {"relation", [](Request& r) { r.relation = "opendata_api.\"cars\""; }},
    {"select", [](Request& r) { r.select = "name"; }},
    {"where", [](Request& r) { r.where = "height > 4"; }},
    {"where_parameter", [](Request& r) { r.where_parameter = "right_where"; }},
    {"group_by", [](Request& r) { r.group_by = "city"; }},
    {"order_by", [](Request& r) { r.order_by = "height"; }},
    {"refine", [](Request& r) { r.refine = {"city:Lyon"}; }},
    {"exclude", [](Request& r) { r.exclude = {}; }},
    {"limit", [](Request& r) { r.limit = 21; }},
    {"offset", [](Request& r) { r.offset = 0; }},
    {"timezone", [](Request& r) { r.timezone = "UTC"; }},
    {"key",
     [](Request& r) {
       r.key = {"id", "name"};
     }},
    {"keyset_columns.name", [](Request& r) { r.keyset_columns[0].name = "ref"; }},
    {"keyset_columns.kind", [](Request& r) { r.keyset_columns[0].kind = KeyKind::Int8; }},
    {"keyset_columns.not_null", [](Request& r) { r.keyset_columns[0].not_null = false; }},
    {"keyset_columns",
     [](Request& r) {
       r.keyset_columns.push_back({"name", KeyKind::Text, false});
     }},
    {"after", [](Request& r) { r.after = "other"; }},
};

TEST(OdsqlRequestKey, EveryFieldReachesTheKey) {
  const std::string base = request_key(every_field_set());
  EXPECT_EQ(request_key(every_field_set()), base);
  std::set<std::string> keys{base};
  for (const auto& [field, change] : kChanges) {
    Request r = every_field_set();
    change(r);
    const std::string key = request_key(r);
    EXPECT_NE(key, base) << field << " does not reach the key";
    EXPECT_TRUE(keys.insert(key).second) << field << " gives another change's key";
  }
}

TEST(OdsqlRequestKey, ListsDoNotShift) {
  Request a = every_field_set();
  a.refine = {"city:Paris", "alive:true"};
  a.exclude = {};
  Request b = every_field_set();
  b.refine = {"city:Paris"};
  b.exclude = {"alive:true"};
  EXPECT_NE(request_key(a), request_key(b));
  // A part cannot run into the next one.
  Request c = every_field_set();
  c.select = "name, height";
  c.where = "";
  Request d = every_field_set();
  d.select = "name, ";
  d.where = "height";
  EXPECT_NE(request_key(c), request_key(d));
}

}  // namespace
