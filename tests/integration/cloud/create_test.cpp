// Creating servers over REST against three fake hosts, end to end.
#include <set>
#include <thread>

#include "cloud_fixture.h"

namespace stratus::test {
namespace {

TEST_F(CloudTest, OneServerGoesActiveWithAnAddressOnAHost) {
  const std::string id = create_server("web-1");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
  json s = show(id);
  EXPECT_EQ(s["name"], "web-1");
  EXPECT_EQ(s["OS-EXT-STS:vm_state"], "active");
  EXPECT_TRUE(s["OS-EXT-STS:task_state"].is_null());
  EXPECT_EQ(s["OS-EXT-STS:power_state"], 1);
  const std::string host = s.value("OS-EXT-SRV-ATTR:host", "");
  EXPECT_TRUE(std::set<std::string>(hosts().begin(), hosts().end()).count(host)) << host;
  ASSERT_TRUE(s["addresses"].contains("private")) << s["addresses"].dump();
  EXPECT_EQ(s["addresses"]["private"][0]["version"], 4);
  EXPECT_FALSE(s.value("OS-SRV-USG:launched_at", json()).is_null());
  // The guest really exists on that host's hypervisor.
  auto guests = driver(host).list_instances();
  ASSERT_TRUE(guests.ok());
  EXPECT_EQ(guests->size(), 1u);

  // The create action is recorded with the request id of the POST.
  Reply actions = get("/v2.1/servers/" + id + "/os-instance-actions");
  ASSERT_EQ(actions.status, 200) << actions.body.dump();
  ASSERT_FALSE(actions.body["instanceActions"].empty());
  EXPECT_EQ(actions.body["instanceActions"][0]["action"], "create");

  // Delete: the guest goes away, then the server.
  EXPECT_EQ(del("/v2.1/servers/" + id).status, 204);
  EXPECT_TRUE(wait_for_gone(id));
  guests = driver(host).list_instances();
  ASSERT_TRUE(guests.ok());
  EXPECT_TRUE(guests->empty());
}

TEST_F(CloudTest, FiftyServersInOneRequestAllGoActiveAcrossTheHosts) {
  Reply images = get("/v2.1/images");
  ASSERT_EQ(images.status, 200);
  json body = {{"server",
                {{"name", "batch"}, {"imageRef", images.body["images"][0]["id"]}, {"flavorRef", "1"},
                 {"min_count", 50}, {"max_count", 50}, {"return_reservation_id", true}}}};
  Reply r = post("/v2.1/servers", body);
  ASSERT_EQ(r.status, 202) << r.body.dump();
  const std::string reservation = r.body.value("reservation_id", "");
  ASSERT_FALSE(reservation.empty()) << r.body.dump();

  std::set<std::string> used_hosts;
  const auto until = std::chrono::steady_clock::now() + 60s;
  std::size_t active = 0;
  while (std::chrono::steady_clock::now() < until) {
    Reply list = get("/v2.1/servers/detail?reservation_id=" + reservation);
    ASSERT_EQ(list.status, 200);
    active = 0;
    used_hosts.clear();
    for (const auto& s : list.body["servers"]) {
      ASSERT_NE(s["status"], "ERROR") << s.dump();
      if (s["status"] == "ACTIVE") ++active;
      // null until the server is scheduled
      if (s["OS-EXT-SRV-ATTR:host"].is_string()) used_hosts.insert(s["OS-EXT-SRV-ATTR:host"].get<std::string>());
    }
    ASSERT_EQ(list.body["servers"].size(), 50u);
    if (active == 50) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(active, 50u);
  // The weighers spread 50 tiny servers over all three hosts.
  EXPECT_EQ(used_hosts.size(), 3u);
  std::size_t guests = 0;
  for (const auto& h : hosts()) guests += driver(h).list_instances()->size();
  EXPECT_EQ(guests, 50u);
}

TEST_F(CloudTest, BadBodiesAreRefusedAndWriteNothing) {
  Reply before = get("/v2.1/servers");
  ASSERT_EQ(before.status, 200);
  const json cases[] = {
      {{"server", {{"imageRef", "x"}, {"flavorRef", "1"}}}},                           // no name
      {{"server", {{"name", "a"}, {"imageRef", "x"}, {"flavorRef", "1"}}}},            // unknown image
      {{"server", {{"name", "a"}, {"flavorRef", "999"}, {"imageRef", "x"}}}},          // unknown flavor
      {{"server", {{"name", "a"}, {"flavorRef", "1"}, {"imageRef", "x"}, {"min_count", 0}}}},
      {{"srv", {}}},
  };
  for (const auto& body : cases) {
    Reply r = post("/v2.1/servers", body);
    EXPECT_EQ(r.status, 400) << body.dump() << " -> " << r.body.dump();
    ASSERT_TRUE(r.body.contains("badRequest")) << r.body.dump();
    EXPECT_FALSE(r.body["badRequest"].value("message", "").empty());
  }
  Reply after = get("/v2.1/servers");
  EXPECT_EQ(after.body["servers"].size(), before.body["servers"].size());
  EXPECT_EQ(get("/v2.1/servers/00000000-0000-0000-0000-000000000000").status, 404);
}

}  // namespace
}  // namespace stratus::test
