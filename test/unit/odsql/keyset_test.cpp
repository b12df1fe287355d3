// Keyset paging: which queries get a token, the continuation condition, and
// the checking of tokens (tampered, foreign, malformed).
#include <optional>

#include "core/odsql/keyset.hpp"
#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;
using Values = std::vector<std::optional<std::string>>;

// "name" and "population" are nullable, "id" (the key) and "height" are not.
std::vector<FieldInfo> keyed_fields() {
  std::vector<FieldInfo> f = fields();
  f.push_back({"id", FieldType::Integer});
  return f;
}

Request keyed(const std::string& order_by) {
  Request r = request();
  r.order_by = order_by;
  r.key = {"id"};
  r.keyset_columns = {
      {"id", KeyKind::Int4, true},          {"name", KeyKind::Text, false},
      {"population", KeyKind::Int8, false}, {"height", KeyKind::Float8, true},
      {"planted", KeyKind::Date, false},    {"updated", KeyKind::Timestamptz, false}};
  return r;
}

Compiled compile(const Request& r) {
  Compiled c = compile_records(keyed_fields(), r);
  expect_params_consistent(c);
  return c;
}

// The token for a page of `r` ending on a row with these sort values.
std::string token_for(const Request& r, const Values& v) {
  const Compiled c = compile(r);
  return make_token(c.keyset_fingerprint, c.keyset, v);
}

// A token with any JSON inside, for forgeries make_token() would not make.
std::string raw_token(const std::string& json) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (unsigned char ch : json) {
    acc = (acc << 8) | ch;
    bits += 8;
    while (bits >= 6) out += abc[(acc >> (bits -= 6)) & 63];
  }
  if (bits > 0) out += abc[(acc << (6 - bits)) & 63];
  return out;
}

Caught error_of(const Request& r) {
  return catch_error([&] { compile_records(keyed_fields(), r); });
}

TEST(OdsqlKeyset, TheKeyCompletesTheOrder) {
  Compiled c = compile(keyed("name desc"));
  ASSERT_EQ(c.keyset.size(), 2u);
  EXPECT_EQ(c.keyset[0], KeyKind::Text);
  EXPECT_EQ(c.keyset[1], KeyKind::Int4);
  EXPECT_TRUE(contains(c.results_sql, "ORDER BY \"name\" DESC NULLS LAST, \"id\" ASC NULLS LAST"))
      << c.results_sql;
  // The last row's sort values come back after the JSON.
  // The sort values are the page's own output columns ("name" is column 0,
  // "id" column 12 of the trees schema).
  EXPECT_TRUE(contains(c.results_sql, "'[]'::json), count(*), (array_agg(q.\"__oc0\" ORDER BY"))
      << c.results_sql;
  EXPECT_TRUE(contains(c.results_sql, "(array_agg(q.\"__oc12\" ORDER BY"));
  // Without order_by, the key alone orders the records; a key already in the
  // order is not added twice.
  c = compile(keyed(""));
  EXPECT_TRUE(contains(c.results_sql, "ORDER BY \"id\" ASC NULLS LAST LIMIT")) << c.results_sql;
  c = compile(keyed("id desc"));
  EXPECT_EQ(c.keyset.size(), 1u);
  EXPECT_TRUE(contains(c.results_sql, "ORDER BY \"id\" DESC NULLS LAST LIMIT")) << c.results_sql;
}

