// The statements of publishing that depend on a dataset's fields
// (src/core/catalog/publish_sql.hpp).
#include "core/catalog/publish_sql.hpp"

#include <gtest/gtest.h>

namespace opendata::catalog {
namespace {

TEST(PublishSql, ApiViewSelectList) {
  EXPECT_EQ(api_view_select_list({"id", "Nom \"court\""}, {}, "public"),
            "\"id\", \"Nom \"\"court\"\"\"");
  EXPECT_EQ(api_view_select_list({"id", "geom", "shape"}, {"shape"}, "postgis"),
            "\"id\", \"geom\", \"postgis\".st_transform(\"shape\", 4326) AS \"shape\"");
  EXPECT_EQ(api_view_select_list({}, {}, "public"), "");
}

TEST(PublishSql, RowFingerprints) {
  EXPECT_EQ(row_fingerprints_sql({"code"}, "public.gares"),
            "SELECT coalesce(\"code\"::text, '\u2205'), "
            "pg_catalog.sha224(pg_catalog.convert_to(t::text, 'UTF8')) FROM public.gares t");
  EXPECT_EQ(row_fingerprints_sql({"a", "B"}, "s.\"T\""),
            "SELECT coalesce(\"a\"::text, '\u2205') || chr(31) || coalesce(\"B\"::text, '\u2205'), "
            "pg_catalog.sha224(pg_catalog.convert_to(t::text, 'UTF8')) FROM s.\"T\" t");
}

}  // namespace
}  // namespace opendata::catalog
