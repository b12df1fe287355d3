// Parse + compile time of ODSQL requests (opendata::odsql::compile_records and
// compile_facets), per query shape, on a 40-field schema like the sample
// station dataset.  This is the CPU the extension spends before PostgreSQL
// sees the statement; bench/records.sh measures the whole call against
// hand-written SQL.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/odsql/compiler.hpp"

namespace {

using namespace opendata::odsql;

const std::vector<FieldInfo>& fields() {
  static const std::vector<FieldInfo>* f = [] {
    auto* v = new std::vector<FieldInfo>{
        {"geo_point", FieldType::GeoPoint}, {"geo_shape", FieldType::GeoShape},
        {"id", FieldType::Integer},         {"category", FieldType::Text},
        {"city", FieldType::Text},          {"value", FieldType::Double},
        {"amount", FieldType::Integer},     {"created", FieldType::DateTime},
        {"planted", FieldType::Date},       {"flag", FieldType::Boolean},
        {"label", FieldType::Text}};
    for (int i = 0; i < 29; ++i) v->push_back({"extra_" + std::to_string(i), FieldType::Text});
    return v;
  }();
  return *f;
}

Request base() {
  Request r;
  r.relation = "opendata_api.\"bench-rec\"";
  return r;
}

void run(benchmark::State& state, const Request& r) {
  for (auto _ : state) {
    Compiled c = compile_records(fields(), r);
    benchmark::DoNotOptimize(c.results_sql.data());
  }
}

void BM_AllFields(benchmark::State& state) { run(state, base()); }

void BM_FilterOrderPage(benchmark::State& state) {
  Request r = base();
  r.select = "id, category, value";
  r.where = "category = \"c3\" and value > 500";
  r.order_by = "value desc, id";
  run(state, r);
}

void BM_GroupByAggregates(benchmark::State& state) {
  Request r = base();
  r.select = "city, count(*) as n, avg(value) as v, percentile(value, 90) as p";
  r.where = "value < 300";
  r.group_by = "city";
  r.order_by = "n desc, city";
  run(state, r);
}

void BM_GroupByDates(benchmark::State& state) {
  Request r = base();
  r.select = "count(*) as n";
  r.group_by = "year(created) as y, range(value, 0, 100, 500, 1000) as r";
  run(state, r);
}

void BM_Geo(benchmark::State& state) {
  Request r = base();
  r.select = "id, geo_point, distance(geo_point, geom'POINT(2.5 48.8)') as d";
  r.where =
      "within_distance(geo_point, geom'POINT(2.5 48.8)', 1km) and "
      "in_bbox(geo_point, 48.6, 2.1, 48.9, 2.6) and "
      "not intersects(geo_shape, geom'{\"type\":\"Polygon\",\"coordinates\":[[[2,48],[3,48],[3,49],[2,48]]]}')";
  r.order_by = "d";
  run(state, r);
}

void BM_SearchDatesRefine(benchmark::State& state) {
  Request r = base();
  r.where =
      "\"piscine 42\" and search(label, \"école\") and created > now(days=-30) and "
      "planted in [date'2017'..date'2018-06-01'] and city in (\"Paris 1\", \"Lyon 2\", \"Lille 3\")";
  r.refine = {"category:c5", "created:2020/05"};
  r.exclude = {"flag:true"};
  run(state, r);
}

void BM_LongWhere(benchmark::State& state) {
  // 200 OR-ed comparisons: about 5 kB of ODSQL.
  Request r = base();
  for (int i = 0; i < 200; ++i) r.where += (i ? " or " : "") + std::string("amount = ") + std::to_string(i);
  run(state, r);
}

void BM_Facets(benchmark::State& state) {
  Request r = base();
  r.where = "value > 900";
  const std::vector<std::string> facets{"category", "city"};
  for (auto _ : state) {
    Compiled c = compile_facets(fields(), r, facets);
    benchmark::DoNotOptimize(c.results_sql.data());
  }
}

BENCHMARK(BM_AllFields);
BENCHMARK(BM_FilterOrderPage);
BENCHMARK(BM_GroupByAggregates);
BENCHMARK(BM_GroupByDates);
BENCHMARK(BM_Geo);
BENCHMARK(BM_SearchDatesRefine);
BENCHMARK(BM_LongWhere);
BENCHMARK(BM_Facets);

}  // namespace
