#include "core/odsql/lexer.hpp"

#include "core/backquote.hpp"

#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;

std::vector<Token> lex_text(const std::string& text) {
  const Source src{"where", text};
  return lex(src);
}

std::vector<Tok> kinds(const std::string& text) {
  std::vector<Tok> out;
  for (const Token& t : lex_text(text)) out.push_back(t.kind);
  return out;
}

TEST(OdsqlLexer, Operators) {
  EXPECT_EQ(kinds("a = 1"), (std::vector<Tok>{Tok::Ident, Tok::Eq, Tok::Number, Tok::End}));
  EXPECT_EQ(kinds("<= >= <> != < > : , ( ) [ ] * + - /"),
            (std::vector<Tok>{Tok::Le, Tok::Ge, Tok::Ne, Tok::Ne, Tok::Lt, Tok::Gt, Tok::Colon,
                              Tok::Comma, Tok::LParen, Tok::RParen, Tok::LBracket, Tok::RBracket,
                              Tok::Star, Tok::Plus, Tok::Minus, Tok::Slash, Tok::End}));
}

TEST(OdsqlLexer, NumbersAndRanges) {
  auto t = lex_text("1..10");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].text, "1");
  EXPECT_EQ(t[1].kind, Tok::DotDot);
  EXPECT_EQ(t[2].text, "10");
  t = lex_text("5.8 .5 1e3 2E-2");
  EXPECT_EQ(t[0].text, "5.8");
  EXPECT_EQ(t[1].text, ".5");
  EXPECT_EQ(t[2].text, "1e3");
  EXPECT_EQ(t[3].text, "2E-2");
}

TEST(OdsqlLexer, NumberWithUnitSuffix) {
  auto t = lex_text("10km 500m 1d");
  EXPECT_EQ(t[0].kind, Tok::Number);
  EXPECT_EQ(t[0].text, "10");
  EXPECT_EQ(t[0].suffix, "km");
  EXPECT_EQ(t[1].suffix, "m");
  EXPECT_EQ(t[2].suffix, "d");
}

TEST(OdsqlLexer, Strings) {
  auto t = lex_text(R"("Word" 'single' "say \"hi\"" 'it\'s' "back\\slash" "C:\path")");
  EXPECT_EQ(t[0].kind, Tok::String);
  EXPECT_EQ(t[0].text, "Word");
  EXPECT_EQ(t[1].text, "single");
  EXPECT_EQ(t[2].text, "say \"hi\"");
  EXPECT_EQ(t[3].text, "it's");
  EXPECT_EQ(t[4].text, "back\\slash");
  EXPECT_EQ(t[5].text, "C:\\path");
}

TEST(OdsqlLexer, DateAndGeomLiterals) {
  auto t = lex_text("date'2020-01-01' GEOM'POINT(1 2)' date");
  EXPECT_EQ(t[0].kind, Tok::Date);
  EXPECT_EQ(t[0].text, "2020-01-01");
  EXPECT_EQ(t[1].kind, Tok::Geom);
  EXPECT_EQ(t[1].text, "POINT(1 2)");
  // Without a quote right after, "date" is an ordinary name.
  EXPECT_EQ(t[2].kind, Tok::Ident);
}

TEST(OdsqlLexer, BackQuotedNames) {
  auto t = lex_text("`12` `and` `my field`");
  EXPECT_EQ(t[0].kind, Tok::QuotedIdent);
  EXPECT_EQ(t[0].text, "12");
  EXPECT_EQ(t[1].text, "and");
  EXPECT_EQ(t[2].text, "my field");
}

