#include "pg/summary.hpp"

#include "core/odsql/literals.hpp"
#include "pg/spi.hpp"

namespace opendata::pg {
namespace {

// A summary counts only while it is the current version's (publish()
// replaces it with the version) and no write to the table left a mark
// since.
constexpr const char* kRowCountQuery = R"sql(
SELECT s.row_count
  FROM opendata.datasets d
  JOIN opendata.data_summaries s ON s.dataset_id = d.id AND s.version = d.version
 WHERE d.slug = $1 AND d.status = 'published'
   AND NOT EXISTS (SELECT FROM opendata.data_writes w WHERE w.dataset_id = d.id))sql";

// Every asked field, in order, with the type it had when it was counted;
// no row when one is missing.  json_agg of json values writes them as
// json_build_array does, so the answer is the text facets() computes.
constexpr const char* kFacetsQuery = R"sql(
SELECT pg_catalog.json_build_object('facets', pg_catalog.json_agg(s.facets -> u.name ORDER BY u.i))
  FROM opendata.datasets d
  JOIN opendata.data_summaries s ON s.dataset_id = d.id AND s.version = d.version
  CROSS JOIN LATERAL pg_catalog.unnest($2::text[]) WITH ORDINALITY AS u(name, i)
  JOIN opendata.fields f ON f.dataset_id = d.id AND f.name = u.name
 WHERE d.slug = $1 AND d.status = 'published' AND s.facet_types ->> u.name = f.type
   AND NOT EXISTS (SELECT FROM opendata.data_writes w WHERE w.dataset_id = d.id)
HAVING count(*) = pg_catalog.cardinality($2::text[]))sql";

SPIPlanPtr g_row_count_plan = nullptr;
SPIPlanPtr g_facets_plan = nullptr;

}  // namespace

std::optional<std::int64_t> summarized_row_count(const std::string& slug) {
  if (spi::execute_saved(g_row_count_plan, kRowCountQuery, {{TEXTOID, slug}}, true) == 0)
    return std::nullopt;
  return std::stoll(*spi::value(0, 1));
}

std::optional<std::string> summarized_facets(const std::string& slug,
                                             const std::vector<std::string>& fields) {
  if (fields.empty()) return std::nullopt;
  if (spi::execute_saved(g_facets_plan, kFacetsQuery,
                         {{TEXTOID, slug}, {TEXTARRAYOID, odsql::text_array_literal(fields)}},
                         true) == 0)
    return std::nullopt;
  return spi::value(0, 1);
}

}  // namespace opendata::pg
