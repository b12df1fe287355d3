// Expected inference and import of the real open data files in data/.
#include "test_util.hpp"

namespace opendata::ingest {
namespace {

using testing::col;

std::string import_all(const std::string& data, const SniffReport& plan, uint64_t* rows) {
  CsvOptions o;
  CsvNormaliser n(data, o, plan);
  std::string all, chunk;
  while (n.next_chunk(chunk)) all += chunk;
  *rows = n.rows_written();
  EXPECT_EQ(n.rows_rejected(), 0u);
  return all;
}

TEST(SampleFiles, InseePopulations) {
  OPENDATA_REQUIRE_DATA(data, "insee_populations_legales_communes.csv");
  SniffReport r = sniff_csv(data, CsvOptions{});
  EXPECT_EQ(r.dialect.delimiter, ';');
  EXPECT_TRUE(r.dialect.header);
  EXPECT_EQ(r.row_count, 34990u);
  EXPECT_EQ(r.ragged_count, 0u);
  EXPECT_EQ(col(r, "coddep").pg_type, "text");
  EXPECT_NE(col(r, "coddep").reason.find("'2A'"), std::string::npos) << col(r, "coddep").reason;
  EXPECT_EQ(col(r, "codcom").pg_type, "text");
  EXPECT_NE(col(r, "codcom").reason.find("leading zeros"), std::string::npos);
  EXPECT_EQ(col(r, "pmun").pg_type, "integer");
  EXPECT_EQ(col(r, "ptot").pg_type, "integer");
  EXPECT_EQ(col(r, "com").pg_type, "text");
  EXPECT_EQ(col(r, "coddep").distinct_count, 100u);
  uint64_t rows = 0;
  std::string out = import_all(data, r, &rows);
  EXPECT_EQ(rows, 34990u);
  // Leading zeros survive.
  EXPECT_EQ(out.substr(0, out.find('\n')), "84\tAuvergne-Rh\xC3\xB4ne-Alpes\t01\t2\t08\t001\tL'Abergement-Cl\xC3\xA9menciat\t779\t19\t798");
}

TEST(SampleFiles, ParisTrees) {
  OPENDATA_REQUIRE_DATA(data, "paris_arbres_remarquables.csv");
  SniffReport r = sniff_csv(data, CsvOptions{});
  EXPECT_EQ(r.dialect.bom_count, 1);
  EXPECT_EQ(r.dialect.delimiter, ';');
  EXPECT_EQ(r.row_count, 186u);
  EXPECT_EQ(r.columns.front().name, "geo_point");
  EXPECT_EQ(r.columns.front().label, "Geo point");  // BOM not in the label
  EXPECT_EQ(col(r, "geo_point").pg_type, "geometry(Point,4326)");
  EXPECT_EQ(r.geometry_column, "geo_point");
  // Duplicate-looking headers get distinct names, labels are kept.
  EXPECT_EQ(col(r, "arrondissement").label, "arrondissement");
  EXPECT_EQ(col(r, "arrondissement_2").label, "Arrondissement");
  EXPECT_EQ(col(r, "adresse_2").label, "Adresse");
  EXPECT_EQ(col(r, "stade_developpement").label, "stade d\xC3\xA9veloppement");
  EXPECT_EQ(col(r, "date_de_plantation").pg_type, "timestamptz");
  EXPECT_NE(col(r, "date_de_plantation").reason.find("placeholder"), std::string::npos);
  EXPECT_EQ(col(r, "date_de_la_deliberation").pg_type, "date");
  EXPECT_EQ(col(r, "hauteur_en_m").pg_type, "numeric");
  EXPECT_EQ(col(r, "numero").null_count, 186u);
  EXPECT_EQ(col(r, "annee_de_plantation").pg_type, "text");  // 'Inconnue'
  uint64_t rows = 0;
  std::string out = import_all(data, r, &rows);
  EXPECT_EQ(rows, 186u);
  EXPECT_EQ(out.rfind("SRID=4326;POINT(2.3518099200412093 48.85235484734731)\t", 0), 0u);
  // The multi-line quoted field stays one row, its newline escaped.
  size_t lines = 0;
  for (char c : out) lines += c == '\n';
  EXPECT_EQ(lines, 186u);
}

TEST(SampleFiles, IdfmStations) {
  OPENDATA_REQUIRE_DATA(data, "idfm_emplacement_des_gares_idf.csv");
  SniffReport r = sniff_csv(data, CsvOptions{});
  EXPECT_EQ(r.dialect.delimiter, ';');
  EXPECT_EQ(r.row_count, 1141u);
  EXPECT_EQ(col(r, "geo_point").pg_type, "geometry(Point,4326)");
  EXPECT_EQ(col(r, "geo_point").geom_source, GeomSource::LatLonText);
  EXPECT_EQ(col(r, "geo_shape").pg_type, "geometry(Point,4326)");
  EXPECT_EQ(col(r, "geo_shape").geom_source, GeomSource::GeoJsonText);
  EXPECT_EQ(r.geometry_column, "geo_point");
  EXPECT_EQ(col(r, "x").pg_type, "numeric");  // Lambert-93, not a longitude
  EXPECT_EQ(col(r, "y").pg_type, "numeric");
  EXPECT_EQ(col(r, "metro").pg_type, "boolean");
  EXPECT_EQ(col(r, "termetro").pg_type, "text");
  EXPECT_EQ(col(r, "objectid").pg_type, "integer");
  EXPECT_EQ(col(r, "idrefliga").pg_type, "text");
  EXPECT_GT(col(r, "idrefligc").null_count, 1000u);
  uint64_t rows = 0;
  std::string out = import_all(data, r, &rows);
  EXPECT_EQ(rows, 1141u);
  std::string first = out.substr(0, out.find('\n'));
  EXPECT_EQ(first.rfind("SRID=4326;POINT(2.35049797186 48.8701642009)\tSRID=4326;POINT(2.350497971863091 48.87016420090055)\t1\t", 0), 0u) << first;
}

}  // namespace
}  // namespace opendata::ingest
