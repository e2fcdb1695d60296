// The fake driver's snapshot (ABI 5): real image data in a file, the guest
// left as it was, and the states a real hypervisor refuses refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fake_test_support.h"

namespace stratus::drivers::fake {
namespace {

using namespace testing;  // NOLINT: test helpers
using sdk::PowerState;
using sdk::StatusCode;

class FakeSnapshot : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("fake-snapshot-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(FakeSnapshot, WritesTheGuestsDiskAndLeavesItRunning) {
  FakeDriver d;
  const auto i = make_instance("u1");
  ASSERT_TRUE(spawn(d, i).ok());
  const auto path = dir_ / "snap";
  ASSERT_TRUE(d.snapshot(ctx(), i, image("snap-image", "raw"), path.string()).ok());
  const std::string data = read_file(path);
  EXPECT_EQ(data.size(), 64u * 1024u);
  EXPECT_NE(data.find("instance u1"), std::string::npos);
  EXPECT_NE(data.find("booted from image-cirros"), std::string::npos);
  EXPECT_NE(data.find("snapshot snap-image"), std::string::npos);
  EXPECT_EQ(d.guest("u1")->state, PowerState::kRunning);
}

TEST_F(FakeSnapshot, ShutOffPausedAndSuspendedGuestsCanBeSnapshotted) {
  FakeDriver d;
  const auto a = make_instance("a");
  const auto b = make_instance("b");
  ASSERT_TRUE(spawn(d, a).ok());
  ASSERT_TRUE(spawn(d, b).ok());
  ASSERT_TRUE(power_off(d, a).ok());
  ASSERT_TRUE(d.pause(ctx(), b).ok());
  EXPECT_TRUE(d.snapshot(ctx(), a, image("ia"), (dir_ / "a").string()).ok());
  EXPECT_TRUE(d.snapshot(ctx(), b, image("ib"), (dir_ / "b").string()).ok());
  EXPECT_EQ(d.guest("a")->state, PowerState::kShutdown);
  EXPECT_EQ(d.guest("b")->state, PowerState::kPaused);
  const auto c = make_instance("c");
  ASSERT_TRUE(spawn(d, c).ok());
  ASSERT_TRUE(suspend(d, c).ok());
  EXPECT_TRUE(d.snapshot(ctx(), c, image("ic"), (dir_ / "c").string()).ok());
  EXPECT_EQ(d.guest("c")->state, PowerState::kSuspended);
}

TEST_F(FakeSnapshot, RefusesWhatARealHostRefusesAndWritesNothing) {
  FakeDriver d;
  const auto i = make_instance("s");
  const auto path = dir_ / "none";
  EXPECT_TRUE(d.snapshot(ctx(), i, image("x"), path.string()).is(StatusCode::kNotFound));
  ASSERT_TRUE(spawn(d, i).ok());
  ASSERT_TRUE(d.crash("s").ok());
  EXPECT_TRUE(d.snapshot(ctx(), i, image("x"), path.string()).is(StatusCode::kInvalidState));
  ASSERT_TRUE(power_on(d, i).ok());
  EXPECT_TRUE(d.snapshot(ctx(), i, image("x", "vhd"), path.string()).is(StatusCode::kInvalidArgument));
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(d.snapshot(ctx(), i, image("x"), (dir_ / "missing-dir" / "f").string()).is(StatusCode::kInternal));
}

}  // namespace
}  // namespace stratus::drivers::fake
