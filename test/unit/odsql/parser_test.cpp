#include "core/odsql/parser.hpp"

#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;

std::string w(const std::string& text) {
  const Source src{"where", text};
  NodePtr n = parse_where(src);
  return n ? to_sexpr(*n) : "<empty>";
}

Caught werr(const std::string& text) {
  return catch_error([&] {
    const Source src{"where", text};
    parse_where(src);
  });
}

TEST(OdsqlParser, Empty) {
  EXPECT_EQ(w(""), "<empty>");
  EXPECT_EQ(w("   "), "<empty>");
}

TEST(OdsqlParser, Precedence) {
  EXPECT_EQ(w("a or b and c"), "(or a (and b c))");
  EXPECT_EQ(w("(a or b) and c"), "(and (or a b) c)");
  EXPECT_EQ(w("not a and b"), "(and (not a) b)");
  EXPECT_EQ(w("a OR b OR c"), "(or a b c)");
  EXPECT_EQ(w("1 + 2 * 3 - 4"), "(arith 1 + (arith 2 * 3) - 4)");
  EXPECT_EQ(w("-a * 2"), "(arith (neg a) * 2)");
  EXPECT_EQ(w("a + 1 > b / 2"), "(cmp > (arith a + 1) (arith b / 2))");
}

TEST(OdsqlParser, Comparisons) {
  EXPECT_EQ(w("a = 1"), "(cmp = a 1)");
  EXPECT_EQ(w("a : 'x'"), "(cmp = a \"x\")");
  EXPECT_EQ(w("a <> 1"), "(cmp != a 1)");
  EXPECT_EQ(w("a != 1"), "(cmp != a 1)");
  EXPECT_EQ(w("a>=date'2020'"), "(cmp >= a date'2020')");
}

TEST(OdsqlParser, IsNullAndBooleans) {
  EXPECT_EQ(w("a is null"), "(is-null a)");
  EXPECT_EQ(w("a IS NOT NULL"), "(is-not-null a)");
  EXPECT_EQ(w("a is true"), "(is-true a)");
  EXPECT_EQ(w("a is not false"), "(is-not-false a)");
  EXPECT_EQ(w("a = TRUE"), "(cmp = a true)");
}

TEST(OdsqlParser, InAndLike) {
  EXPECT_EQ(w("a in (1, 2, 3)"), "(in a 1 2 3)");
  EXPECT_EQ(w("a not in ('x')"), "(not-in a \"x\")");
  EXPECT_EQ(w("a in [1..10]"), "(in-range [] a 1 10)");
  EXPECT_EQ(w("a IN ]1 TO 10["), "(in-range ][ a 1 10)");
  EXPECT_EQ(w("a in [date'2017'..date'2018']"), "(in-range [] a date'2017' date'2018')");
  EXPECT_EQ(w("a like \"star\""), "(like a \"star\")");
  EXPECT_EQ(w("a not like \"star\""), "(not-like a \"star\")");
}

TEST(OdsqlParser, SearchLiterals) {
  EXPECT_EQ(w("\"tree\""), "\"tree\"");
  EXPECT_EQ(w("\"dog\" AND NOT \"cat\""), "(and \"dog\" (not \"cat\"))");
}

TEST(OdsqlParser, Calls) {
  EXPECT_EQ(w("distance(geo, geom'POINT(1 1)', 1km)"), "(distance geo geom'POINT(1 1)' 1km)");
  EXPECT_EQ(w("within_distance(geo, geom'POINT(1 1)', 5 mi)"),
            "(within_distance geo geom'POINT(1 1)' 5mi)");
  EXPECT_EQ(w("COUNT(*) > 1"), "(cmp > (count *) 1)");
  EXPECT_EQ(w("count(distinct a)"), "(count distinct a)");
  EXPECT_EQ(w("now(days=-1, year=2000)"), "(now (days= (neg 1)) (year= 2000))");
  EXPECT_EQ(w("now()"), "(now)");
  EXPECT_EQ(w("range(a, ]10, 50[)"), "(range a (steps ][ 10 50))");
  EXPECT_EQ(w("range(a, [1,2,3])"), "(range a (steps [] 1 2 3))");
  EXPECT_EQ(w("range(d, 1 day)"), "(range d 1day)");
}

TEST(OdsqlParser, NamesThatLookLikeKeywords) {
  // Function names are only functions when followed by '('.
  EXPECT_EQ(w("year = 2020"), "(cmp = year 2020)");
  EXPECT_EQ(w("`and` = 'x'"), "(cmp = and \"x\")");
  EXPECT_EQ(w("`12` > 10"), "(cmp > 12 10)");
  EXPECT_EQ(w("date = 1"), "(cmp = date 1)");
}

