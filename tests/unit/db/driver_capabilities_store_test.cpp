// Migration 13: compute_nodes.capabilities keeps what each node's virt driver
// last said it can do, for the API's checks and the schedulers' reloads.
#include <gtest/gtest.h>

#include "core/db/capabilities_codec.h"
#include "core/db/compute_node_repository.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using sdk::StatusCode;

class DriverCapabilitiesStore : public testing::DbTest {
 protected:
  static sdk::HostResources node(const std::string& name) {
    sdk::HostResources r;
    r.hypervisor_hostname = name;
    r.vcpus = 4;
    r.memory_mb = 4096;
    return r;
  }
};

TEST(CapabilitiesCodec, RoundTripsEveryFlagAndTheFormats) {
  sdk::DriverCapabilities c;
  c.supports_pause = true;
  c.supports_direct_kernel_boot = true;
  c.supported_image_formats = {"qcow2", "raw"};
  auto back = capabilities_from_json(capabilities_to_json(c));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->supports_pause);
  EXPECT_TRUE(back->supports_direct_kernel_boot);
  EXPECT_FALSE(back->supports_reboot);
  EXPECT_FALSE(back->supports_suspend);
  EXPECT_EQ(back->supported_image_formats, (std::vector<std::string>{"qcow2", "raw"}));
  // Each flag on its own comes back on its own.
  using C = sdk::DriverCapabilities;
  for (bool C::*flag : {&C::supports_reboot, &C::supports_power_off, &C::supports_pause, &C::supports_suspend,
                        &C::supports_rebuild, &C::supports_console_output, &C::supports_config_drive,
                        &C::supports_direct_kernel_boot}) {
    C one;
    one.*flag = true;
    auto got = capabilities_from_json(capabilities_to_json(one)).value();
    EXPECT_TRUE(got.*flag);
    EXPECT_EQ(capabilities_to_json(got), capabilities_to_json(one));
  }
}

TEST(CapabilitiesCodec, UnknownKeysAreIgnoredAndBadValuesRefused) {
  auto newer = capabilities_from_json(R"({"supports_reboot":true,"supports_teleport":true})");
  ASSERT_TRUE(newer.ok()) << newer.status();
  EXPECT_TRUE(newer->supports_reboot);
  EXPECT_EQ(capabilities_from_json("[1]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(capabilities_from_json("not json").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(capabilities_from_json(R"({"supports_reboot":"yes"})").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(capabilities_from_json(R"({"supported_image_formats":[1]})").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(DriverCapabilitiesStore, AReportRecordsThemAndOneWithoutKeepsThem) {
  ComputeNodeRepository repo(*db_);
  auto first = repo.upsert("h1", node("n1"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->capabilities) << "never reported: unknown";

  sdk::DriverCapabilities caps;
  caps.supports_reboot = true;
  caps.supported_image_formats = {"raw"};
  auto with = repo.upsert("h1", node("n1"), caps);
  ASSERT_TRUE(with.ok()) << with.status();
  ASSERT_TRUE(with->capabilities);
  EXPECT_TRUE(with->capabilities->supports_reboot);
  EXPECT_FALSE(with->capabilities->supports_suspend);

  auto kept = repo.upsert("h1", node("n1"));
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(kept->capabilities);
  EXPECT_EQ(kept->capabilities->supported_image_formats, std::vector<std::string>{"raw"});
  EXPECT_TRUE(repo.list(std::string("h1"))->front().capabilities->supports_reboot);

  caps.supports_reboot = false;
  ASSERT_TRUE(repo.upsert("h1", node("n1"), caps).ok());
  EXPECT_FALSE(repo.get("n1")->capabilities->supports_reboot) << "the last report wins";
}

TEST_F(DriverCapabilitiesStore, ANodeCreatedByItsFirstReportHasThemAtOnce) {
  sdk::DriverCapabilities caps;
  caps.supports_suspend = true;
  auto n = ComputeNodeRepository(*db_).upsert("h2", node("n2"), caps);
  ASSERT_TRUE(n.ok()) << n.status();
  ASSERT_TRUE(n->capabilities);
  EXPECT_TRUE(n->capabilities->supports_suspend);
}

}  // namespace
}  // namespace stratus::core::db
