// The fake driver's ABI 6 operations: port hot-plug (the guest's
// network_info grows and shrinks, in the power states libvirt allows) and
// crash dumps (an NMI counted, the guest still running), each refusable by
// `unsupported` and faultable like any other operation.
#include <gtest/gtest.h>

#include "fake_test_support.h"

namespace stratus::drivers::fake {
namespace {

using namespace testing;  // NOLINT: test helpers
using sdk::PowerState;
using sdk::StatusCode;

sdk::Vif vif(const std::string& id, const std::string& mac) {
  sdk::Vif v;
  v.id = id;
  v.address = mac;
  v.network_id = "net-1";
  v.fixed_ips = {"10.0.0.5"};
  return v;
}

TEST(FakeInterfaces, AttachAndDetachChangeTheGuestsInterfaces) {
  FakeDriver d;
  const auto i = make_instance("u1");
  ASSERT_TRUE(spawn(d, i).ok());
  const std::size_t booted_with = d.guest("u1")->network_info.size();
  ASSERT_TRUE(d.attach_interface(ctx(), i, vif("p1", "fa:16:3e:00:00:01")).ok());
  auto nics = d.guest("u1")->network_info;
  ASSERT_EQ(nics.size(), booted_with + 1);
  EXPECT_EQ(nics.back().id, "p1");
  EXPECT_NE(console(d, i)->find("interface fa:16:3e:00:00:01 plugged"), std::string::npos);

  // The same port twice is refused, as a real hypervisor refuses a MAC twice.
  EXPECT_EQ(d.attach_interface(ctx(), i, vif("p1", "fa:16:3e:00:00:01")).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(d.detach_interface(ctx(), i, vif("p1", "fa:16:3e:00:00:01")).ok());
  EXPECT_EQ(d.guest("u1")->network_info.size(), booted_with);
  EXPECT_EQ(d.detach_interface(ctx(), i, vif("p1", "fa:16:3e:00:00:01")).code(), StatusCode::kNotFound);
  EXPECT_EQ(d.attach_interface(ctx(), make_instance("nope"), vif("p2", "fa:16:3e:00:00:02")).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(d.guest("u1")->state, PowerState::kRunning);
}

TEST(FakeInterfaces, PausedAndShutOffGuestsTakePortsSuspendedOnesDoNot) {
  FakeDriver d;
  const auto a = make_instance("a");
  const auto b = make_instance("b");
  const auto c = make_instance("c");
  for (const auto& i : {a, b, c}) ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(pause(d, a).ok());
  ASSERT_TRUE(power_off(d, b).ok());
  ASSERT_TRUE(suspend(d, c).ok());
  EXPECT_TRUE(d.attach_interface(ctx(), a, vif("pa", "fa:16:3e:00:00:0a")).ok());
  EXPECT_TRUE(d.attach_interface(ctx(), b, vif("pb", "fa:16:3e:00:00:0b")).ok());
  EXPECT_EQ(d.attach_interface(ctx(), c, vif("pc", "fa:16:3e:00:00:0c")).code(), StatusCode::kInvalidState);
  EXPECT_EQ(d.guest("c")->network_info.size(), 0u);
}

TEST(FakeInterfaces, CrashDumpNeedsARunningGuestAndLeavesItRunning) {
  FakeDriver d;
  const auto i = make_instance("u1");
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(d.trigger_crash_dump(ctx(), i).ok());
  EXPECT_EQ(d.guest("u1")->crash_dumps, 1u);
  EXPECT_EQ(d.guest("u1")->state, PowerState::kRunning);
  EXPECT_NE(console(d, i)->find("NMI received"), std::string::npos);
  ASSERT_TRUE(power_off(d, i).ok());
  EXPECT_EQ(d.trigger_crash_dump(ctx(), i).code(), StatusCode::kInvalidState);
  EXPECT_EQ(d.guest("u1")->crash_dumps, 1u);
  EXPECT_EQ(d.trigger_crash_dump(ctx(), make_instance("nope")).code(), StatusCode::kNotFound);
}

TEST(FakeInterfaces, AHostWithoutThemAnswersNotSupported) {
  FakeDriverConfig c;
  c.unsupported = {"attach_interface", "trigger_crash_dump"};
  ASSERT_TRUE(c.validate().ok());
  FakeDriver d(c);
  const auto i = make_instance("u1");
  ASSERT_TRUE(spawn(d, i).ok());
  EXPECT_EQ(d.attach_interface(ctx(), i, vif("p1", "fa:16:3e:00:00:01")).code(), StatusCode::kNotSupported);
  EXPECT_EQ(d.detach_interface(ctx(), i, vif("p1", "fa:16:3e:00:00:01")).code(), StatusCode::kNotSupported);
  EXPECT_EQ(d.trigger_crash_dump(ctx(), i).code(), StatusCode::kNotSupported);
  EXPECT_EQ(d.guest("u1")->crash_dumps, 0u);
}

TEST(FakeInterfaces, FaultsApplyAndChangeNothing) {
  FakeDriver d;
  const auto i = make_instance("u1");
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kAttachInterface, "fail*1").ok());
  EXPECT_FALSE(d.attach_interface(ctx(), i, vif("p1", "fa:16:3e:00:00:01")).ok());
  EXPECT_EQ(d.guest("u1")->network_info.size(), 0u);
  EXPECT_TRUE(d.attach_interface(ctx(), i, vif("p1", "fa:16:3e:00:00:01")).ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kTriggerCrashDump, "fail").ok());
  EXPECT_FALSE(d.trigger_crash_dump(ctx(), i).ok());
  EXPECT_EQ(d.guest("u1")->crash_dumps, 0u);
}

}  // namespace
}  // namespace stratus::drivers::fake