TEST(OdsqlKeyset, NoTokenWhereNotProvablyRight) {
  Request r = keyed("length(name)");  // an expression
  EXPECT_TRUE(compile(r).keyset.empty());
  r = keyed("alive");  // a field of a kind tokens do not carry here
  EXPECT_TRUE(compile(r).keyset.empty());
  r = keyed("");
  r.group_by = "name";
  EXPECT_TRUE(compile(r).keyset.empty());
  r = keyed("");
  r.select = "count(*)";
  EXPECT_TRUE(compile(r).keyset.empty());
  r = keyed("");
  r.key.clear();  // no key: storage order, as before
  Compiled c = compile(r);
  EXPECT_TRUE(c.keyset.empty());
  EXPECT_FALSE(contains(c.results_sql, "ORDER BY"));
  // No key but an order_by: every other field completes it, so that pages
  // by start cannot swap rows with equal sort values.
  Compiled tied = compile([] {
    Request t = keyed("name desc");
    t.key.clear();
    return t;
  }());
  EXPECT_TRUE(tied.keyset.empty());
  EXPECT_TRUE(contains(tied.results_sql, "ORDER BY \"name\" DESC NULLS LAST, \"id\" ASC NULLS LAST, \"population\" ASC NULLS LAST, \"height\""))
      << tied.results_sql;
  // The page still says how many rows it holds, but returns no sort values.
  EXPECT_FALSE(contains(c.results_sql, "array_agg("));
  // Asking anyway is refused as unsupported.
  r = keyed("length(name)");
  r.after = token_for(keyed(""), {"1"});
  EXPECT_EQ(error_of(r).sqlstate, "0A000");
  r = keyed("");
  r.group_by = "name";
  r.after = "x";
  EXPECT_EQ(error_of(r).sqlstate, "0A000");
}

// A page after a token never tells the total (the rows before it are not
// on it): page_count_sql counts whenever asked to.
TEST(OdsqlKeyset, PageAfterATokenIsCounted) {
  Request r = keyed("");
  r.after = token_for(r, {"7"});
  Compiled c = compile(r);
  const std::string flag = "$" + std::to_string(c.params.size() + 1) + "::bool";
  // The page after a token never tells the total: only the switch decides.
  EXPECT_TRUE(contains(c.page_count_sql, ", CASE WHEN " + flag + " THEN (")) << c.page_count_sql;
  // The page's statement selects only the rows after the token: not a count.
  EXPECT_FALSE(c.page_scan_counts);
  EXPECT_TRUE(compile(keyed("")).page_scan_counts);
}

TEST(OdsqlKeyset, RowComparisonWhenUniformAndNotNull) {
  Request r = keyed("height desc, id desc");
  r.after = token_for(r, {"2.5", "7"});
  Compiled c = compile(r);
  EXPECT_TRUE(contains(c.results_sql,
                       "((\"height\", \"id\") < (CAST($2::text AS float8), "
                       "CAST($3::text AS int4)))"))
      << c.results_sql;
  EXPECT_TRUE(has_param(c, ParamType::Text, "2.5"));
  EXPECT_TRUE(has_param(c, ParamType::Text, "7"));
  // The count is of every matching record, not of those after the token.
  EXPECT_FALSE(contains(c.count_sql, "CAST($2"));
  r = keyed("");
  r.where = "population > 3";
  r.after = token_for(r, {"41"});
  c = compile(r);
  EXPECT_TRUE(contains(c.results_sql, "WHERE ((\"population\" > $2::int8)) AND (\"id\" > CAST("))
      << c.results_sql;
}

TEST(OdsqlKeyset, ExpansionForNullsAndMixedDirections) {
  Request r = keyed("population desc, name");
  r.after = token_for(r, {"10", "Lyon", "4"});
  Compiled c = compile(r);
  const std::string p = "CAST($2::text AS int8)", n = "CAST($3::text AS text)",
                    i = "CAST($4::text AS int4)";
  EXPECT_TRUE(contains(c.results_sql, "(((\"population\" < " + p +
                                          " OR \"population\" IS NULL)) OR (\"population\" = " + p +
                                          " AND (\"name\" > " + n +
                                          " OR \"name\" IS NULL)) OR (\"population\" = " + p +
                                          " AND \"name\" = " + n + " AND \"id\" > " + i + "))"))
      << c.results_sql;
  // A null sort value: only rows with that null and a greater key follow.
  r.after = token_for(r, {std::nullopt, std::nullopt, "4"});
  c = compile(r);
  EXPECT_TRUE(contains(
      c.results_sql,
      "((\"population\" IS NULL AND \"name\" IS NULL AND \"id\" > CAST($2::text AS int4)))"))
      << c.results_sql;
}

