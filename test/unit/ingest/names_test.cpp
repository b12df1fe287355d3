#include "core/ingest/names.hpp"

#include <set>

#include "test_util.hpp"

namespace opendata::ingest {
namespace {

TEST(Names, LowerCaseAccentsAndSeparators) {
  EXPECT_EQ(make_identifier("Geo Point", 1), "geo_point");
  EXPECT_EQ(make_identifier("stade développement", 1), "stade_developpement");
  EXPECT_EQ(make_identifier("Complément d'adresse", 1), "complement_d_adresse");
  EXPECT_EQ(make_identifier("  Œuvre / Année (n°)  ", 1), "oeuvre_annee_n");
  EXPECT_EQ(make_identifier("Straße", 1), "strasse");
  EXPECT_EQ(make_identifier("ÀÉÎÕÜ ç", 1), "aeiou_c");
}

TEST(Names, NeverEmptyNeverDigitFirst) {
  EXPECT_EQ(make_identifier("", 3), "col_3");
  EXPECT_EQ(make_identifier("???", 4), "col_4");
  EXPECT_EQ(make_identifier("2019", 1), "c_2019");
  EXPECT_EQ(make_identifier("日本", 2), "col_2");
}

TEST(Names, ReservedNamesAreSuffixed) {
  EXPECT_EQ(make_identifier("xmin", 1), "xmin_");
  EXPECT_EQ(make_identifier("ORDER", 1), "order_");
  EXPECT_EQ(make_identifier("select", 1), "select_");
}

TEST(Names, AtMost63Bytes) {
  std::string id = make_identifier(std::string(100, 'a'), 1);
  EXPECT_EQ(id.size(), 63u);
  // Truncation does not leave a trailing underscore.
  EXPECT_EQ(make_identifier(std::string(62, 'a') + " b", 1), std::string(62, 'a'));
}

TEST(Names, UniqueWithSuffixes) {
  auto n = make_identifiers({"Adresse", "adresse", "ADRESSE", "", ""});
  EXPECT_EQ(n, (std::vector<std::string>{"adresse", "adresse_2", "adresse_3", "col_4", "col_5"}));
  std::vector<std::string> labels(2, std::string(70, 'x'));
  auto long_names = make_identifiers(labels);
  EXPECT_EQ(long_names[1].size(), 63u);
  EXPECT_EQ(long_names[1].substr(61), "_2");
}

// Issue #14: de-duplication was quadratic (every clash rescanned every
// name).  1,600 identical headers: distinct names, in order.
TEST(Names, ManyIdenticalHeaders) {
  std::vector<std::string> labels(1599, "Adresse");
  labels.insert(labels.begin(), "adresse_2");  // skipped by the suffix run
  auto n = make_identifiers(labels);
  EXPECT_EQ(n[0], "adresse_2");
  EXPECT_EQ(n[1], "adresse");
  EXPECT_EQ(n[2], "adresse_3");
  EXPECT_EQ(n[3], "adresse_4");
  EXPECT_EQ(n.back(), "adresse_1600");
  std::set<std::string> distinct(n.begin(), n.end());
  EXPECT_EQ(distinct.size(), n.size());
}

TEST(Names, MoreThan1600ColumnsIs54011) {
  try {
    make_identifiers(std::vector<std::string>(1601, "a"));
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(e.sqlstate(), "54011");
  }
}

TEST(Names, ForcedNamesWin) {
  auto n = make_identifiers({"a", "b"}, {"", "a"});
  EXPECT_EQ(n, (std::vector<std::string>{"a_2", "a"}));
}

}  // namespace
}  // namespace opendata::ingest