TEST(OdsqlLexer, DoubledBackQuoteIsOneInTheName) {
  auto t = lex_text("`a``b` = 1 and ````");
  EXPECT_EQ(t[0].kind, Tok::QuotedIdent);
  EXPECT_EQ(t[0].text, "a`b");
  EXPECT_EQ(t[0].end, 6u);
  EXPECT_EQ(t[4].kind, Tok::QuotedIdent);
  EXPECT_EQ(t[4].text, "`");
  // backquote() writes what the lexer reads back.
  for (const char* name : {"plain", "a`b", "`", "``x``", "end`"}) {
    auto back = lex_text(opendata::backquote(name));
    EXPECT_EQ(back[0].kind, Tok::QuotedIdent) << name;
    EXPECT_EQ(back[0].text, name);
    EXPECT_EQ(back[1].kind, Tok::End) << name;
  }
}

TEST(OdsqlLexer, NonAsciiIdentifiers) {
  auto t = lex_text("Année > 3");
  EXPECT_EQ(t[0].kind, Tok::Ident);
  EXPECT_EQ(t[0].text, "Année");
}

TEST(OdsqlLexer, Offsets) {
  auto t = lex_text("  ab  >  'x'");
  EXPECT_EQ(t[0].begin, 2u);
  EXPECT_EQ(t[0].end, 4u);
  EXPECT_EQ(t[2].begin, 9u);
  EXPECT_EQ(t[2].end, 12u);
}

TEST(OdsqlLexer, UnterminatedString) {
  auto c = catch_error([] { lex_text("name = \"abc"); });
  EXPECT_EQ(c.sqlstate, "42601");
  EXPECT_EQ(c.message, "ODSQL syntax error at character 8: unterminated string literal");
  EXPECT_EQ(c.position, 8);
}

TEST(OdsqlLexer, UnterminatedBackQuote) {
  auto c = catch_error([] { lex_text("`abc"); });
  EXPECT_EQ(c.sqlstate, "42601");
  EXPECT_EQ(c.position, 1);
  c = catch_error([] { lex_text("``"); });
  EXPECT_EQ(c.message, "ODSQL syntax error at character 1: empty back-quoted field name");
}

TEST(OdsqlLexer, UnexpectedCharacters) {
  for (const char* s : {";", "$1", "%", "#", "@", "&", "|", "~", "^", "?", "{", "\\"}) {
    auto c = catch_error([&] { lex_text(std::string("a ") + s); });
    EXPECT_EQ(c.sqlstate, "42601") << s;
    EXPECT_EQ(c.position, 3) << s;
    EXPECT_TRUE(contains(c.message, "unexpected character")) << c.message;
  }
}

TEST(OdsqlLexer, PositionCountsCharactersNotBytes) {
  auto c = catch_error([] { lex_text("é€ ;"); });
  EXPECT_EQ(c.position, 4);
  EXPECT_EQ(c.message, "ODSQL syntax error at character 4: unexpected character ';'");
}

TEST(OdsqlLexer, InvalidUtf8) {
  for (const std::string& s :
       {std::string("a = \"\xff\""), std::string("\xc3"), std::string("\xe0\x80\x80"),
        std::string("\xed\xa0\x80"), std::string("\xc0\xaf")}) {
    auto c = catch_error([&] { lex_text(s); });
    EXPECT_EQ(c.sqlstate, "22021");
  }
}

TEST(OdsqlLexer, NulByte) {
  auto c = catch_error([] { lex_text(std::string("a = \"x\0y\"", 9)); });
  EXPECT_EQ(c.sqlstate, "22021");
  EXPECT_EQ(c.position, 7);
}

TEST(OdsqlLexer, TooLong) {
  auto c = catch_error([] { lex_text(std::string(kMaxClauseLength + 1, 'a')); });
  EXPECT_EQ(c.sqlstate, "54000");
  EXPECT_EQ(c.message, "ODSQL clause is too long");
  EXPECT_NO_THROW(lex_text(std::string(kMaxClauseLength, 'a')));
}

TEST(OdsqlLexer, Describe) {
  auto t = lex_text("> \"s\" 10km");
  EXPECT_EQ(describe(t[0]), "'>'");
  EXPECT_EQ(describe(t[1]), "string \"s\"");
  EXPECT_EQ(describe(t[2]), "'10km'");
  EXPECT_EQ(describe(t[3]), "end of input");
}

}  // namespace
