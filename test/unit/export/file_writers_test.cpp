// The file formats written through GDAL (GeoPackage, FlatGeobuf, KML,
// zipped Shapefile) and libxlsxwriter (XLSX), read back by GDAL's own
// drivers from memory: the features, their typed attributes and their
// geometries, the Shapefile's side files, the spreadsheet's header labels
// and typed cells, and the size limit.  The round-trip tests of
// test/shell/export_files.sh read the same formats from a live database.
#include <gtest/gtest.h>

#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>

#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/export/gdal_writer.hpp"
#include "core/export/xlsx_writer.hpp"
#include "export_test_util.hpp"
#include "wkb_test_util.hpp"

namespace opendata::exporter {
namespace {

using testing::col;
using testing::sqlstate_of;
using testing::Wkb;

std::vector<Column> columns() {
  return {col("id", CellKind::Integer, "Identifiant"), col("name", CellKind::Text, "Nom"),
          col("height", CellKind::Number, "Hauteur"), col("planted", CellKind::Date, "Plantation"),
          col("geom", CellKind::Geometry)};
}

std::vector<std::vector<Cell>> rows(const std::string& a, const std::string& b) {
  return {{Cell::integer(1), Cell::text_value("Chêne"), Cell::number_text("12.5"), Cell::date("2021-03-04"),
           Cell::geometry(a)},
          {Cell::integer(2), Cell::text_value("Érable"), Cell::null(), Cell::null(), Cell::geometry(b)}};
}

std::string write(Format format, std::vector<Column> cols, const std::vector<std::vector<Cell>>& data,
                  std::size_t max_bytes = kMaxFileBytes) {
  std::unique_ptr<Writer> w = format == Format::Xlsx
                                  ? make_xlsx_writer(std::move(cols), ExportOptions{}, max_bytes)
                                  : make_gdal_writer(format, std::move(cols), ExportOptions{}, max_bytes);
  w->begin();
  for (const auto& row : data) w->add_row(row);
  w->finish();
  return w->buffer();
}

// The bytes as a file of GDAL's memory file system, removed with the object.
class MemFile {
 public:
  // GDAL reads the bytes where they are: the object keeps them.
  MemFile(const std::string& name, std::string bytes)
      : path_("/vsimem/file_writers_test/" + name), bytes_(std::move(bytes)) {
    VSILFILE* f = VSIFileFromMemBuffer(path_.c_str(), reinterpret_cast<GByte*>(bytes_.data()),
                                       static_cast<vsi_l_offset>(bytes_.size()), FALSE);
    VSIFCloseL(f);
  }
  ~MemFile() { VSIUnlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string bytes_;
};

struct Feature {
  long long id;
  std::string name;
  double x, y;
};

// Every feature of the only layer, by GDAL's reader for the file.
std::vector<Feature> read_features(const std::string& path, const char* const* open_options = nullptr) {
  GDALAllRegister();
  GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, open_options, nullptr);
  EXPECT_NE(ds, nullptr) << path;
  std::vector<Feature> out;
  if (ds == nullptr) return out;
  EXPECT_EQ(GDALDatasetGetLayerCount(ds), 1);
  OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
  OGRFeatureH f;
  while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
    Feature r{};
    r.id = OGR_F_GetFieldAsInteger64(f, OGR_F_GetFieldIndex(f, "id"));
    r.name = OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "name"));
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (g != nullptr) {
      r.x = OGR_G_GetX(g, 0);
      r.y = OGR_G_GetY(g, 0);
    }
    out.push_back(r);
    OGR_F_Destroy(f);
  }
  GDALClose(ds);
  return out;
}

void expect_two_points(const std::vector<Feature>& got) {
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, 1);
  EXPECT_EQ(got[0].name, "Chêne");
  EXPECT_DOUBLE_EQ(got[0].x, 2.35);
  EXPECT_DOUBLE_EQ(got[0].y, 48.85);
  EXPECT_EQ(got[1].id, 2);
  EXPECT_EQ(got[1].name, "Érable");
  EXPECT_DOUBLE_EQ(got[1].x, -1.5);
  EXPECT_DOUBLE_EQ(got[1].y, 43.25);
}

const std::string kA = Wkb().point(2.35, 48.85).str();
const std::string kB = Wkb().point(-1.5, 43.25).str();

TEST(ExportGdal, GeoPackageReadsBackTyped) {
  MemFile file("a.gpkg", write(Format::GeoPackage, columns(), rows(kA, kB)));
  expect_two_points(read_features(file.path()));

  GDALDatasetH ds = GDALOpenEx(file.path().c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
  ASSERT_NE(ds, nullptr);
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(GDALDatasetGetLayer(ds, 0));
  EXPECT_EQ(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, OGR_FD_GetFieldIndex(defn, "id"))), OFTInteger64);
  EXPECT_EQ(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, OGR_FD_GetFieldIndex(defn, "height"))), OFTReal);
  EXPECT_EQ(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, OGR_FD_GetFieldIndex(defn, "planted"))), OFTDate);
  OGRFeatureH second = OGR_L_GetFeature(GDALDatasetGetLayer(ds, 0), 2);
  ASSERT_NE(second, nullptr);
  EXPECT_FALSE(OGR_F_IsFieldSetAndNotNull(second, OGR_F_GetFieldIndex(second, "height")));
  OGR_F_Destroy(second);
  GDALClose(ds);
}

