// Scheduling end to end: no valid host, reschedule after a failed spawn,
// server groups, forced hosts, and concurrent creates that never overfill.
#include <atomic>
#include <set>
#include <thread>

#include "cloud_fixture.h"

namespace stratus::test {
namespace {

TEST_F(CloudTest, NoValidHostPutsTheServerInErrorWithAFaultNamingTheFilter) {
  Reply flavor = post("/v2.1/flavors", {{"flavor", {{"name", "huge"}, {"ram", 10000000}, {"vcpus", 1}, {"disk", 1}}}});
  ASSERT_EQ(flavor.status, 200) << flavor.body.dump();
  const std::string id = create_server("too-big", {{"flavorRef", flavor.body["flavor"]["id"]}});
  ASSERT_TRUE(wait_for_status(id, "ERROR"));
  json s = show(id);
  ASSERT_TRUE(s.contains("fault")) << s.dump();
  const std::string message = s["fault"].value("message", "");
  EXPECT_NE(message.find("No valid host was found"), std::string::npos) << message;
  EXPECT_NE(message.find("ram"), std::string::npos) << message;
  for (const auto& h : hosts()) EXPECT_TRUE(driver(h).list_instances()->empty());
  // An ERROR server without a host deletes at once.
  EXPECT_EQ(del("/v2.1/servers/" + id).status, 204);
  EXPECT_TRUE(wait_for_gone(id));
}

TEST_F(CloudTest, AFailedSpawnIsRescheduledToAnAlternate) {
  // Two of the three hosts fail every spawn; the build must end on the third.
  ASSERT_TRUE(driver("host-1").inject_fault(drivers::fake::FakeOperation::kSpawn, "fail:unavailable").ok());
  ASSERT_TRUE(driver("host-2").inject_fault(drivers::fake::FakeOperation::kSpawn, "fail:unavailable").ok());
  const std::string id = create_server("resched");
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
  EXPECT_EQ(show(id)["OS-EXT-SRV-ATTR:host"], "host-3");
  EXPECT_TRUE(driver("host-1").list_instances()->empty());
  EXPECT_TRUE(driver("host-2").list_instances()->empty());
}

TEST_F(CloudTest, WhenEveryAttemptFailsTheDriversMessageIsTheFault) {
  for (const auto& h : hosts()) {
    ASSERT_TRUE(driver(h).inject_fault(drivers::fake::FakeOperation::kSpawn, "fail:internal").ok());
  }
  const std::string id = create_server("doomed");
  ASSERT_TRUE(wait_for_status(id, "ERROR"));
  json s = show(id);
  ASSERT_TRUE(s.contains("fault")) << s.dump();
  EXPECT_FALSE(s["fault"].value("message", "").empty());
  for (const auto& h : hosts()) EXPECT_TRUE(driver(h).list_instances()->empty());
}

TEST_F(CloudTest, AntiAffinityAndAffinityGroups) {
  Reply anti = post("/v2.1/os-server-groups", {{"server_group", {{"name", "spread"}, {"policies", {"anti-affinity"}}}}});
  ASSERT_EQ(anti.status, 200) << anti.body.dump();
  const std::string anti_id = anti.body["server_group"]["id"];
  std::set<std::string> spread_hosts;
  for (int i = 0; i < 3; ++i) {
    const std::string id =
        create_server("spread-" + std::to_string(i), {{"os:scheduler_hints", {{"group", anti_id}}}});
    ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
    spread_hosts.insert(show(id).value("OS-EXT-SRV-ATTR:host", ""));
  }
  EXPECT_EQ(spread_hosts.size(), 3u);
  // A fourth member has nowhere to go.
  const std::string fourth = create_server("spread-3", {{"os:scheduler_hints", {{"group", anti_id}}}});
  ASSERT_TRUE(wait_for_status(fourth, "ERROR"));

  Reply aff = post("/v2.1/os-server-groups", {{"server_group", {{"name", "pack"}, {"policies", {"affinity"}}}}});
  ASSERT_EQ(aff.status, 200) << aff.body.dump();
  const std::string aff_id = aff.body["server_group"]["id"];
  std::set<std::string> packed_hosts;
  for (int i = 0; i < 3; ++i) {
    const std::string id = create_server("pack-" + std::to_string(i), {{"os:scheduler_hints", {{"group", aff_id}}}});
    ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
    packed_hosts.insert(show(id).value("OS-EXT-SRV-ATTR:host", ""));
  }
  EXPECT_EQ(packed_hosts.size(), 1u);
  Reply group = get("/v2.1/os-server-groups/" + aff_id);
  EXPECT_EQ(group.body["server_group"]["members"].size(), 3u);
}

TEST_F(CloudTest, AZoneHostPairForcesTheHost) {
  for (int i = 0; i < 3; ++i) {
    const std::string id = create_server("pinned-" + std::to_string(i), {{"availability_zone", "nova:host-2"}});
    ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
    EXPECT_EQ(show(id)["OS-EXT-SRV-ATTR:host"], "host-2");
  }
}

// Hosts that hold two m1.small each: concurrent creates must never put a
// third on any of them.
class SmallHostsCloudTest : public CloudTest {
 protected:
  void tweak(core::Config& config) override {
    auto pc = config.plugin_config(sdk::PluginKind::kVirtDriver, "fake");
    pc.set("memory_mb", std::int64_t{4096 + 512}, "test");
    config.plugin_tables[{sdk::PluginKind::kVirtDriver, "fake"}] = pc;
  }
};

TEST_F(SmallHostsCloudTest, ConcurrentCreatesNeverOverfillAHost) {
  Reply images = get("/v2.1/images");
  const json image = images.body["images"][0]["id"];
  constexpr int kRequests = 10;  // room for 6
  std::vector<std::string> ids(kRequests);
  std::vector<std::thread> threads;
  const int port = node_->api_port();
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      httplib::Client c("127.0.0.1", port);
      json body = {{"server", {{"name", "race-" + std::to_string(i)}, {"imageRef", image}, {"flavorRef", "2"}}}};
      auto r = c.Post("/v2.1/servers", body.dump(), "application/json");
      if (r && r->status == 202) ids[i] = json::parse(r->body)["server"]["id"];
    });
  }
  for (auto& t : threads) t.join();
  int active = 0, error = 0;
  for (const auto& id : ids) {
    ASSERT_FALSE(id.empty());
    const auto until = std::chrono::steady_clock::now() + 30s;
    std::string status;
    while (std::chrono::steady_clock::now() < until) {
      status = show(id).value("status", "");
      if (status == "ACTIVE" || status == "ERROR") break;
      std::this_thread::sleep_for(20ms);
    }
    if (status == "ACTIVE") ++active;
    if (status == "ERROR") ++error;
  }
  EXPECT_EQ(active, 6);
  EXPECT_EQ(error, 4);
  for (const auto& h : hosts()) EXPECT_LE(driver(h).list_instances()->size(), 2u) << h;
  Reply hypervisors = get("/v2.1/os-hypervisors/detail");
  for (const auto& hv : hypervisors.body["hypervisors"]) {
    EXPECT_LE(hv["memory_mb_used"].get<int>(), hv["memory_mb"].get<int>()) << hv.dump();
  }
}

}  // namespace
}  // namespace stratus::test