TEST(OdsqlParser, SyntaxErrors) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"population > ", "ODSQL syntax error at character 14: expected a value after '>'"},
      {"population >", "ODSQL syntax error at character 13: expected a value after '>'"},
      {"a b", "ODSQL syntax error at character 3: unexpected 'b'"},
      {"(a", "ODSQL syntax error at character 3: expected ')', found end of input"},
      {"a)", "ODSQL syntax error at character 2: unexpected ')'"},
      {"a and", "ODSQL syntax error at character 6: expected a value after 'and'"},
      {"and a", "ODSQL syntax error at character 1: expected a value, found 'and'"},
      {"a = = 1", "ODSQL syntax error at character 5: expected a value after '='"},
      {"a is 3",
       "ODSQL syntax error at character 6: expected NULL, TRUE or FALSE after IS, found '3'"},
      {"a in 3", "ODSQL syntax error at character 6: expected '(', '[' or ']' after IN, found '3'"},
      {"a in [1, 2]", "ODSQL syntax error at character 8: expected '..' or TO in range, found ','"},
      {"a in [1..2",
       "ODSQL syntax error at character 11: expected ']' or '[' to close the range, found end of "
       "input"},
      {"f(a b)",
       "ODSQL syntax error at character 5: expected ',' or ')' in function arguments, found 'b'"},
      {"a = 1 = 2", "ODSQL syntax error at character 7: unexpected '='"},
      {"", nullptr},
  };
  for (const Case& c : cases) {
    if (c.message == nullptr) continue;
    auto e = werr(c.text);
    EXPECT_EQ(e.sqlstate, "42601") << c.text;
    EXPECT_EQ(e.message, c.message) << c.text;
    EXPECT_EQ(e.detail, "The error is in the \"where\" parameter.");
  }
}

TEST(OdsqlParser, KeywordAsFieldHint) {
  auto e = werr("and = 'x'");
  EXPECT_EQ(e.message, "ODSQL syntax error at character 1: expected a value, found 'and'");
  EXPECT_EQ(e.hint, "A field named like a keyword must be back-quoted: `and`.");
}

TEST(OdsqlParser, PositionMatchesMessage) {
  auto e = werr("population > ");
  EXPECT_EQ(e.position, 14);
}

TEST(OdsqlParser, NestingLimit) {
  std::string ok = std::string(63, '(') + "a" + std::string(63, ')');
  EXPECT_NO_THROW(w(ok));
  std::string deep = std::string(65, '(') + "a" + std::string(65, ')');
  auto e = werr(deep);
  EXPECT_EQ(e.sqlstate, "54001");
  EXPECT_EQ(e.message, "ODSQL expression is too deeply nested");
  // NOT, unary minus and calls count too.
  std::string nots;
  for (int i = 0; i < 70; ++i) nots += "not ";
  EXPECT_EQ(werr(nots + "a").sqlstate, "54001");
  EXPECT_EQ(werr(std::string(70, '-') + "1").sqlstate, "54001");
  std::string calls;
  for (int i = 0; i < 70; ++i) calls += "f(";
  EXPECT_EQ(werr(calls + "a" + std::string(70, ')')).sqlstate, "54001");
}

TEST(OdsqlParser, LongFlatChainsAreNotDeep) {
  std::string s = "a = 1";
  for (int i = 0; i < 1000; ++i) s += " or a = " + std::to_string(i);
  const Source src{"where", s};
  NodePtr n = parse_where(src);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, NodeKind::Or);
  EXPECT_EQ(n->kids.size(), 1001u);
  std::string sum = "1";
  for (int i = 0; i < 3000; ++i) sum += "+1";
  EXPECT_NO_THROW(w(sum));
}

TEST(OdsqlParser, SelectItems) {
  const std::string text =
      "*, name AS n, count(*), include(pop*), exclude(geo, `12`), 2 * height as `double h`";
  const Source src{"fields", text};
  auto items = parse_select(src);
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(items[0].kind, SelectItem::AllFields);
  EXPECT_EQ(items[1].alias, "n");
  EXPECT_EQ(to_sexpr(*items[2].expr), "(count *)");
  EXPECT_EQ(items[3].kind, SelectItem::Include);
  EXPECT_EQ(items[3].patterns, (std::vector<std::string>{"pop*"}));
  EXPECT_EQ(items[4].kind, SelectItem::Exclude);
  EXPECT_EQ(items[4].patterns, (std::vector<std::string>{"geo", "12"}));
  EXPECT_EQ(items[5].alias, "double h");
  EXPECT_EQ(text.substr(items[2].begin, items[2].end - items[2].begin), "count(*)");
}

TEST(OdsqlParser, SelectAliasErrors) {
  auto e = catch_error([] {
    const std::string t = "a as";
    const Source src{"fields", t};
    parse_select(src);
  });
  EXPECT_EQ(e.message,
            "ODSQL syntax error at character 5: expected a label after 'AS', found end of input");
}

TEST(OdsqlParser, GroupAndOrder) {
  const std::string g = "city, year(d) as y";
  const Source gs{"group_by", g};
  auto groups = parse_group_by(gs);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].alias, "y");
  const std::string o = "count(*) desc, city ASC, x";
  const Source os{"order_by", o};
  auto orders = parse_order_by(os);
  ASSERT_EQ(orders.size(), 3u);
  EXPECT_TRUE(orders[0].descending);
  EXPECT_FALSE(orders[1].descending);
  EXPECT_FALSE(orders[2].descending);
}

}  // namespace
