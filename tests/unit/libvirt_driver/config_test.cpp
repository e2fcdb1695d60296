// [driver.libvirt]: defaults, every key, unknown keys and bad values refused
// with the key's name, and the plugin factory.
#include <gtest/gtest.h>

#include "libvirt_test_support.h"
#include "stratus/drivers/libvirt/libvirt_config.h"

namespace stratus::drivers::libvirt::testing {
namespace {

using sdk::PluginConfig;
using sdk::StatusCode;

PluginConfig section() { return PluginConfig("[driver.libvirt]"); }

TEST(LibvirtConfig, EmptyTableGivesDefaults) {
  auto c = LibvirtConfig::from_plugin_config(section());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->uri, "qemu:///system");
  EXPECT_EQ(c->virt_type, "qemu") << "kvm is never the default";
  EXPECT_EQ(c->instances_path, "/var/lib/stratus/instances");
  EXPECT_EQ(c->image_cache_path(), "/var/lib/stratus/instances/_base");
  EXPECT_EQ(c->effective_cpu_mode(), "none");
  EXPECT_EQ(c->network_mode, NetworkMode::kBridge);
  EXPECT_TRUE(c->bridges.empty());
  EXPECT_EQ(c->graphics, "none");
  EXPECT_EQ(c->console_log_bytes, 102400);
  EXPECT_EQ(c->soft_reboot_timeout, std::chrono::seconds(120));
  EXPECT_EQ(c->clean_shutdown_timeout, std::chrono::seconds(60));
  EXPECT_FALSE(c->force_config_drive);
  EXPECT_EQ(c->genisoimage, "genisoimage");
  EXPECT_TRUE(LibvirtConfig{}.validate().ok());
}

TEST(LibvirtConfig, EveryKeyIsRead) {
  PluginConfig p = section();
  p.set("uri", std::string("qemu:///embed?root=/tmp/stratus-embed"));
  p.set("virt_type", std::string("kvm"));
  p.set("instances_path", std::string("/srv/instances"));
  p.set("images_path", std::string("/srv/cache"));
  p.set("image_source_path", std::string("/srv/images"));
  p.set("cpu_mode", std::string("custom"));
  p.set("cpu_model", std::string("Haswell"));
  p.set("network_mode", std::string("user"));
  p.set("bridges.private", std::string("br-private"));
  p.set("bridges.9f1c", std::string("br0"));
  p.set("graphics", std::string("vnc"));
  p.set("console_log_bytes", std::int64_t{4096});
  p.set("soft_reboot_timeout_s", std::int64_t{30});
  p.set("clean_shutdown_timeout_s", std::int64_t{10});
  p.set("state_poll_ms", std::int64_t{50});
  p.set("qemu_img", std::string("/usr/local/bin/qemu-img"));
  p.set("force_config_drive", true);
  p.set("genisoimage", std::string("/usr/local/bin/genisoimage"));
  auto c = LibvirtConfig::from_plugin_config(p);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->uri, "qemu:///embed?root=/tmp/stratus-embed");
  EXPECT_EQ(c->virt_type, "kvm");
  EXPECT_EQ(c->instances_path, "/srv/instances");
  EXPECT_EQ(c->image_cache_path(), "/srv/cache");
  EXPECT_EQ(c->image_source_path, "/srv/images");
  EXPECT_EQ(c->effective_cpu_mode(), "custom");
  EXPECT_EQ(c->cpu_model, "Haswell");
  EXPECT_EQ(c->network_mode, NetworkMode::kUser);
  EXPECT_EQ(c->bridges.at("private"), "br-private");
  EXPECT_EQ(c->bridges.at("9f1c"), "br0");
  EXPECT_EQ(c->graphics, "vnc");
  EXPECT_EQ(c->console_log_bytes, 4096);
  EXPECT_EQ(c->soft_reboot_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->clean_shutdown_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c->state_poll, std::chrono::milliseconds(50));
  EXPECT_EQ(c->qemu_img, "/usr/local/bin/qemu-img");
  EXPECT_TRUE(c->force_config_drive);
  EXPECT_EQ(c->genisoimage, "/usr/local/bin/genisoimage");
}

TEST(LibvirtConfig, ConfigDriveKeysAreChecked) {
  PluginConfig not_bool = section();
  not_bool.set("force_config_drive", std::string("yes"));
  auto c = LibvirtConfig::from_plugin_config(not_bool);
  ASSERT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("force_config_drive"), std::string::npos) << c.status();

  PluginConfig empty_program = section();
  empty_program.set("genisoimage", std::string(""));
  c = LibvirtConfig::from_plugin_config(empty_program);
  ASSERT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("genisoimage"), std::string::npos) << c.status();
}