TEST(OdsqlKeyset, BadTokens) {
  const Request base = keyed("name");
  const std::string good = token_for(base, {"Paris", "12"});
  auto state = [&](const std::string& token, const Request& r0 = Request()) {
    Request r = r0.relation.empty() ? base : r0;
    r.after = token;
    return error_of(r).sqlstate;
  };
  EXPECT_EQ(state(good), "");
  EXPECT_EQ(state(good, keyed("name desc")), "22023");  // another ordering
  EXPECT_EQ(state(good, keyed("population")), "22023");
  Request other = keyed("name");
  other.relation = "opendata_api.\"other\"";
  EXPECT_EQ(state(good, other), "22023");  // another dataset
  // Another filter: the token would start a page of another result.
  Request filtered = keyed("name");
  filtered.where = "population > 3";
  EXPECT_EQ(state(good, filtered), "22023");
  filtered = keyed("name");
  filtered.refine = {"name:Paris"};
  EXPECT_EQ(state(good, filtered), "22023");
  filtered = keyed("name");
  filtered.exclude = {"name:Paris"};
  EXPECT_EQ(state(good, filtered), "22023");
  filtered = keyed("name");
  filtered.timezone = "Europe/Paris";
  EXPECT_EQ(state(good, filtered), "22023");
  // refine and exclude are told apart, whatever their values.
  Request refined = keyed("name");
  refined.refine = {"name:Paris"};
  Request excluded = keyed("name");
  excluded.exclude = {"name:Paris"};
  EXPECT_NE(compile(refined).keyset_fingerprint, compile(excluded).keyset_fingerprint);
  EXPECT_EQ(state("not base64!"), "22023");
  EXPECT_EQ(state("e30"), "22023");  // {}
  EXPECT_EQ(state(good + "A"), "22023");
  EXPECT_EQ(state(std::string(kMaxTokenBytes + 1, 'A')), "54000");
  // Forged values, with the right fingerprint: checked per type.
  const Compiled c = compile(base);
  auto forged = [&](const Values& v) {
    return make_token(c.keyset_fingerprint, {KeyKind::Text, KeyKind::Text}, v);
  };
  EXPECT_EQ(state(forged({"Paris", "1); DROP TABLE x; --"})), "22023");
  EXPECT_EQ(state(forged({"Paris", "99999999999"})), "22023");  // beyond int4
  EXPECT_EQ(state(forged({"Paris", std::nullopt})), "22023");   // the key is never null
  const std::string f = c.keyset_fingerprint;
  EXPECT_EQ(state(raw_token("{\"v\":1,\"f\":\"" + f + "\",\"k\":[\"a\\u0000b\",\"1\"]}")), "22023");
  EXPECT_EQ(state(raw_token("{\"v\":1,\"f\":\"" + f + "\",\"k\":[\"Paris\"]}")), "22023");
  EXPECT_EQ(state(raw_token("{\"v\":1,\"f\":\"" + f + "\",\"k\":[\"Paris\",1]}")), "22023");
  EXPECT_EQ(state(raw_token("{\"v\":2,\"f\":\"" + f + "\",\"k\":[\"Paris\",\"1\"]}")), "22023");
  EXPECT_EQ(state(raw_token("{\"v\":1,\"f\":\"" + f + "\",\"k\":[\"\xff\",\"1\"]}")), "22023");
  EXPECT_EQ(state(raw_token("[1,2,3]")), "22023");
  EXPECT_EQ(state(raw_token("{\"v\":1,\"f\":\"" + f + "\",\"k\":[\"Paris\",\"1\"]}")), "");
}