TEST(ExportGdal, FlatGeobufAndKmlReadBack) {
  MemFile fgb("a.fgb", write(Format::FlatGeobuf, columns(), rows(kA, kB)));
  expect_two_points(read_features(fgb.path()));
  MemFile kml("a.kml", write(Format::Kml, columns(), rows(kA, kB)));
  expect_two_points(read_features(kml.path()));
}

// FlatGeobuf's spatial index has no place for a feature without a
// geometry: such rows (NULL, or EMPTY as PostGIS writes an empty point) are
// left out by the writer itself, the same with every GDAL version.
TEST(ExportGdal, FlatGeobufHoldsOnlyFeaturesWithAGeometry) {
  const std::string empty_point = Wkb().point(std::nan(""), std::nan("")).str();
  std::vector<std::vector<Cell>> data = rows(kA, kB);
  data.insert(data.begin() + 1,
              {Cell::integer(7), Cell::text_value("sans"), Cell::null(), Cell::null(), Cell::null()});
  data.insert(data.begin() + 2, {Cell::integer(8), Cell::text_value("vide"), Cell::null(), Cell::null(),
                                 Cell::geometry(empty_point)});
  MemFile fgb("gaps.fgb", write(Format::FlatGeobuf, columns(), data));
  expect_two_points(read_features(fgb.path()));
  // The other formats keep every row.
  MemFile gpkg("gaps.gpkg", write(Format::GeoPackage, columns(), data));
  EXPECT_EQ(read_features(gpkg.path()).size(), 4u);
}

TEST(ExportGdal, ShapefileIsZippedWithItsSideFiles) {
  MemFile zip("a.zip", write(Format::Shapefile, columns(), rows(kA, kB)));
  const std::string folder = "/vsizip/" + zip.path();
  char** names = VSIReadDir(folder.c_str());
  std::set<std::string> suffixes;
  for (char** n = names; n != nullptr && *n != nullptr; ++n) {
    const std::string name = *n;
    suffixes.insert(name.substr(name.rfind('.')));
  }
  CSLDestroy(names);
  EXPECT_EQ(suffixes, (std::set<std::string>{".cpg", ".dbf", ".prj", ".shp", ".shx"}));
  expect_two_points(read_features(folder));
}

TEST(ExportGdal, ShapefileRefusesAMixOfGeometryTypes) {
  const std::string polygon = Wkb().header(3).u32(1).points({{0, 0}, {1, 0}, {1, 1}, {0, 0}}).str();
  try {
    write(Format::Shapefile, columns(), rows(kA, polygon));
    FAIL() << "a point and a polygon in one Shapefile";
  } catch (const UserError& e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    EXPECT_STREQ(e.what(), "a Shapefile holds one geometry type: row 2 is a Polygon in a file of Point");
  }
  // A polygon file takes multipolygons: one type for the Shapefile.
  const std::string multi = Wkb().header(6).u32(1).raw(polygon).str();
  EXPECT_EQ(sqlstate_of([&] { write(Format::Shapefile, columns(), rows(polygon, multi)); }), "none");
}

TEST(ExportGdal, PastTheSizeLimitIs54000) {
  std::vector<std::vector<Cell>> many;
  for (int i = 0; i < 20000; ++i) many.push_back(rows(kA, kB)[i % 2]);
  EXPECT_EQ(sqlstate_of([&] { write(Format::GeoPackage, columns(), many, 64 * 1024); }), "54000");
}

TEST(ExportXlsx, HeaderLabelsAndTypedCells) {
  MemFile file("a.xlsx", write(Format::Xlsx, columns(), rows(kA, kB)));
  const char* const headers[] = {"HEADERS=FORCE", "FIELD_TYPES=AUTO", nullptr};
  GDALAllRegister();
  GDALDatasetH ds = GDALOpenEx(file.path().c_str(), GDAL_OF_VECTOR, nullptr, headers, nullptr);
  ASSERT_NE(ds, nullptr);
  OGRLayerH sheet = GDALDatasetGetLayer(ds, 0);
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(sheet);
  std::vector<std::string> labels;
  for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) labels.push_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
  EXPECT_EQ(labels, (std::vector<std::string>{"Identifiant", "Nom", "Hauteur", "Plantation", "geom"}));
  EXPECT_EQ(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 0)), OFTInteger);
  EXPECT_EQ(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 2)), OFTReal);
  EXPECT_EQ(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 3)), OFTDate);
  EXPECT_EQ(OGR_L_GetFeatureCount(sheet, TRUE), 2);
  OGRFeatureH first = OGR_L_GetNextFeature(sheet);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(OGR_F_GetFieldAsInteger(first, 0), 1);
  EXPECT_STREQ(OGR_F_GetFieldAsString(first, 1), "Chêne");
  EXPECT_DOUBLE_EQ(OGR_F_GetFieldAsDouble(first, 2), 12.5);
  int y = 0, m = 0, d = 0, hh = 0, mm = 0, tz = 0;
  float ss = 0;
  ASSERT_TRUE(OGR_F_GetFieldAsDateTimeEx(first, 3, &y, &m, &d, &hh, &mm, &ss, &tz));
  EXPECT_EQ(y * 10000 + m * 100 + d, 20210304);
  OGR_F_Destroy(first);
  GDALClose(ds);
}

}  // namespace
}  // namespace opendata::exporter
