// A cloud whose compute hosts run a driver built against ABI 4's headers and
// whose scheduler runs a filter built the same way (tests/plugins/abi4): while
// this Stratus accepts ABI 4, servers boot on them, the driver reads the
// instance it was given intact, and the filter steers placement.
#include <set>

#include "cloud_fixture.h"

namespace stratus::test {
namespace {

class Abi4Cloud : public CloudTest {
 protected:
  void SetUp() override {
    if (sdk::kMinSupportedAbiVersion > 4) {
      GTEST_SKIP() << "this build refuses ABI 4 plugins (plugin_loader_test checks the refusal)";
    }
    CloudTest::SetUp();
  }
  int host_count() const override { return 2; }
  std::vector<std::filesystem::path> plugin_dirs() const override {
    return {STRATUS_PLUGIN_DIR, STRATUS_ABI4_PLUGIN_DIR};
  }
  void tweak(core::Config& config) override {
    config.compute.driver = "abi4_driver";
    config.scheduler.enabled_filters.push_back("abi4_filter");
  }
};

TEST_F(Abi4Cloud, ServersBootOnTheAbi4DriverAndItsFilterPlaces) {
  // The ABI 4 filter refuses hosts of an aggregate named "blocked".
  Reply agg = post("/v2.1/os-aggregates", {{"aggregate", {{"name", "blocked"}}}});
  ASSERT_EQ(agg.status, 200) << agg.body.dump();
  const auto agg_id = agg.body["aggregate"]["id"];
  Reply add = post("/v2.1/os-aggregates/" + agg_id.dump() + "/action", {{"add_host", {{"host", "host-1"}}}});
  ASSERT_EQ(add.status, 200) << add.body.dump();

  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const std::string id = create_server("abi4-" + std::to_string(i));
    ASSERT_FALSE(id.empty());
    ids.push_back(id);
  }
  for (const auto& id : ids) {
    ASSERT_TRUE(wait_for_status(id, "ACTIVE")) << show(id).dump();
    json s = show(id);
    EXPECT_EQ(s.value("OS-EXT-SRV-ATTR:host", ""), "host-2") << "the ABI 4 filter let a blocked host through";
    EXPECT_EQ(s["OS-EXT-STS:power_state"], 1);
  }

  // What the ABI 4 driver read from the Instance, ImageMeta, NetworkInfo and
  // BlockDeviceInfo the compute service handed it.
  Reply console = action(ids[0], {{"os-getConsoleOutput", json::object()}});
  ASSERT_EQ(console.status, 200) << console.body.dump();
  const std::string seen = console.body.value("output", "");
  EXPECT_NE(seen.find("uuid=" + ids[0] + " name=abi4-0 "), std::string::npos) << seen;
  EXPECT_NE(seen.find(" flavor=m1.tiny vcpus=1 memory_mb=512 "), std::string::npos) << seen;
  EXPECT_NE(seen.find(" vifs=1 root=/dev/vda"), std::string::npos) << seen;
  EXPECT_NE(seen.find("request_id=req-"), std::string::npos) << seen;

  // Stop through the driver (ABI 1's power_off), then delete.
  ASSERT_EQ(action(ids[0], {{"os-stop", nullptr}}).status, 202);
  EXPECT_TRUE(wait_for_status(ids[0], "SHUTOFF"));
  for (const auto& id : ids) EXPECT_EQ(del("/v2.1/servers/" + id).status, 204);
  for (const auto& id : ids) EXPECT_TRUE(wait_for_gone(id));
}

}  // namespace
}  // namespace stratus::test
