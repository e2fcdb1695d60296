// Server actions end to end: each reaches the guest on its host and the
// state Nova shows, and each is refused (409) from the states Nova refuses.
#include <thread>

#include "cloud_fixture.h"

namespace stratus::test {
namespace {

TEST_F(CloudTest, EveryActionFromItsStatesAndRefusedFromOthers) {
  const std::string id = create_server("acts");
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));

  // ACTIVE: start and unpause and resume make no sense.
  EXPECT_EQ(action(id, {{"os-start", nullptr}}).status, 409);
  EXPECT_EQ(action(id, {{"unpause", nullptr}}).status, 409);
  EXPECT_EQ(action(id, {{"resume", nullptr}}).status, 409);

  ASSERT_EQ(action(id, {{"os-stop", nullptr}}).status, 202);
  ASSERT_TRUE(wait_for_status(id, "SHUTOFF"));
  EXPECT_EQ(show(id)["OS-EXT-STS:power_state"], 4);
  EXPECT_EQ(action(id, {{"os-stop", nullptr}}).status, 409);
  EXPECT_EQ(action(id, {{"pause", nullptr}}).status, 409);
  ASSERT_EQ(action(id, {{"os-start", nullptr}}).status, 202);
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));

  ASSERT_EQ(action(id, {{"reboot", {{"type", "SOFT"}}}}).status, 202);
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
  ASSERT_EQ(action(id, {{"reboot", {{"type", "HARD"}}}}).status, 202);
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
  EXPECT_EQ(action(id, {{"reboot", {{"type", "SIDEWAYS"}}}}).status, 400);

  ASSERT_EQ(action(id, {{"pause", nullptr}}).status, 202);
  ASSERT_TRUE(wait_for_status(id, "PAUSED"));
  EXPECT_EQ(action(id, {{"suspend", nullptr}}).status, 409);
  ASSERT_EQ(action(id, {{"unpause", nullptr}}).status, 202);
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));

  ASSERT_EQ(action(id, {{"suspend", nullptr}}).status, 202);
  ASSERT_TRUE(wait_for_status(id, "SUSPENDED"));
  EXPECT_EQ(show(id)["OS-EXT-STS:power_state"], 7);
  ASSERT_EQ(action(id, {{"resume", nullptr}}).status, 202);
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));

  Reply images = get("/v2.1/images");
  ASSERT_EQ(action(id, {{"rebuild", {{"imageRef", images.body["images"][0]["id"]}}}}).status, 202);
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));

  Reply console = action(id, {{"os-getConsoleOutput", {{"length", 5}}}});
  ASSERT_EQ(console.status, 200) << console.body.dump();
  EXPECT_TRUE(console.body["output"].is_string());
  EXPECT_FALSE(console.body["output"].get<std::string>().empty());

  // Every action is recorded, newest first.
  Reply actions = get("/v2.1/servers/" + id + "/os-instance-actions");
  ASSERT_EQ(actions.status, 200);
  std::vector<std::string> names;
  for (const auto& a : actions.body["instanceActions"]) names.push_back(a["action"]);
  for (const char* expected : {"create", "stop", "start", "reboot", "pause", "unpause", "suspend", "resume", "rebuild"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

TEST_F(CloudTest, AGuestThatDiesBehindOurBackIsShownShutOff) {
  const std::string id = create_server("crashy");
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
  const std::string host = show(id).value("OS-EXT-SRV-ATTR:host", "");
  sdk::Instance inst;
  inst.uuid = id;
  // The guest powers itself off (as `poweroff` inside it would).
  ASSERT_TRUE(driver(host).power_off(sdk::RequestContext{}, inst, 0, 0).ok());
  // The power-state sync notices: driver state wins, as in Nova.
  EXPECT_TRUE(wait_for_status(id, "SHUTOFF", 10s));
}

class ReclaimingCloudTest : public CloudTest {
 protected:
  void tweak(core::Config& config) override { config.compute.reclaim_instance_interval = 1.0; }
};

TEST_F(ReclaimingCloudTest, DeleteIsSoftRestorableThenReclaimed) {
  const std::string id = create_server("soft");
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
  const std::string host = show(id).value("OS-EXT-SRV-ATTR:host", "");

  ASSERT_EQ(del("/v2.1/servers/" + id).status, 204);
  ASSERT_TRUE(wait_for_status(id, "SOFT_DELETED"));
  EXPECT_EQ(action(id, {{"os-start", nullptr}}).status, 409);
  ASSERT_EQ(action(id, {{"restore", nullptr}}).status, 202);
  ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
  EXPECT_EQ(action(id, {{"restore", nullptr}}).status, 409);

  // Soft delete again and let the periodic task reclaim it.
  ASSERT_EQ(del("/v2.1/servers/" + id).status, 204);
  ASSERT_TRUE(wait_for_status(id, "SOFT_DELETED"));
  EXPECT_TRUE(wait_for_gone(id, 20s));
  EXPECT_TRUE(driver(host).list_instances()->empty());

  // forceDelete skips the wait.
  const std::string other = create_server("forced");
  ASSERT_TRUE(wait_for_status(other, "ACTIVE"));
  ASSERT_EQ(del("/v2.1/servers/" + other).status, 204);
  ASSERT_TRUE(wait_for_status(other, "SOFT_DELETED"));
  ASSERT_EQ(action(other, {{"forceDelete", nullptr}}).status, 202);
  EXPECT_TRUE(wait_for_gone(other, 10s));
}

}  // namespace
}  // namespace stratus::test
