#include "core/ingest/encoding.hpp"

#include "test_util.hpp"

namespace opendata::ingest {
namespace {

using testing::sqlstate_of;

TEST(Encoding, PlainUtf8IsNotCopied) {
  std::string raw = "a;b\n1;2\n";
  DecodedText d = decode_input(raw, Encoding::Auto);
  EXPECT_EQ(d.encoding, Encoding::Utf8);
  EXPECT_FALSE(d.transcoded());
  EXPECT_EQ(d.text().data(), raw.data());
  EXPECT_EQ(d.bom_count, 0);
}

TEST(Encoding, StripsOneOrSeveralBoms) {
  DecodedText one = decode_input("\xEF\xBB\xBFx", Encoding::Auto);
  EXPECT_EQ(one.text(), "x");
  EXPECT_EQ(one.bom_count, 1);
  DecodedText three = decode_input("\xEF\xBB\xBF\xEF\xBB\xBF\xEF\xBB\xBFx", Encoding::Auto);
  EXPECT_EQ(three.text(), "x");
  EXPECT_EQ(three.bom_count, 3);
}

TEST(Encoding, InvalidUtf8FallsBackToWindows1252) {
  // "Hérault" in Latin-1, and the Windows-1252 euro sign and curly apostrophe.
  DecodedText d = decode_input("H\xE9rault \x80 l\x92" "eau", Encoding::Auto);
  EXPECT_EQ(d.encoding, Encoding::Windows1252);
  EXPECT_TRUE(d.transcoded());
  EXPECT_EQ(d.text(), "H\xC3\xA9rault \xE2\x82\xAC l\xE2\x80\x99" "eau");
}

TEST(Encoding, UndefinedWindows1252BytesBecomeC1Controls) {
  DecodedText d = decode_input("\x81\x8D\x8F\x90\x9D\xFF", Encoding::Auto);
  EXPECT_EQ(d.text(), "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D\xC3\xBF");
}

TEST(Encoding, ForcedLatin1AndLatin9) {
  EXPECT_EQ(decode_input("\x80\xA4", Encoding::Latin1).text(), "\xC2\x80\xC2\xA4");
  EXPECT_EQ(decode_input("\xA4", Encoding::Latin9).text(), "\xE2\x82\xAC");
}

TEST(Encoding, ForcedUtf8RejectsInvalidBytes) {
  EXPECT_EQ(sqlstate_of([] { decode_input("ok\nH\xE9rault", Encoding::Utf8); }), "22021");
  try {
    decode_input("ok\nH\xE9rault", Encoding::Utf8);
  } catch (const UserError& e) {
    EXPECT_NE(e.detail().find("line 2"), std::string::npos) << e.detail();
  }
}

TEST(Encoding, Utf16WithBom) {
  std::string le("\xFF\xFE" "a\0;\0\xE9\0\n\0", 10);
  EXPECT_EQ(decode_input(le, Encoding::Auto).text(), "a;\xC3\xA9\n");
  std::string be("\xFE\xFF\0a\0;\0\xE9", 8);
  EXPECT_EQ(decode_input(be, Encoding::Auto).text(), "a;\xC3\xA9");
}

TEST(Encoding, BinaryFilesAreRejected) {
  EXPECT_EQ(sqlstate_of([] { decode_input(std::string("a\0b", 3), Encoding::Auto); }), "22P04");
  EXPECT_EQ(sqlstate_of([] { decode_input("PK\x03\x04xl/workbook.xml", Encoding::Auto); }), "22P04");
}

TEST(Encoding, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80 emoji"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("truncated \xE2\x82"));
  size_t off = 0;
  EXPECT_FALSE(is_valid_utf8("abcdefghij\xFF", &off));
  EXPECT_EQ(off, 10u);
}

TEST(Encoding, ParseNames) {
  Encoding e;
  EXPECT_TRUE(parse_encoding("UTF8", e));
  EXPECT_EQ(e, Encoding::Utf8);
  EXPECT_TRUE(parse_encoding("ISO-8859-1", e));
  EXPECT_EQ(e, Encoding::Latin1);
  EXPECT_TRUE(parse_encoding("cp1252", e));
  EXPECT_EQ(e, Encoding::Windows1252);
  EXPECT_FALSE(parse_encoding("ebcdic", e));
}

}  // namespace
}  // namespace opendata::ingest