TEST(LibvirtConfig, ImageCacheManagerKeys) {
  auto defaults = LibvirtConfig::from_plugin_config(section());
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->remove_unused_base_images);
  EXPECT_EQ(defaults->remove_unused_original_minimum_age.count(), 86400);  // Nova's defaults
  EXPECT_EQ(defaults->image_cache_manager_interval.count(), 2400);
  PluginConfig p = section();
  p.set("remove_unused_base_images", false);
  p.set("remove_unused_original_minimum_age_s", std::int64_t{30});
  p.set("image_cache_manager_interval_s", std::int64_t{5});
  auto c = LibvirtConfig::from_plugin_config(p);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->remove_unused_base_images);
  EXPECT_EQ(c->remove_unused_original_minimum_age.count(), 30);
  EXPECT_EQ(c->image_cache_manager_interval.count(), 5);
}

TEST(LibvirtConfig, KvmDefaultsToHostModel) {
  PluginConfig p = section();
  p.set("virt_type", std::string("kvm"));
  auto c = LibvirtConfig::from_plugin_config(p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->effective_cpu_mode(), "host-model");
}

// Each bad table, and the key its error must name.
TEST(LibvirtConfig, BadValuesNameTheirKey) {
  struct Bad {
    std::string key;
    sdk::ConfigValue value;
  };
  const Bad cases[] = {
      {"virt_type", std::string("xen")},
      {"virt_type", std::int64_t{1}},
      {"uri", std::string("")},
      {"instances_path", std::string("relative/path")},
      {"images_path", std::string("cache")},
      {"cpu_mode", std::string("host-everything")},
      {"cpu_mode", std::string("custom")},  // without cpu_model
      {"network_mode", std::string("ovs")},
      {"graphics", std::string("sdl")},
      {"console_log_bytes", std::int64_t{10}},
      {"console_log_bytes", std::string("big")},
      {"soft_reboot_timeout_s", std::int64_t{-1}},
      {"clean_shutdown_timeout_s", std::int64_t{100000}},
      {"state_poll_ms", std::int64_t{0}},
      {"bridges.private", std::string("a bridge name that is far too long")},
      {"bridges.private", std::int64_t{3}},
      {"remove_unused_base_images", std::string("yes")},
      {"remove_unused_original_minimum_age_s", std::int64_t{5}},
      {"image_cache_manager_interval_s", std::int64_t{0}},
  };
  for (const Bad& b : cases) {
    PluginConfig p = section();
    p.set(b.key, b.value, "/etc/stratus.toml:7");
    auto c = LibvirtConfig::from_plugin_config(p);
    ASSERT_FALSE(c.ok()) << b.key;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    const std::string& m = c.status().message();
    const std::string named = b.key == "cpu_mode" && std::holds_alternative<std::string>(b.value) &&
                                      std::get<std::string>(b.value) == "custom"
                                  ? "cpu_model"
                                  : b.key;
    EXPECT_NE(m.find("'" + named + "'"), std::string::npos) << m;
    EXPECT_NE(m.find("[driver.libvirt]"), std::string::npos) << m;
  }
}

TEST(LibvirtConfig, UnknownKeysAreRefusedByName) {
  PluginConfig p = section();
  p.set("virt_typo", std::string("kvm"), "/etc/stratus.toml:3");
  auto c = LibvirtConfig::from_plugin_config(p);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("'virt_typo'"), std::string::npos) << c.status();
  EXPECT_NE(c.status().message().find("/etc/stratus.toml:3"), std::string::npos) << c.status();
  EXPECT_NE(c.status().message().find("unknown key"), std::string::npos) << c.status();
}

TEST(LibvirtConfig, FactoryRefusesBadConfigAndBuildsAGoodOne) {
  PluginConfig bad = section();
  bad.set("nope", true);
  auto refused = make_libvirt_driver(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("'nope'"), std::string::npos);

  TempDir dir;
  PluginConfig good = section();
  good.set("uri", std::string("test:///default"));
  good.set("instances_path", (dir.path() / "instances").string());
  auto driver = make_libvirt_driver(good);
  ASSERT_TRUE(driver.ok()) << driver.status();
  ASSERT_TRUE((*driver)->init_host("compute-1").ok());
  EXPECT_TRUE(fs::is_directory(dir.path() / "instances")) << "init_host makes instances_path";
  EXPECT_TRUE((*driver)->list_instances().ok());
  EXPECT_TRUE((*driver)->cleanup_host("compute-1").ok());
}

TEST(LibvirtConfig, UnreachableUriIsUnavailable) {
  TempDir dir;
  PluginConfig p = section();
  p.set("uri", std::string("test:///" + (dir.path() / "no-such-node.xml").string()));
  p.set("instances_path", (dir.path() / "instances").string());
  auto driver = make_libvirt_driver(p);
  ASSERT_TRUE(driver.ok()) << "the factory does not connect";
  sdk::Status s = (*driver)->init_host("compute-1");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("no-such-node.xml"), std::string::npos) << s;
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
