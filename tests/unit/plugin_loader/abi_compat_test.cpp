// Plugins built for ABI 4 (tests/plugins/abi4): with ABI 4's own headers, and
// with today's headers for ABI 4 (STRATUS_SDK_TARGET_ABI). While this build
// accepts ABI 4 they load and read every value type intact; once the minimum
// has passed 4 they are refused by name, saying why. Never corrupted.
#include <algorithm>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "core/plugin/plugin_registry.h"

namespace stratus::core {
namespace {

namespace fs = std::filesystem;

fs::path abi4_lib(const std::string& name) {
  return fs::path(STRATUS_TEST_PLUGIN_DIR) / "abi4" / ("libtest_" + name + ".so");
}

constexpr bool kAbi4Accepted = sdk::kMinSupportedAbiVersion <= 4;

// An instance with fields set from the start to the end of each struct.
sdk::Instance full_instance() {
  sdk::Instance inst;
  inst.uuid = "0b5c8c36-0d3e-4a4b-9a53-6a0c3e2f1d10";
  inst.name = "instance-0000002a";
  inst.display_name = "web-1";
  inst.project_id = "p-1";
  inst.user_id = "u-1";
  inst.host = "h";
  inst.flavor.name = "m1.small";
  inst.flavor.vcpus = 2;
  inst.flavor.memory_mb = 2048;
  inst.flavor.extra_specs = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  inst.metadata = {{"k", "v"}};
  inst.key_name = "mykey";
  inst.config_drive = true;
  inst.power_state = sdk::PowerState::kRunning;
  return inst;
}

class Abi4Plugins : public ::testing::TestWithParam<std::string> {};

TEST_P(Abi4Plugins, DriverLoadsAndReadsEveryFieldOrIsRefusedByName) {
  const std::string prefix = GetParam();  // "abi4" or "target4"
  const fs::path file = abi4_lib(prefix + "_driver");
  if (prefix == "target4" && !kAbi4Accepted) GTEST_SKIP() << "today's headers cannot target a refused ABI";
  ASSERT_TRUE(fs::exists(file)) << file;
  PluginRegistry registry;
  auto refusals = registry.load_library(file);
  if (!kAbi4Accepted) {
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_EQ(refusals[0].plugin, prefix + "_driver");
    EXPECT_NE(refusals[0].reason.find("ABI mismatch: the plugin is older (built for ABI 4"), std::string::npos)
        << refusals[0].reason;
    EXPECT_TRUE(registry.list().empty());
    return;
  }
  ASSERT_TRUE(refusals.empty()) << refusals.front().to_string();
  auto info = registry.find(sdk::PluginKind::kVirtDriver, prefix + "_driver");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->abi_version, 4u);

  // create() must not call set_logger (ABI 5): an ABI 4 vtable has no such slot.
  auto driver = registry.create<sdk::VirtDriver>(prefix + "_driver", sdk::PluginConfig("[driver.x]"));
  ASSERT_TRUE(driver.ok()) << driver.status();
  auto& d = **driver;
  ASSERT_TRUE(d.init_host("h").ok());
  EXPECT_TRUE(d.capabilities().supports_console_output);
  EXPECT_TRUE(d.capabilities().supports_power_off);

  sdk::ImageMeta image;
  image.disk_format = "qcow2";
  sdk::NetworkInfo vifs(2);
  sdk::BlockDeviceInfo bdi;
  sdk::RequestContext ctx{"req-abi4", "u-1", "p-1", {"member"}};
  const sdk::Instance inst = full_instance();
  ASSERT_TRUE(d.spawn(ctx, inst, image, {}, "", vifs, bdi).ok());
  auto console = d.get_console_output(ctx, inst);
  ASSERT_TRUE(console.ok()) << console.status();
  EXPECT_EQ(*console,
            "request_id=req-abi4 uuid=0b5c8c36-0d3e-4a4b-9a53-6a0c3e2f1d10 name=web-1 project=p-1 flavor=m1.small "
            "vcpus=2 memory_mb=2048 extra_specs=3 metadata=1 key_name=mykey config_drive=1 power_state=1 "
            "image_format=qcow2 vifs=2 root=/dev/vda\n");
  auto state = d.get_info(inst);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, sdk::PowerState::kRunning);
  ASSERT_TRUE(d.power_off(ctx, inst, 0, 0).ok());
  EXPECT_EQ(d.get_info(inst)->state, sdk::PowerState::kShutdown);
  auto resources = d.get_available_resource("node-1");
  ASSERT_TRUE(resources.ok());
  EXPECT_EQ(resources->hypervisor_hostname, "node-1");
  EXPECT_EQ(resources->memory_mb, 16384);
  // A Status made by the plugin reads back intact (its layout is a value type too).
  sdk::Instance other = inst;
  other.uuid = "missing";
  auto missing = d.get_info(other);
  EXPECT_EQ(missing.status().code(), sdk::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "instance missing not found");
  ASSERT_TRUE(d.destroy(ctx, inst, vifs, bdi, true).ok());
  EXPECT_TRUE(d.list_instances()->empty());
}

TEST_P(Abi4Plugins, FilterLoadsAndReadsLateFieldsOrIsRefusedByName) {
  const std::string prefix = GetParam();
  const fs::path file = abi4_lib(prefix + "_filter");
  if (prefix == "target4" && !kAbi4Accepted) GTEST_SKIP() << "today's headers cannot target a refused ABI";
  PluginRegistry registry;
  auto refusals = registry.load_library(file);
  if (!kAbi4Accepted) {
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_EQ(refusals[0].plugin, prefix + "_filter");
    EXPECT_NE(refusals[0].reason.find("built for ABI 4"), std::string::npos) << refusals[0].reason;
    return;
  }
  ASSERT_TRUE(refusals.empty()) << refusals.front().to_string();
  auto filter = registry.create<sdk::SchedulerFilter>(prefix + "_filter", sdk::PluginConfig());
  ASSERT_TRUE(filter.ok()) << filter.status();

  sdk::HostState a;
  a.host = "a";
  a.free_ram_mb = 4096;
  sdk::HostState b = a;
  b.host = "b";
  b.aggregates = {{"fast", {}}, {"blocked", {{"k", "v"}}}};
  sdk::HostState c = a;
  c.host = "c";
  c.free_ram_mb = 1024;
  sdk::HostState d = a;
  d.host = "d";
  sdk::RequestSpec spec;
  spec.flavor.memory_mb = 2048;
  spec.ignore_hosts = {"d"};
  EXPECT_TRUE((*filter)->host_passes(a, spec));
  EXPECT_FALSE((*filter)->host_passes(b, spec));  // aggregate "blocked", the last field but one
  EXPECT_FALSE((*filter)->host_passes(c, spec));  // not enough RAM
  EXPECT_FALSE((*filter)->host_passes(d, spec));  // spec.ignore_hosts, RequestSpec's last field
  auto passed = (*filter)->filter_all({&a, &b, &c, &d}, spec);
  ASSERT_EQ(passed.size(), 1u);
  EXPECT_EQ(passed[0], &a);
}

INSTANTIATE_TEST_SUITE_P(BuiltFor4, Abi4Plugins, ::testing::Values("abi4", "target4"));

}  // namespace
}  // namespace stratus::core
