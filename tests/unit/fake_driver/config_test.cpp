// [driver.fake]: defaults, types, ranges, unknown keys and fault keys, and the
// factory that the plugin exports.
#include <gtest/gtest.h>

#include "fake_test_support.h"
#include "stratus/drivers/fake/fake_driver.h"

namespace stratus::drivers::fake {
namespace {

using sdk::PluginConfig;
using sdk::StatusCode;

PluginConfig section() { return PluginConfig("[driver.fake]"); }

TEST(FakeConfig, EmptyTableGivesDefaults) {
  auto c = FakeDriverConfig::from_plugin_config(section());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "");
  EXPECT_EQ(c->vcpus, 16);
  EXPECT_EQ(c->memory_mb, 65536);
  EXPECT_EQ(c->local_gb, 1024);
  EXPECT_EQ(c->hypervisor_type, "fake");
  EXPECT_EQ(c->hypervisor_version, 1000000);
  EXPECT_EQ(c->cpu_arch, "x86_64");
  EXPECT_EQ(c->console_log_bytes, 102400);
  EXPECT_EQ(c->hang_timeout, std::chrono::milliseconds(300000));
  EXPECT_TRUE(c->allow_metadata_faults);
  for (const auto& f : c->faults) EXPECT_FALSE(f.has_value());
  EXPECT_TRUE(FakeDriverConfig{}.validate().ok());
}

TEST(FakeConfig, EveryKeyIsRead) {
  PluginConfig p = section();
  p.set("host", std::string("compute-7"));
  p.set("vcpus", std::int64_t{64});
  p.set("memory_mb", std::int64_t{262144});
  p.set("local_gb", std::int64_t{4000});
  p.set("hypervisor_type", std::string("QEMU"));
  p.set("hypervisor_version", std::int64_t{8002000});
  p.set("cpu_arch", std::string("aarch64"));
  p.set("console_log_bytes", std::int64_t{4096});
  p.set("hang_timeout_ms", std::int64_t{1500});
  p.set("allow_metadata_faults", false);
  p.set("fault.spawn", std::string("fail*1"));
  p.set("fault.get_available_resource", std::string("delay:5"));
  p.set("fault.pause", std::string("none"));
  auto c = FakeDriverConfig::from_plugin_config(p);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "compute-7");
  EXPECT_EQ(c->vcpus, 64);
  EXPECT_EQ(c->memory_mb, 262144);
  EXPECT_EQ(c->local_gb, 4000);
  EXPECT_EQ(c->hypervisor_type, "QEMU");
  EXPECT_EQ(c->hypervisor_version, 8002000);
  EXPECT_EQ(c->cpu_arch, "aarch64");
  EXPECT_EQ(c->console_log_bytes, 4096);
  EXPECT_EQ(c->hang_timeout, std::chrono::milliseconds(1500));
  EXPECT_FALSE(c->allow_metadata_faults);
  const auto& spawn_fault = c->faults[static_cast<std::size_t>(FakeOperation::kSpawn)];
  ASSERT_TRUE(spawn_fault.has_value());
  EXPECT_EQ(spawn_fault->to_string(), "fail*1");
  EXPECT_EQ(c->faults[static_cast<std::size_t>(FakeOperation::kGetAvailableResource)]->to_string(), "delay:5");
  EXPECT_FALSE(c->faults[static_cast<std::size_t>(FakeOperation::kPause)].has_value());
}

TEST(FakeConfig, UnknownKeyIsRefusedByName) {
  PluginConfig p = section();
  p.set("vcpu", std::int64_t{8}, "/etc/stratus.toml:12");
  auto c = FakeDriverConfig::from_plugin_config(p);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().message(), "key 'vcpu' in [driver.fake] (/etc/stratus.toml:12): unknown key");
}

TEST(FakeConfig, WrongTypesAreRefusedWithThePluginConfigMessage) {
  struct Case {
    const char* key;
    sdk::ConfigValue value;
    const char* expected;
  };
  const Case cases[] = {
      {"vcpus", std::string("16"), "expected integer, got string"},
      {"memory_mb", 1.5, "expected integer, got float"},
      {"host", std::int64_t{1}, "expected string, got integer"},
      {"allow_metadata_faults", std::string("yes"), "expected boolean, got string"},
      {"hypervisor_type", true, "expected string, got boolean"},
      {"fault.spawn", std::int64_t{1}, "expected string, got integer"},
      {"cpu_arch", std::vector<std::string>{"x86_64"}, "expected string, got array of strings"},
  };
  for (const Case& c : cases) {
    PluginConfig p = section();
    p.set(c.key, c.value, "stratus.toml:3");
    auto r = FakeDriverConfig::from_plugin_config(p);
    ASSERT_FALSE(r.ok()) << c.key;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              "key '" + std::string(c.key) + "' in [driver.fake] (stratus.toml:3): " + c.expected);
  }
}