TEST(OdsqlKeyset, ExactTextForms) {
  EXPECT_TRUE(check_key_value(KeyKind::Int2, "-32768"));
  EXPECT_FALSE(check_key_value(KeyKind::Int2, "32768"));
  EXPECT_FALSE(check_key_value(KeyKind::Int8, "+1"));
  EXPECT_FALSE(check_key_value(KeyKind::Int8, "01"));
  EXPECT_FALSE(check_key_value(KeyKind::Int8, " 1"));
  EXPECT_FALSE(check_key_value(KeyKind::Int8, "9223372036854775808"));
  EXPECT_TRUE(check_key_value(KeyKind::Numeric, "-12.500"));
  EXPECT_TRUE(check_key_value(KeyKind::Numeric, "NaN"));
  EXPECT_FALSE(check_key_value(KeyKind::Numeric, "1e5"));
  EXPECT_FALSE(check_key_value(KeyKind::Numeric, "1."));
  EXPECT_TRUE(check_key_value(KeyKind::Float8, "0.30000000000000004"));
  EXPECT_TRUE(check_key_value(KeyKind::Float8, "1e+300"));
  EXPECT_TRUE(check_key_value(KeyKind::Float8, "-Infinity"));
  EXPECT_FALSE(check_key_value(KeyKind::Float8, "1e999"));
  EXPECT_FALSE(check_key_value(KeyKind::Float8, "inf"));
  EXPECT_FALSE(check_key_value(KeyKind::Float8, "0x10"));
  EXPECT_FALSE(check_key_value(KeyKind::Float4, "1e39"));
  EXPECT_TRUE(check_key_value(KeyKind::Bool, "t"));
  EXPECT_FALSE(check_key_value(KeyKind::Bool, "true"));
  EXPECT_TRUE(check_key_value(KeyKind::Date, "2020-02-29"));
  EXPECT_FALSE(check_key_value(KeyKind::Date, "2021-02-29"));
  EXPECT_TRUE(check_key_value(KeyKind::Date, "0001-02-29 BC"));  // 1 BC is a leap year
  EXPECT_TRUE(check_key_value(KeyKind::Date, "-infinity"));
  EXPECT_FALSE(check_key_value(KeyKind::Date, "2020-1-01"));
  EXPECT_FALSE(check_key_value(KeyKind::Date, "4713-01-01 BC"));
  EXPECT_TRUE(check_key_value(KeyKind::Timestamptz, "2024-05-01 08:00:00+00"));
  EXPECT_TRUE(check_key_value(KeyKind::Timestamptz, "2024-05-01 08:00:00.123456+00"));
  EXPECT_TRUE(check_key_value(KeyKind::Timestamptz, "0044-03-15 12:00:00+00 BC"));
  EXPECT_FALSE(check_key_value(KeyKind::Timestamptz, "2024-05-01 08:00:00"));
  EXPECT_FALSE(check_key_value(KeyKind::Timestamptz, "2024-05-01 08:00:00+02"));
  EXPECT_FALSE(check_key_value(KeyKind::Timestamptz, "2024-05-01 24:00:00+00"));
  EXPECT_FALSE(check_key_value(KeyKind::Timestamptz, "2024-05-01 08:00:00.1234567+00"));
  EXPECT_FALSE(check_key_value(KeyKind::Timestamptz, "300000-01-01 00:00:00+00"));
  EXPECT_TRUE(check_key_value(KeyKind::Timestamp, "2024-05-01 08:00:00.5"));
  EXPECT_FALSE(check_key_value(KeyKind::Timestamp, "2024-05-01T08:00:00"));
  EXPECT_TRUE(check_key_value(KeyKind::Text, "it's \"quoted\" \\ $1 ;--"));
}

TEST(OdsqlKeyset, TokensRoundTrip) {
  const std::vector<KeyKind> kinds = {KeyKind::Text, KeyKind::Int4};
  const Values v = {"é \"x\" \\", std::nullopt};
  const std::string t = make_token("0123456789abcdef", kinds, v);
  EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(read_token(t, "0123456789abcdef", kinds), v);
  // A value the reader would refuse gives no token at all.
  EXPECT_EQ(make_token("0123456789abcdef", kinds, {"x", "nope"}), "");
}

}  // namespace
