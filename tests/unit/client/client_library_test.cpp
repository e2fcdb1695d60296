// The pieces of the client library on their own: formatting, error decoding,
// URL parsing, lookups and the wait loops.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/cli/client/compute_client.h"
#include "core/cli/client/output_format.h"
#include "core/cli/client/resource_lookup.h"
#include "core/cli/client/server_wait.h"
#include "fake_nova.h"

namespace stratus::core::client {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(OutputFormat, TableIsBoxedAndAlignedByCodePoints) {
  const Table t{{"ID", "Name"}, {{"1", "a"}, {"22", "héllo"}}};
  EXPECT_EQ(render_table(t),
            "+----+-------+\n"
            "| ID | Name  |\n"
            "+----+-------+\n"
            "| 1  | a     |\n"
            "| 22 | héllo |\n"
            "+----+-------+\n");
}

TEST(OutputFormat, EmptyTablePrintsItsHeader) {
  EXPECT_EQ(render_table(Table{{"ID"}, {}}), "+----+\n| ID |\n+----+\n");
}

TEST(OutputFormat, JsonListIsKeyedByColumn) {
  const Table t{{"ID", "Name"}, {{"1", "a"}}};
  EXPECT_EQ(table_to_json(t), json::parse(R"([{"ID": "1", "Name": "a"}])"));
  EXPECT_EQ(render_list(Table{{"ID"}, {}}, OutputFormat::kJson), "[]\n");
}

TEST(OutputFormat, RecordAsTableAndJson) {
  const Record r{{{"id", "x"}, {"key_name", nullptr}, {"progress", 0}}};
  EXPECT_EQ(render_record(r, OutputFormat::kTable),
            "+----------+-------+\n"
            "| Field    | Value |\n"
            "+----------+-------+\n"
            "| id       | x     |\n"
            "| key_name | None  |\n"
            "| progress | 0     |\n"
            "+----------+-------+\n");
  EXPECT_EQ(json::parse(render_record(r, OutputFormat::kJson)), json::parse(R"({"id":"x","key_name":null,"progress":0})"));
}

TEST(OutputFormat, AddressesPowerStateProperties) {
  const json addresses = json::parse(
      R"({"public": [{"addr": "172.24.4.9"}], "private": [{"addr": "10.0.0.3"}, {"addr": "fd00::3"}]})");
  EXPECT_EQ(format_addresses(addresses), "private=10.0.0.3, fd00::3; public=172.24.4.9");
  EXPECT_EQ(format_addresses(json::object()), "");
  EXPECT_EQ(format_power_state(1), "Running");
  EXPECT_EQ(format_power_state(4), "Shutdown");
  EXPECT_EQ(format_power_state(9), "9");
  EXPECT_EQ(format_properties(json::parse(R"({"a": "1", "b": "2"})")), "a='1', b='2'");
}

TEST(NovaError, DecodesEveryFaultName) {
  EXPECT_EQ(decode_nova_error(404, R"({"itemNotFound": {"code": 404, "message": "Flavor 42 could not be found."}})"),
            "404 Flavor 42 could not be found.");
  EXPECT_EQ(decode_nova_error(409, R"({"conflictingRequest": {"code": 409, "message": "busy"}})"), "409 busy");
  EXPECT_EQ(decode_nova_error(500, "upstream exploded\n"), "500 upstream exploded");
  EXPECT_EQ(decode_nova_error(503, ""), "503 Service Unavailable");
  EXPECT_EQ(decode_nova_error(400, R"({"other": 1})"), "400 Bad Request");
}

TEST(ComputeUrl, ParsesAndRefuses) {
  auto u = parse_compute_url("http://127.0.0.1:8774/v2.1/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme_host_port, "http://127.0.0.1:8774");
  EXPECT_EQ(u->path_prefix, "/v2.1");
  u = parse_compute_url("https://nova.example.com");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->path_prefix, "");
  EXPECT_FALSE(parse_compute_url("127.0.0.1:8774").ok());
  EXPECT_FALSE(parse_compute_url("ftp://host/").ok());
  EXPECT_EQ(url_encode("^a b$"), "%5Ea%20b%24");
  EXPECT_EQ(regex_escape("web.1(x)"), R"(web\.1\(x\))");
}

class ClientLibraryTest : public ::testing::Test {
 protected:
  std::unique_ptr<ComputeClient> client(std::chrono::milliseconds timeout = 5s) {
    ClientOptions options;
    options.compute_url = nova_.url();
    options.timeout = timeout;
    auto c = ComputeClient::create(options);
    EXPECT_TRUE(c.ok()) << c.status();
    return std::move(*c);
  }
  test::FakeNova nova_;
};

TEST_F(ClientLibraryTest, ApiErrorsMapToStatusCodes) {
  auto c = client();
  auto r = c->get("/flavors/nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "404 Flavor nope could not be found.");
  nova_.set_max_microversion(1);
  r = c->post("/servers", json::object(), "2.37");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kNotSupported);
}

TEST_F(ClientLibraryTest, LookupsByIdAndName) {
  auto c = client();
  auto f = resolve_flavor(*c, "3");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)["name"], "m1.medium");
  f = resolve_flavor(*c, "m1.tiny");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)["id"], "1");
  auto i = resolve_image(*c, "cirros");
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_EQ((*i)["id"], test::kImageId);
  i = resolve_image(*c, "ubuntu");
  ASSERT_FALSE(i.ok());
  EXPECT_EQ(i.status().code(), sdk::StatusCode::kNotFound);
  EXPECT_EQ(i.status().message(), "No image with a name or ID of 'ubuntu' exists.");
}

