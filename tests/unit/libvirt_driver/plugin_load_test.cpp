// The built plugin library loads through the registry, as `stratus` loads it:
// its descriptor is right, its factory reads [driver.libvirt] and refuses
// unknown keys by name, and the driver it makes works on test:///default.
#include <gtest/gtest.h>

#include "core/plugin/plugin_registry.h"
#include "libvirt_test_support.h"

namespace stratus::drivers::libvirt::testing {
namespace {

const fs::path kPlugin = fs::path(STRATUS_PLUGIN_DIR) / "libstratus_driver_libvirt.so";

TEST(LibvirtPlugin, LoadsThroughTheRegistry) {
  core::PluginRegistry registry;
  auto refusals = registry.load_library(kPlugin);
  ASSERT_TRUE(refusals.empty()) << refusals.front().to_string();
  auto found = registry.find(sdk::PluginKind::kVirtDriver, "libvirt");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->abi_version, sdk::kAbiVersion);
  EXPECT_EQ(found->path, kPlugin);
  EXPECT_FALSE(found->description.empty());

  sdk::PluginConfig typo("[driver.libvirt]");
  typo.set("virt_tpye", std::string("kvm"));
  auto refused = registry.create<sdk::VirtDriver>("libvirt", typo);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("virt_tpye"), std::string::npos) << refused.status();

  TempDir dir;
  sdk::PluginConfig config("[driver.libvirt]");
  config.set("uri", std::string("test:///default"));
  config.set("instances_path", (dir.path() / "instances").string());
  auto driver = registry.create<sdk::VirtDriver>("libvirt", config);
  ASSERT_TRUE(driver.ok()) << driver.status();
  ASSERT_TRUE((*driver)->init_host("compute-1").ok());
  EXPECT_TRUE((*driver)->capabilities().supports_suspend);
  auto resources = (*driver)->get_available_resource("compute-1");
  ASSERT_TRUE(resources.ok()) << resources.status();
  EXPECT_EQ(resources->hypervisor_type, "QEMU");
  sdk::Instance i = make_instance();
  EXPECT_EQ((*driver)->get_info(i).status().code(), sdk::StatusCode::kNotFound);
  EXPECT_TRUE((*driver)->cleanup_host("compute-1").ok());
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
