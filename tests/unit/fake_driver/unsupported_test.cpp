// [driver.fake] unsupported: a fake host configured as a driver that lacks
// optional capabilities (the test double of issue #21): it does not declare
// them, and their operations answer kNotSupported as the SDK's defaults do.
#include <gtest/gtest.h>

#include <functional>

#include "fake_test_support.h"
#include "stratus/drivers/fake/fake_driver.h"

namespace stratus::drivers::fake {
namespace {

using sdk::StatusCode;
using namespace testing;  // fake_test_support.h

FakeDriver lacking(std::vector<std::string> names) {
  FakeDriverConfig c;
  c.unsupported = std::move(names);
  EXPECT_TRUE(c.validate().ok());
  return FakeDriver(c);
}

TEST(FakeUnsupported, IsReadAndChecked) {
  sdk::PluginConfig p("[driver.fake]");
  p.set("unsupported", std::vector<std::string>{"suspend", "pause"});
  auto c = FakeDriverConfig::from_plugin_config(p);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->lacks("suspend"));
  EXPECT_TRUE(c->lacks("pause"));
  EXPECT_FALSE(c->lacks("reboot"));

  p.set("unsupported", std::vector<std::string>{"teleport"});
  auto bad = FakeDriverConfig::from_plugin_config(p);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("no capability 'teleport' (known: reboot, power_off"), std::string::npos)
      << bad.status();
  p.set("unsupported", std::vector<std::string>{"pause", "pause"});
  EXPECT_NE(FakeDriverConfig::from_plugin_config(p).status().message().find("listed twice"), std::string::npos);
  p.set("unsupported", std::string("pause"));
  EXPECT_EQ(FakeDriverConfig::from_plugin_config(p).status().code(), StatusCode::kInvalidArgument) << "a list";
}

TEST(FakeUnsupported, EachCapabilityIsUndeclaredAndItsOperationsRefused) {
  using C = sdk::DriverCapabilities;
  struct Case {
    const char* name;
    bool C::*flag;
    std::function<sdk::Status(FakeDriver&, const sdk::Instance&)> op;
  };
  const std::vector<Case> cases = {
      {"reboot", &C::supports_reboot, [](FakeDriver& d, const sdk::Instance& i) {
         return reboot(d, i, sdk::RebootType::kSoft);
       }},
      {"power_off", &C::supports_power_off, [](FakeDriver& d, const sdk::Instance& i) { return power_off(d, i); }},
      {"pause", &C::supports_pause, [](FakeDriver& d, const sdk::Instance& i) { return pause(d, i); }},
      {"suspend", &C::supports_suspend, [](FakeDriver& d, const sdk::Instance& i) { return suspend(d, i); }},
      {"rebuild", &C::supports_rebuild, [](FakeDriver& d, const sdk::Instance& i) { return rebuild(d, i); }},
      {"console_output", &C::supports_console_output,
       [](FakeDriver& d, const sdk::Instance& i) { return console(d, i).status(); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    FakeDriver d = lacking({c.name});
    const C caps = d.capabilities();
    EXPECT_FALSE(caps.*(c.flag));
    EXPECT_TRUE(caps.supports_config_drive) << "only the named one is off";
    const sdk::Instance i = make_instance("u-" + std::string(c.name));
    ASSERT_TRUE(spawn(d, i).ok());
    const sdk::Status st = c.op(d, i);
    EXPECT_EQ(st.code(), StatusCode::kNotSupported) << st;
    EXPECT_EQ(state_of(d, i), sdk::PowerState::kRunning) << "nothing changed";
    // The same host with the capability does it.
    FakeDriver full = lacking({});
    ASSERT_TRUE(spawn(full, i).ok());
    EXPECT_TRUE(c.op(full, i).ok());
  }
}

TEST(FakeUnsupported, ConfigDriveKernelBootAndResourcesToo) {
  FakeDriver d = lacking({"config_drive", "direct_kernel_boot", "get_available_resource"});
  const auto caps = d.capabilities();
  EXPECT_FALSE(caps.supports_config_drive);
  EXPECT_FALSE(caps.supports_direct_kernel_boot);
  sdk::Instance with_drive = make_instance("u-cd");
  with_drive.config_drive = true;
  EXPECT_EQ(spawn(d, with_drive).code(), StatusCode::kNotSupported);
  sdk::ImageMeta kernel = image();
  kernel.properties["kernel_id"] = "k";
  EXPECT_EQ(spawn(d, make_instance("u-k"), kernel).code(), StatusCode::kNotSupported);
  EXPECT_TRUE(spawn(d, make_instance("u-plain")).ok());
  EXPECT_EQ(d.get_available_resource("fake-host").status().code(), StatusCode::kNotSupported);
}

}  // namespace
}  // namespace stratus::drivers::fake
