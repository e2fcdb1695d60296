// The fake driver's rescue (ABI 7): the guest boots the rescue image and
// comes back to its own, in the states libvirt allows, refusable by
// `unsupported` and faultable, and a rescued guest stays rescued across a
// state file.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "fake_test_support.h"

namespace stratus::drivers::fake {
namespace {

using namespace testing;  // NOLINT: test helpers
using sdk::PowerState;
using sdk::StatusCode;

TEST(FakeRescue, BootsTheRescueImageAndUnrescueBootsTheGuestsOwn) {
  FakeDriver d;
  const auto i = make_instance("u1");
  ASSERT_TRUE(spawn(d, i).ok());
  const auto boots = d.guest("u1")->boot_count;
  ASSERT_TRUE(d.rescue(ctx(), i, {}, image("rescue-img"), "pw").ok());
  EXPECT_EQ(d.guest("u1")->rescue_image_id, "rescue-img");
  EXPECT_EQ(d.guest("u1")->state, PowerState::kRunning);
  EXPECT_EQ(d.guest("u1")->boot_count, boots + 1);
  EXPECT_NE(console(d, i)->find("rescue: booting image rescue-img"), std::string::npos);
  EXPECT_EQ(d.rescue(ctx(), i, {}, image("rescue-img"), "").code(), StatusCode::kInvalidState);
  ASSERT_TRUE(d.unrescue(ctx(), i, {}).ok());
  EXPECT_TRUE(d.guest("u1")->rescue_image_id.empty());
  EXPECT_EQ(d.guest("u1")->boot_count, boots + 2);
  EXPECT_EQ(d.unrescue(ctx(), i, {}).code(), StatusCode::kInvalidState);
  EXPECT_EQ(d.rescue(ctx(), make_instance("nope"), {}, image(), "").code(), StatusCode::kNotFound);
}

TEST(FakeRescue, FromShutdownYesFromPausedOrSuspendedNo) {
  FakeDriver d;
  const auto a = make_instance("a");
  const auto b = make_instance("b");
  const auto c = make_instance("c");
  for (const auto& i : {a, b, c}) ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(power_off(d, a).ok());
  ASSERT_TRUE(pause(d, b).ok());
  ASSERT_TRUE(suspend(d, c).ok());
  EXPECT_TRUE(d.rescue(ctx(), a, {}, image(), "").ok());
  EXPECT_EQ(d.guest("a")->state, PowerState::kRunning);
  EXPECT_EQ(d.rescue(ctx(), b, {}, image(), "").code(), StatusCode::kInvalidState);
  EXPECT_EQ(d.rescue(ctx(), c, {}, image(), "").code(), StatusCode::kInvalidState);
  EXPECT_TRUE(d.guest("b")->rescue_image_id.empty());
}

TEST(FakeRescue, UnsupportedAndFaults) {
  FakeDriverConfig c;
  c.unsupported = {"rescue"};
  ASSERT_TRUE(c.validate().ok());
  FakeDriver without(c);
  const auto i = make_instance("u1");
  ASSERT_TRUE(spawn(without, i).ok());
  EXPECT_EQ(without.rescue(ctx(), i, {}, image(), "").code(), StatusCode::kNotSupported);
  EXPECT_EQ(without.unrescue(ctx(), i, {}).code(), StatusCode::kNotSupported);

  FakeDriver d;
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(d.inject_fault(FakeOperation::kRescue, "fail*1").ok());
  EXPECT_FALSE(d.rescue(ctx(), i, {}, image("r"), "").ok());
  EXPECT_TRUE(d.guest("u1")->rescue_image_id.empty());
  EXPECT_TRUE(d.rescue(ctx(), i, {}, image("r"), "").ok());
}

TEST(FakeRescue, ARescuedGuestStaysRescuedInTheStateFile) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / ("fake-rescue-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  FakeDriverConfig c;
  c.state_file = (dir / "guests.json").string();
  const auto i = make_instance("u1");
  {
    FakeDriver d(c);
    ASSERT_TRUE(d.init_host("compute-1").ok());
    ASSERT_TRUE(spawn(d, i).ok());
    ASSERT_TRUE(d.rescue(ctx(), i, {}, image("rescue-img"), "").ok());
  }
  {
    FakeDriver d(c);
    ASSERT_TRUE(d.init_host("compute-1").ok());
    EXPECT_EQ(d.guest("u1")->rescue_image_id, "rescue-img");
    EXPECT_TRUE(d.unrescue(ctx(), i, {}).ok());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace stratus::drivers::fake