// Like novaclient's find_resource: a name lookup lists with is_public=None,
// so an admin finds private flavors too (Nova ignores it for others, who see
// the public flavors and the private ones their project was given).
TEST_F(ClientLibraryTest, FlavorLookupByNameFindsPrivateFlavors) {
  auto c = client();
  nova_.add_private_flavor("42", "p1.private");
  auto f = resolve_flavor(*c, "p1.private");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)["id"], "42");
  f = resolve_flavor(*c, "42");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)["name"], "p1.private");
  EXPECT_EQ(resolve_flavor(*c, "p1.nothing").status().code(), sdk::StatusCode::kNotFound);
}

TEST_F(ClientLibraryTest, WaitForServerActiveErrorGoneAndTimeout) {
  auto c = client();
  const WaitOptions fast{2s, 1ms, 5ms};
  nova_.add_server("s-1", "a", {"BUILD", "BUILD", "ACTIVE"});
  auto r = wait_for_server(*c, "s-1", WaitTarget::kActive, fast);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)["status"], "ACTIVE");

  nova_.add_server("s-2", "b", {"BUILD", "ERROR"});
  r = wait_for_server(*c, "s-2", WaitTarget::kActive, fast);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kInvalidState);
  EXPECT_EQ(r.status().message(), "server s-2 is in ERROR: No valid host was found. There are not enough hosts available.");

  r = wait_for_server(*c, "missing", WaitTarget::kGone, fast);
  EXPECT_TRUE(r.ok()) << r.status();
  r = wait_for_server(*c, "missing", WaitTarget::kActive, fast);
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kNotFound);

  nova_.add_server("s-3", "c", {"BUILD"});
  const auto start = std::chrono::steady_clock::now();
  r = wait_for_server(*c, "s-3", WaitTarget::kActive, WaitOptions{100ms, 1ms, 5ms});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kTimeout);
}

TEST(ServerWait, FleetProgressAndTimeoutAreBounded) {
  int polls = 0;
  std::vector<std::string> lines;
  const auto fetch = [&polls]() -> sdk::Result<std::vector<json>> {
    ++polls;
    return std::vector<json>{{{"status", polls >= 3 ? "ACTIVE" : "BUILD"}}, {{"status", "ERROR"}}};
  };
  auto r = wait_for_servers(fetch, 2, WaitTarget::kActive, WaitOptions{2s, 1ms, 2ms},
                            [&lines](const FleetProgress& p) { lines.push_back(p.to_string()); });
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines.front(), "0/2 ACTIVE, 1 BUILD, 1 ERROR");
  EXPECT_EQ(lines.back(), "1/2 ACTIVE, 0 BUILD, 1 ERROR");

  const auto never = []() -> sdk::Result<std::vector<json>> { return std::vector<json>{}; };
  auto t = wait_for_servers(never, 3, WaitTarget::kActive, WaitOptions{50ms, 1ms, 2ms}, nullptr);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), sdk::StatusCode::kTimeout);
  EXPECT_NE(t.status().message().find("0/3 ACTIVE, 3 BUILD, 0 ERROR"), std::string::npos) << t.status().message();
}

}  // namespace
}  // namespace stratus::core::client
