// links.next of records() pages and the fields/order_by of near() and
// cross() results: pure text, checked here without a server.
#include "core/odsql/links.hpp"
#include "core/odsql/result_shape.hpp"
#include "odsql_test_util.hpp"

namespace {

using namespace odsql_test;

TEST(OdsqlLinks, PercentEncodingAndArrays) {
  EXPECT_EQ(percent_encode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(percent_encode("n > 0 & \"é\""), "n%20%3E%200%20%26%20%22%C3%A9%22");
  EXPECT_EQ(array_literal({"mode:RER", "nom:Gare 5, quai \"B\"", "a\\b"}),
            "{\"mode:RER\",\"nom:Gare 5, quai \\\"B\\\"\",\"a\\\\b\"}");
}

TEST(OdsqlLinks, NextLinks) {
  LinkArgs args{"https://data.example/api", "gares", ""};
  Request r = request();
  r.limit = 2;
  r.offset = 4;
  EXPECT_EQ(next_link_start(args, r), "https://data.example/api/rpc/records?dataset=gares&rows=2&start=6");
  r.where = "mode = \"RER\"";
  r.refine = {"accessible:true"};
  r.timezone = "Europe/Paris";
  args.lang = "en";
  EXPECT_EQ(next_link_after(args, r, "tok"),
            "https://data.example/api/rpc/records?dataset=gares&where=mode%20%3D%20%22RER%22&rows=2"
            "&after=tok&refine=%7B%22accessible%3Atrue%22%7D&lang=en&timezone=Europe%2FParis");
}

TEST(OdsqlLinks, ArgumentsNotGivenStayOut) {
  EXPECT_EQ(rpc_url("https://data.example/api", "search",
                    {{"q", std::nullopt}, {"facet", "{\"theme\"}"}, {"rows", "2"}}),
            "https://data.example/api/rpc/search?facet=%7B%22theme%22%7D&rows=2");
  EXPECT_EQ(rpc_url("https://data.example/api", "search", {{"q", std::nullopt}}),
            "https://data.example/api/rpc/search");
}

TEST(OdsqlLinks, NextPageByStart) {
  const QueryArgs near = {{"dataset", "gares"}, {"lon", "2.35"},      {"lat", "48.85"},
                          {"distance_m", std::nullopt}, {"rows", "2"}, {"start", "4"}};
  EXPECT_EQ(next_start_url("https://d.example", "near", near, 4, 2, 7),
            "https://d.example/rpc/near?dataset=gares&lon=2.35&lat=48.85&rows=2&start=6");
  // The last page, and a request for no rows: no next page.
  EXPECT_EQ(next_start_url("https://d.example", "near", near, 4, 2, 6), "");
  EXPECT_EQ(next_start_url("https://d.example", "near", near, 4, 0, 7), "");
  // A start that was not given is written.
  EXPECT_EQ(next_start_url("https://d.example", "cross", {{"left", "a"}, {"start", std::nullopt}},
                           0, 10, 11),
            "https://d.example/rpc/cross?left=a&start=10");
}

TEST(OdsqlResultShape, FieldsAndOrder) {
  const std::vector<std::string> cols = {"id", "nom", "right_pole", "distance_m"};
  ResultShape s = result_shape("", "", cols);
  EXPECT_EQ(s.select, "c.*");
  EXPECT_EQ(s.order_by, "");
  s = result_shape(" nom , distance_m", "right_pole DESC, id", cols);
  EXPECT_EQ(s.select, "c.\"nom\", c.\"distance_m\"");
  EXPECT_EQ(s.order_by, "c.\"right_pole\" DESC NULLS LAST, c.\"id\" ASC NULLS LAST");
  auto state = [&](const std::string& f, const std::string& o) {
    try {
      result_shape(f, o, cols);
    } catch (const opendata::UserError& e) {
      return std::string(e.sqlstate());
    }
    return std::string();
  };
  EXPECT_EQ(state("nope", ""), "22023");
  EXPECT_EQ(state("id,,nom", ""), "22023");
  EXPECT_EQ(state("", "id sideways"), "22023");
  EXPECT_EQ(state("\"id\"; drop table x", ""), "22023");
}

TEST(OdsqlLinks, RpcUrlOfAnyFunction) {
  EXPECT_EQ(rpc_url("https://x.org/api", "near",
                    {{"dataset", "gares"}, {"lon", "2.3"}, {"where", "nom like \"Gare*\""},
                     {"start", "10"}}),
            "https://x.org/api/rpc/near?dataset=gares&lon=2.3&where=nom%20like%20%22Gare%2A%22"
            "&start=10");
  EXPECT_EQ(rpc_url("", "search", {}), "/rpc/search");
}

}  // namespace
