// Issue #21: the scheduler only chooses hosts whose virt driver can do what
// the request needs (image disk format, direct kernel boot, config drive),
// forced hosts included, and names the need when no host is left.
#include "core/scheduler/driver_requirements.h"

#include <gtest/gtest.h>

#include "core/scheduler/filter_scheduler.h"
#include "scheduler_test_support.h"

namespace stratus::core::scheduler {
namespace {

using testing::make_flavor;
using testing::make_spec;

sdk::DriverCapabilities all_but(bool sdk::DriverCapabilities::*missing) {
  sdk::DriverCapabilities c;
  c.supports_reboot = c.supports_power_off = c.supports_pause = c.supports_suspend = true;
  c.supports_rebuild = c.supports_console_output = c.supports_config_drive = c.supports_direct_kernel_boot = true;
  if (missing != nullptr) c.*missing = false;
  return c;
}

TEST(DriverRequirements, EachNeedIsNamedWhenTheDriverLacksIt) {
  sdk::RequestSpec spec;
  spec.image.disk_format = "qcow2";
  EXPECT_FALSE(unmet_driver_requirement(sdk::DriverCapabilities{}, spec)) << "no formats listed: any";

  sdk::DriverCapabilities raw_only = all_but(nullptr);
  raw_only.supported_image_formats = {"raw"};
  EXPECT_EQ(unmet_driver_requirement(raw_only, spec), "image disk format 'qcow2'");
  spec.image.disk_format = "raw";
  EXPECT_FALSE(unmet_driver_requirement(raw_only, spec));

  sdk::RequestSpec kernel;
  kernel.image.properties["kernel_id"] = "k";
  EXPECT_EQ(unmet_driver_requirement(all_but(&sdk::DriverCapabilities::supports_direct_kernel_boot), kernel),
            "direct kernel boot");
  EXPECT_FALSE(unmet_driver_requirement(all_but(nullptr), kernel));

  sdk::RequestSpec drive;
  drive.image.properties["img_config_drive"] = "mandatory";
  EXPECT_EQ(unmet_driver_requirement(all_but(&sdk::DriverCapabilities::supports_config_drive), drive),
            "config drive");
  drive.image.properties["img_config_drive"] = "optional";
  EXPECT_FALSE(unmet_driver_requirement(all_but(&sdk::DriverCapabilities::supports_config_drive), drive));
}

class DriverRequirementsSchedulerTest : public testing::SchedulerFixture {
 protected:
  void add(const std::string& name, const sdk::DriverCapabilities& caps, std::int64_t memory_mb = 8192) {
    NodeReport r = testing::make_report({.name = name, .memory_mb = memory_mb});
    r.capabilities = caps;
    ASSERT_TRUE(cache_.update_from_report(r).ok());
    Inventory inv;
    inv.vcpus = 8;
    inv.memory_mb = memory_mb;
    inv.disk_gb = 100;
    claimer_.set_inventory(name, name, inv);
  }
  sdk::RequestSpec config_drive_spec() {
    sdk::RequestSpec spec = make_spec(make_flavor(512));
    spec.image.properties["img_config_drive"] = "mandatory";
    return spec;
  }
};

TEST_F(DriverRequirementsSchedulerTest, OnlyAHostWhoseDriverCanIsChosen) {
  // "big" would win on free RAM, but its driver has no config drive.
  add("big", all_but(&sdk::DriverCapabilities::supports_config_drive), 65536);
  add("small", all_but(nullptr), 4096);
  auto s = make_scheduler();
  ASSERT_NE(s, nullptr);
  for (int i = 0; i < 3; ++i) {
    auto r = s->select_destinations(config_drive_spec(), {"cd-" + std::to_string(i)});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->front().destination.host, "small");
  }
  // Without the need, the bigger host wins again.
  auto r = s->select_destinations(make_spec(make_flavor(512)), {"plain"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->front().destination.host, "big");
}

TEST_F(DriverRequirementsSchedulerTest, NoHostLeftNamesTheNeedAndForcedHostsAreNotExempt) {
  add("a", all_but(&sdk::DriverCapabilities::supports_config_drive));
  add("b", all_but(&sdk::DriverCapabilities::supports_config_drive));
  auto s = make_scheduler();
  ASSERT_NE(s, nullptr);
  auto r = s->select_destinations(config_drive_spec(), {"i-1"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is_no_valid_host(r.status())) << r.status();
  EXPECT_NE(r.status().message().find("Driver capabilities removed the last 2 hosts: no virt driver supports config "
                                      "drive"),
            std::string::npos)
      << r.status();

  sdk::RequestSpec forced = config_drive_spec();
  forced.force_hosts = {"a"};
  auto f = s->select_destinations(forced, {"i-2"});
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("config drive"), std::string::npos) << f.status();
  EXPECT_EQ(claimer_.usage("a", "a").memory_mb, 0) << "nothing claimed";
}

}  // namespace
}  // namespace stratus::core::scheduler