TEST(FakeConfig, OutOfRangeValuesAreRefusedByName) {
  const std::pair<const char*, sdk::ConfigValue> cases[] = {
      {"vcpus", std::int64_t{0}},
      {"vcpus", std::int64_t{5'000'000'000}},
      {"memory_mb", std::int64_t{0}},
      {"local_gb", std::int64_t{-1}},
      {"hypervisor_version", std::int64_t{-3}},
      {"console_log_bytes", std::int64_t{100}},
      {"hang_timeout_ms", std::int64_t{0}},
      {"hypervisor_type", std::string("")},
      {"cpu_arch", std::string("")},
  };
  for (const auto& [key, value] : cases) {
    PluginConfig p = section();
    p.set(key, value);
    auto r = FakeDriverConfig::from_plugin_config(p);
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("key '" + std::string(key) + "' in [driver.fake]", 0), 0u)
        << r.status();
  }
}

TEST(FakeConfig, FaultKeyForUnknownOperationIsRefused) {
  PluginConfig p = section();
  p.set("fault.explode", std::string("fail"));
  auto r = FakeDriverConfig::from_plugin_config(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("key 'fault.explode'"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("no operation 'explode'"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("power_off"), std::string::npos) << "lists the known operations";
}

TEST(FakeConfig, MalformedFaultSpecNamesTheKey) {
  PluginConfig p = section();
  p.set("fault.reboot", std::string("fail*zero"), "stratus.toml:40");
  auto r = FakeDriverConfig::from_plugin_config(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("key 'fault.reboot' in [driver.fake] (stratus.toml:40): bad fault spec "
                                       "'fail*zero'",
                                       0),
            0u)
      << r.status();
}

TEST(FakeConfig, FactoryBuildsAHostOrRefuses) {
  PluginConfig good = section();
  good.set("host", std::string("node-1"));
  auto driver = make_fake_driver(good);
  ASSERT_TRUE(driver.ok()) << driver.status();
  ASSERT_NE(driver.value(), nullptr);
  auto resources = driver.value()->get_available_resource("node-1");
  ASSERT_TRUE(resources.ok());
  EXPECT_EQ(resources->hypervisor_hostname, "node-1");

  PluginConfig bad = section();
  bad.set("memory", std::int64_t{1});
  auto refused = make_fake_driver(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("'memory'"), std::string::npos);
}

TEST(FakeConfig, ConfigFaultIsActiveInTheHost) {
  PluginConfig p = section();
  p.set("fault.spawn", std::string("fail:unavailable*1"));
  auto driver = make_fake_driver_typed(p);
  ASSERT_TRUE(driver.ok()) << driver.status();
  FakeDriver& d = *driver.value();
  auto first = testing::spawn(d, testing::make_instance("cfg-1"));
  EXPECT_EQ(first.code(), StatusCode::kUnavailable);
  EXPECT_NE(first.message().find("config key 'fault.spawn'"), std::string::npos) << first;
  EXPECT_TRUE(testing::spawn(d, testing::make_instance("cfg-1")).ok());
}

TEST(FakeConfig, HostNameFromConfigThenInitHost) {
  FakeDriver unnamed;
  EXPECT_EQ(unnamed.host(), "fake-host");

  FakeDriverConfig c;
  c.host = "from-config";
  FakeDriver d(c);
  EXPECT_EQ(d.host(), "from-config");
  ASSERT_TRUE(d.init_host("").ok());
  EXPECT_EQ(d.host(), "from-config") << "an empty name keeps the configured one";
  ASSERT_TRUE(d.init_host("compute-3").ok());
  EXPECT_EQ(d.host(), "compute-3");
  ASSERT_TRUE(d.init_host("compute-3").ok()) << "init_host is idempotent";
  EXPECT_EQ(d.get_available_resource("compute-3")->hypervisor_hostname, "compute-3");
}

}  // namespace
}  // namespace stratus::drivers::fake
