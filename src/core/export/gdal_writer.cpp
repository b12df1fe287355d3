#include "core/export/gdal_writer.hpp"

#include <atomic>
#include <string>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "core/error.hpp"

namespace opendata::exporter {

namespace {

constexpr std::uint64_t kSizeCheckEveryRows = 4096;

struct Driver {
  const char* gdal_name;
  const char* file_suffix;  // the file GDAL writes, inside the /vsimem/ folder
};

Driver driver_of(Format format) {
  switch (format) {
    case Format::GeoPackage:
      return {"GPKG", ".gpkg"};
    case Format::FlatGeobuf:
      return {"FlatGeobuf", ".fgb"};
    case Format::Kml:
      return {"KML", ".kml"};
    case Format::Shapefile:
      // GDAL (3.1+) writes a zipped Shapefile itself: .shp, .shx, .dbf,
      // .prj and .cpg inside one .shp.zip.
      return {"ESRI Shapefile", ".shp.zip"};
    default:
      break;
  }
  throw UserError(sqlstate::kInternalError, "not a GDAL export format");
}

// GDAL reports errors through a handler; the writer collects the last one
// (silently: nothing goes to the server's stderr) and raises it as a
// UserError with the SQLSTATE the caller gives.
[[noreturn]] void gdal_failed(const char* sqlstate, const std::string& what) {
  const char* msg = CPLGetLastErrorMsg();
  std::string detail = msg != nullptr ? msg : "";
  CPLErrorReset();
  throw UserError(sqlstate, what, detail);
}

// A folder of /vsimem/ of its own per export (backends are single-threaded,
// but two exports may be alive in one query).
std::string unique_folder() {
  static std::atomic<unsigned long> counter{0};
  return "/vsimem/opendata_export_" + std::to_string(reinterpret_cast<std::uintptr_t>(&counter)) + "_" +
         std::to_string(++counter);
}

OGRFieldType field_type(CellKind kind, OGRFieldSubType* sub) {
  *sub = OFSTNone;
  switch (kind) {
    case CellKind::Integer:
      return OFTInteger64;
    case CellKind::Number:
      return OFTReal;
    case CellKind::Boolean:
      *sub = OFSTBoolean;
      return OFTInteger;
    case CellKind::Date:
      return OFTDate;
    case CellKind::DateTime:
      return OFTDateTime;
    case CellKind::Json:
    case CellKind::Array:
      *sub = OFSTJSON;
      return OFTString;
    default:
      return OFTString;
  }
}

class GdalWriter final : public Writer {
 public:
  GdalWriter(Format format, std::vector<Column> columns, const ExportOptions& options,
             std::size_t max_bytes)
      : Writer(std::move(columns), options), format_(format), driver_(driver_of(format)),
        max_bytes_(max_bytes) {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].kind == CellKind::Geometry && geometry_ < 0) geometry_ = static_cast<int>(i);
    }
  }

  ~GdalWriter() override {
    // On every way out (an error half-way included): nothing left in memory.
    for (OGRFeatureH f : pending_) OGR_F_Destroy(f);
    if (fields_ != nullptr) OGR_FD_Release(fields_);
    close();
    if (!folder_.empty()) VSIRmdirRecursive(folder_.c_str());
    CPLPopErrorHandler();
  }

 protected:
  void write_begin() override {
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALAllRegister();
    GDALDriverH driver = GDALGetDriverByName(driver_.gdal_name);
    if (driver == nullptr)
      throw UserError(sqlstate::kFeatureNotSupported,
                      std::string("GDAL has no ") + driver_.gdal_name + " driver");
    folder_ = unique_folder();
    VSIMkdir(folder_.c_str(), 0755);
    path_ = folder_ + "/export" + driver_.file_suffix;
    ds_ = GDALCreate(driver, path_.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    if (ds_ == nullptr) gdal_failed(sqlstate::kInternalError, "GDAL could not create the export file");

    // The attributes, first in a definition of our own: a Shapefile's layer
    // waits for its first geometry (below).
    fields_ = OGR_FD_Create("export");
    OGR_FD_Reference(fields_);
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (static_cast<int>(i) == geometry_) continue;
      OGRFieldSubType sub = OFSTNone;
      OGRFieldType type = OFTString;  // a second geometry column: WKT
      if (columns_[i].kind != CellKind::Geometry) type = field_type(columns_[i].kind, &sub);
      // A Shapefile's dates have no time: a date-time is kept whole as text.
      if (format_ == Format::Shapefile && type == OFTDateTime) type = OFTString;
      // KML's schema has no 64-bit integer (GDAL would declare text): a
      // double keeps integers exact up to 2^53 and readers see numbers.
      if (format_ == Format::Kml && type == OFTInteger64) type = OFTReal;
      OGRFieldDefnH def = OGR_Fld_Create(columns_[i].name.c_str(), type);
      OGR_Fld_SetSubType(def, sub);
      OGR_FD_AddFieldDefn(fields_, def);
      OGR_Fld_Destroy(def);
    }
    // A Shapefile holds one geometry type, which GDAL takes from the layer:
    // created with the first feature that has a geometry (GDAL would make
    // an unknown-type layer a line file when the first shape is NULL).
    if (format_ != Format::Shapefile || geometry_ < 0)
      create_layer(geometry_ >= 0 ? wkbUnknown : wkbNone);
  }

  void write_row(const Cell* cells) override {
    if (layer_ == nullptr && geometry_ >= 0 && cells[geometry_].kind == CellKind::Geometry &&
        !cells[geometry_].text.empty()) {
      OGRGeometryH g = read_wkb(cells[geometry_]);
      const OGRwkbGeometryType type = OGR_G_GetGeometryType(g);
      OGR_G_DestroyGeometry(g);
      create_layer(type);
    }
    const bool waiting = layer_ == nullptr;
    OGRFeatureH feature = OGR_F_Create(waiting ? fields_ : OGR_L_GetLayerDefn(layer_));
    try {
      int f = 0;
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (static_cast<int>(i) == geometry_) {
          set_geometry(feature, cells[i]);
        } else {
          set_field(feature, waiting ? f : field_index_[f], cells[i]);
          ++f;
        }
      }
      if (left_out_of_flatgeobuf(feature)) {
        OGR_F_Destroy(feature);
        return;
      }
      if (waiting) {
        pending_.push_back(feature);  // written once the layer exists
        return;
      }
      if (OGR_L_CreateFeature(layer_, feature) != OGRERR_NONE) {
        refuse_mixed_shapefile(feature);
        gdal_failed(sqlstate::kInternalError, "GDAL could not write a feature");
      }
    } catch (...) {
      OGR_F_Destroy(feature);
      throw;
    }
    OGR_F_Destroy(feature);
    if ((rows_ + 1) % kSizeCheckEveryRows == 0) check_size();
  }

  void write_finish() override {
    if (layer_ == nullptr) create_layer(wkbPoint);  // no geometry at all: NULL shapes
    close();  // the file is complete only once the dataset is closed
    check_size();
    vsi_l_offset length = 0;
    GByte* bytes = VSIGetMemFileBuffer(path_.c_str(), &length, FALSE);
    if (bytes == nullptr) gdal_failed(sqlstate::kInternalError, "GDAL wrote no export file");
    out_.append(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(length));
  }

 private:
  void create_layer(OGRwkbGeometryType type) {
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    OSRSetWellKnownGeogCS(srs, "WGS84");  // EPSG:4326 without reading proj.db
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    // ENCODING: a Shapefile's .cpg.  FlatGeobuf keeps its spatial index
    // (readers fetch a bbox's features with HTTP range requests).
    const char* shp_options[] = {"ENCODING=UTF-8", nullptr};
    const char** options = format_ == Format::Shapefile ? shp_options : nullptr;
    layer_ = GDALDatasetCreateLayer(ds_, "export", type == wkbNone ? nullptr : srs, type,
                                    const_cast<char**>(options));
    OSRRelease(srs);
    if (layer_ == nullptr) gdal_failed(sqlstate::kInternalError, "GDAL could not create the export layer");
    for (int i = 0; i < OGR_FD_GetFieldCount(fields_); ++i) {
      if (OGR_L_CreateField(layer_, OGR_FD_GetFieldDefn(fields_, i), TRUE) != OGRERR_NONE)
        gdal_failed(sqlstate::kInvalidParameterValue,
                    std::string("field \"") + OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fields_, i)) +
                        "\" cannot be written in this format");
      // GDAL may rename a field (a Shapefile's 10 characters), not reorder.
      field_index_.push_back(OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(layer_)) - 1);
    }
    for (std::size_t p = 0; p < pending_.size(); ++p) {
      OGRFeatureH feature = OGR_F_Create(OGR_L_GetLayerDefn(layer_));
      OGR_F_SetFromWithMap(feature, pending_[p], TRUE, field_index_.data());
      const OGRErr err = OGR_L_CreateFeature(layer_, feature);
      OGR_F_Destroy(feature);
      if (err != OGRERR_NONE) gdal_failed(sqlstate::kInternalError, "GDAL could not write a feature");
    }
    for (OGRFeatureH f : pending_) OGR_F_Destroy(f);
    pending_.clear();
  }

  // FlatGeobuf's spatial index orders features by their box, so a feature
  // without a geometry (NULL or EMPTY) has no place in it: GDAL 3.6.2
  // (Debian 12) drops such a feature without a word, GDAL 3.6.4 and later
  // refuse it.  The export leaves these rows out itself, the same with
  // every GDAL, and the portal's FlatGeobuf distribution says it holds
  // only the features with a geometry (docs/export.md).
  bool left_out_of_flatgeobuf(OGRFeatureH feature) const {
    if (format_ != Format::FlatGeobuf || geometry_ < 0) return false;
    OGRGeometryH g = OGR_F_GetGeometryRef(feature);
    return g == nullptr || OGR_G_IsEmpty(g);
  }

  // A Shapefile holds one geometry type (its header says which): a row of
  // another type is the request's mix, not GDAL's failure.  Checked only
  // once GDAL refused the row, since a polygon file takes multipolygons.
  void refuse_mixed_shapefile(OGRFeatureH feature) {
    if (format_ != Format::Shapefile) return;
    OGRGeometryH g = OGR_F_GetGeometryRef(feature);
    if (g == nullptr) return;
    const OGRwkbGeometryType row = wkbFlatten(OGR_G_GetGeometryType(g));
    const OGRwkbGeometryType file = wkbFlatten(OGR_L_GetGeomType(layer_));
    if (row == file) return;
    CPLErrorReset();
    throw UserError(sqlstate::kInvalidParameterValue,
                    std::string("a Shapefile holds one geometry type: row ") + std::to_string(rows_ + 1) +
                        " is a " + OGRGeometryTypeToName(row) + " in a file of " +
                        OGRGeometryTypeToName(file),
                    "", "Export one geometry type at a time (where), or choose GeoPackage or "
                        "FlatGeobuf, which hold any mix.");
  }

  void close() {
    if (ds_ != nullptr) {
      GDALClose(ds_);
      ds_ = nullptr;
      layer_ = nullptr;
    }
  }

  // Every file of the folder: a Shapefile's parts are written side by side
  // before the zip is assembled.
  void check_size() {
    std::size_t total = 0;
    char** names = VSIReadDirRecursive(folder_.c_str());
    for (char** n = names; n != nullptr && *n != nullptr; ++n) {
      VSIStatBufL st;
      if (VSIStatL((folder_ + "/" + *n).c_str(), &st) == 0) total += static_cast<std::size_t>(st.st_size);
    }
    CSLDestroy(names);
    if (total > max_bytes_)
      throw UserError(sqlstate::kProgramLimitExceeded,
                      "export is larger than one value can hold (" + std::to_string(max_bytes_) + " bytes)",
                      "", "Filter the rows (where, refine) or choose fewer fields; a text format can be "
                          "exported in chunks with opendata.export_chunks().");
  }

  // A geometry from a cell's WKB; 22P03 when GDAL cannot read it.
  OGRGeometryH read_wkb(const Cell& cell) {
    OGRGeometryH geometry = nullptr;
    if (OGR_G_CreateFromWkbEx(cell.text.data(), nullptr, &geometry, cell.text.size()) != OGRERR_NONE ||
        geometry == nullptr) {
      CPLErrorReset();
      throw UserError(sqlstate::kInvalidBinaryRepresentation,
                      "malformed geometry (WKB) in row " + std::to_string(rows_ + 1));
    }
    return geometry;
  }

  void set_geometry(OGRFeatureH feature, const Cell& cell) {
    if (cell.kind != CellKind::Geometry || cell.text.empty()) return;
    OGR_F_SetGeometryDirectly(feature, read_wkb(cell));
  }

  void set_field(OGRFeatureH feature, int index, const Cell& cell) {
    switch (cell.kind) {
      case CellKind::Null:
        OGR_F_SetFieldNull(feature, index);
        return;
      case CellKind::Integer:
        if (cell.is_text)
          OGR_F_SetFieldString(feature, index, std::string(cell.text).c_str());
        else
          OGR_F_SetFieldInteger64(feature, index, cell.v.i);
        return;
      case CellKind::Number:
        if (cell.is_text)
          OGR_F_SetFieldString(feature, index, std::string(cell.text).c_str());
        else
          OGR_F_SetFieldDouble(feature, index, cell.v.d);
        return;
      case CellKind::Boolean:
        OGR_F_SetFieldInteger(feature, index, cell.v.b ? 1 : 0);
        return;
      case CellKind::Geometry: {
        // A second geometry column: an attribute in WKT.
        OGRGeometryH g = read_wkb(cell);
        char* wkt = nullptr;
        OGR_G_ExportToIsoWkt(g, &wkt);
        OGR_F_SetFieldString(feature, index, wkt != nullptr ? wkt : "");
        CPLFree(wkt);
        OGR_G_DestroyGeometry(g);
        return;
      }
      case CellKind::Json:
      case CellKind::Array: {
        scratch_.clear();
        append_json_value(scratch_, cell, geometry_options_);
        OGR_F_SetFieldString(feature, index, scratch_.c_str());
        return;
      }
      default:
        // Text, dates and date-times (GDAL parses ISO 8601 with its offset).
        OGR_F_SetFieldString(feature, index, std::string(cell.text).c_str());
        return;
    }
  }

  Format format_;
  Driver driver_;
  std::size_t max_bytes_;
  int geometry_ = -1;            // the column that is each feature's geometry
  std::vector<int> field_index_;  // OGR field of each non-geometry column
  std::string folder_, path_, scratch_;
  GDALDatasetH ds_ = nullptr;
  OGRLayerH layer_ = nullptr;
  OGRFeatureDefnH fields_ = nullptr;   // the attributes, before the layer exists
  std::vector<OGRFeatureH> pending_;  // a Shapefile's rows before its first geometry
};

}  // namespace

std::unique_ptr<Writer> make_gdal_writer(Format format, std::vector<Column> columns,
                                         const ExportOptions& options, std::size_t max_bytes) {
  return std::make_unique<GdalWriter>(format, std::move(columns), options, max_bytes);
}

}  // namespace opendata::exporter

// What opendata_gdal.so gives the extension that loads it (pg/gdal_module.cpp
// finds it by this unmangled name).
extern "C" opendata::exporter::GdalWriterMaker opendata_gdal_writer_maker() {
  return &opendata::exporter::make_gdal_writer;
}
