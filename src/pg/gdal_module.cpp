// GDAL's export formats (GeoPackage, FlatGeobuf, KML, Shapefile) come from
// opendata_gdal.so, next to opendata.so, loaded by the first such export of
// a backend (core/export/gdal_writer.hpp says why).  PostgreSQL loads
// opendata.so with RTLD_GLOBAL, so the module finds the core's symbols it
// uses (Writer, UserError, ...) in it.
#include <dlfcn.h>

#include <string>

#include "core/error.hpp"
#include "core/export/gdal_writer.hpp"
#include "pg/guard.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace opendata::pg {
namespace {

namespace ex = opendata::exporter;

// The module's maker, loaded once per backend; an error if the library is
// missing or is not the one this build installs.
ex::GdalWriterMaker load_gdal_module() {
  const std::string path = std::string(pkglib_path) + "/opendata_gdal" + DLSUFFIX;
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw UserError(sqlstate::kFeatureNotSupported, "GDAL formats are not available",
                    "Could not load " + path + ": " + (why ? why : "unknown error") + ".",
                    "Install opendata_gdal" DLSUFFIX " with opendata (make install).");
  }
  using Entry = ex::GdalWriterMaker (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "opendata_gdal_writer_maker"));
  if (entry == nullptr)
    throw UserError(sqlstate::kFeatureNotSupported, "GDAL formats are not available",
                    path + " is not opendata's GDAL module.");
  return entry();
}

std::unique_ptr<ex::Writer> make_gdal_writer_on_first_use(ex::Format format,
                                                          std::vector<ex::Column> columns,
                                                          const ex::ExportOptions& options,
                                                          std::size_t max_bytes) {
  ex::g_gdal_writer_maker = load_gdal_module();
  return ex::g_gdal_writer_maker(format, std::move(columns), options, max_bytes);
}

}  // namespace

void install_gdal_writer_loader() { ex::g_gdal_writer_maker = make_gdal_writer_on_first_use; }

}  // namespace opendata::pg
