// Throughput of the export writers on 1M synthetic point rows (rows/s and
// output MB/s), each next to a reference measured in the same run:
//  - CSV against a straightforward std::ostringstream writer with the same
//    quoting rules (what one writes without a lookup table or to_chars);
//  - GeoJSON against building an nlohmann::json document tree and dumping
//    it (the tree-then-serialise approach the streaming writers avoid).
// The SQL-level comparisons (COPY ... CSV, ST_AsGeoJSON + json_agg) need a
// server and belong to the bench/*.sh scripts.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/export/wkb_reader.hpp"
#include "core/export/writer.hpp"

namespace {

using namespace opendata::exporter;

constexpr std::size_t kRows = 1000000;
constexpr std::size_t kFlushBytes = 64 * 1024;  // the PostgreSQL layer's chunk size

// Column data kept contiguous, as SPI output would be.
struct Dataset {
  std::string wkb;    // kRows little-endian WKB points, 21 bytes each
  std::string names;  // "Platanus x hispanica 123456" ...
  std::vector<std::uint32_t> name_end;
  std::vector<double> lon, lat, height;
  std::string dates;  // "2024-01-31" x kRows
};

const Dataset& dataset() {
  // Built once on first use (a function-local static: no load-time constructor).
  static const Dataset* d = [] {
    auto* ds = new Dataset;
    ds->wkb.reserve(kRows * 21);
    std::uint64_t seed = 42;
    auto next = [&seed] {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<double>(seed >> 11) / static_cast<double>(1ull << 53);
    };
    const char* species[] = {"Platanus x hispanica", "Quercus robur", "Tilia tomentosa \"Brabant\"",
                             "Aesculus hippocastanum", "Acer; platanoides"};
    for (std::size_t i = 0; i < kRows; ++i) {
      const double lon = 2.2 + next() * 0.3, lat = 48.8 + next() * 0.1;
      ds->lon.push_back(lon);
      ds->lat.push_back(lat);
      ds->height.push_back(static_cast<double>(static_cast<int>(next() * 400)) / 10.0);
      char p[21];
      p[0] = 1;
      const std::uint32_t type = 1;
      std::memcpy(p + 1, &type, 4);
      std::memcpy(p + 5, &lon, 8);
      std::memcpy(p + 13, &lat, 8);
      ds->wkb.append(p, 21);
      ds->names += species[i % 5];
      ds->names += ' ';
      ds->names += std::to_string(i);
      ds->name_end.push_back(static_cast<std::uint32_t>(ds->names.size()));
      ds->dates += "2024-01-31";
    }
    return ds;
  }();
  return *d;
}

std::vector<Column> columns() {
  return {{"id", "Identifiant", CellKind::Integer},
          {"espece", "Espèce", CellKind::Text},
          {"hauteur", "Hauteur (m)", CellKind::Number},
          {"plante_le", "Planté le", CellKind::Date},
          {"geo_point", "Position", CellKind::Geometry}};
}

void fill_row(const Dataset& d, std::size_t i, Cell* cells) {
  const std::uint32_t begin = i == 0 ? 0 : d.name_end[i - 1];
  cells[0] = Cell::integer(static_cast<std::int64_t>(i));
  cells[1] = Cell::text_value(std::string_view(d.names).substr(begin, d.name_end[i] - begin));
  cells[2] = Cell::number(d.height[i]);
  cells[3] = Cell::date(std::string_view(d.dates).substr(i * 10, 10));
  cells[4] = Cell::geometry(std::string_view(d.wkb).substr(i * 21, 21));
}

void run_writer(benchmark::State& state, Format format, const char* options) {
  const Dataset& d = dataset();
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto w = make_writer(format, columns(), parse_options(format, options));
    Cell cells[5];
    w->begin();
    for (std::size_t i = 0; i < kRows; ++i) {
      fill_row(d, i, cells);
      w->add_row(cells, 5);
      if (w->buffer().size() >= kFlushBytes) {
        bytes += w->buffer().size();
        benchmark::DoNotOptimize(w->buffer().data());
        w->buffer().clear();
      }
    }
    w->finish();
    bytes += w->buffer().size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_Csv(benchmark::State& state) { run_writer(state, Format::Csv, "{}"); }
void BM_CsvWkt(benchmark::State& state) {
  run_writer(state, Format::Csv, R"({"geometry_format":"wkt"})");
}
void BM_Json(benchmark::State& state) { run_writer(state, Format::Json, "{}"); }
void BM_GeoJson(benchmark::State& state) {
  run_writer(state, Format::GeoJson, R"({"id_field":"id"})");
}

// Reference: the same CSV through iostreams, quoting by std::string::find.
void BM_Csv_OstreamReference(benchmark::State& state) {
  const Dataset& d = dataset();
  std::size_t bytes = 0;
  auto field = [](std::ostringstream& os, std::string_view s) {
    if (s.find_first_of(";\"\r\n") == std::string_view::npos) {
      os << s;
      return;
    }
    os << '"';
    for (char c : s) {
      if (c == '"') os << '"';
      os << c;
    }
    os << '"';
  };
  for (auto _ : state) {
    std::ostringstream os;
    os.precision(17);
    os << "\xEF\xBB\xBFid;espece;hauteur;plante_le;geo_point\r\n";
    Cell cells[5];
    std::string geo;
    for (std::size_t i = 0; i < kRows; ++i) {
      fill_row(d, i, cells);
      os << cells[0].v.i << ';';
      field(os, cells[1].text);
      os << ';' << cells[2].v.d << ';' << cells[3].text << ';';
      geo.clear();
      wkb_to_geojson(cells[4].text, 7, geo);
      field(os, geo);
      os << "\r\n";
      if (os.tellp() >= static_cast<std::streamoff>(kFlushBytes)) {
        bytes += static_cast<std::size_t>(os.tellp());
        os.str(std::string());
      }
    }
    bytes += static_cast<std::size_t>(os.tellp());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

// Reference: a document tree per chunk of features, then dump().
void BM_GeoJson_TreeReference(benchmark::State& state) {
  const Dataset& d = dataset();
  std::size_t bytes = 0;
  for (auto _ : state) {
    nlohmann::json features = nlohmann::json::array();
    Cell cells[5];
    for (std::size_t i = 0; i < kRows; ++i) {
      fill_row(d, i, cells);
      nlohmann::json f = {{"type", "Feature"},
                          {"id", cells[0].v.i},
                          {"geometry", {{"type", "Point"}, {"coordinates", {d.lon[i], d.lat[i]}}}},
                          {"properties",
                           {{"id", cells[0].v.i},
                            {"espece", std::string(cells[1].text)},
                            {"hauteur", cells[2].v.d},
                            {"plante_le", std::string(cells[3].text)}}}};
      features.push_back(std::move(f));
      if (features.size() == 1000) {  // ~ the same flush granularity
        bytes += features.dump().size();
        features = nlohmann::json::array();
      }
    }
    bytes += nlohmann::json{{"type", "FeatureCollection"}, {"features", features}}.dump().size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRows));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

BENCHMARK(BM_Csv)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CsvWkt)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Csv_OstreamReference)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Json)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GeoJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GeoJson_TreeReference)->Unit(benchmark::kMillisecond);

}  // namespace
