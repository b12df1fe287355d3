// The LIKE pattern bound for a search word: the parameter's pieces, folded
// by the caller's function, escaped after folding, joined by '%'.
#include <algorithm>
#include <cctype>

#include "core/odsql/like_pattern.hpp"
#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;

std::string lower(const std::string& s) {
  std::string out = s;
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string pattern(const std::vector<std::string>& pieces, const Fold& fold = lower) {
  return like_pattern(pieces, fold);
}

TEST(OdsqlLikePattern, PiecesFoldedAndJoined) {
  EXPECT_EQ(pattern({"Piscine"}), "%piscine%");
  EXPECT_EQ(pattern({"42"}), "%42%");
  // '*' wildcards split a word: "film*" and "a**b".
  EXPECT_EQ(pattern({"Film", ""}), "%film%%");
  EXPECT_EQ(pattern({"a", "", "b"}), "%a%%b%");
  EXPECT_EQ(pattern({""}), "%%");
}

TEST(OdsqlLikePattern, MetacharactersEscapedAfterFolding) {
  // Typed by the user: data, not wildcards.
  EXPECT_EQ(pattern({"50%_off"}), "%50\\%\\_off%");
  EXPECT_EQ(pattern({"a\\b"}), "%a\\\\b%");
  // Made by the folding (as unaccent() makes '%' of U+FF05): escaped too.
  auto fullwidth_percent = [](const std::string& s) {
    std::string out = s;
    const std::string fw = "\xEF\xBC\x85";
    for (std::size_t at; (at = out.find(fw)) != std::string::npos;) out.replace(at, fw.size(), "%");
    return out;
  };
  EXPECT_EQ(pattern({"100\xEF\xBC\x85"}, fullwidth_percent), "%100\\%%");
}

TEST(OdsqlLikePattern, QuotesAndBackslashesRoundTrip) {
  EXPECT_EQ(pattern({"say\"hi\\"}), "%say\"hi\\\\%");
  EXPECT_EQ(pattern({"{a,b}"}), "%{a,b}%");
}

TEST(OdsqlLikePattern, NoPieceMatchesAnything) {
  EXPECT_EQ(pattern({}), "%%");
}

}  // namespace
