// The fake host writes its spawns, destroys and their failures through the
// SDK logger it is given (ABI 5), with the request id of each call.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fake_test_support.h"

namespace stratus::drivers::fake {
namespace {

using namespace testing;  // NOLINT: test helpers

class RecordingLogger : public sdk::Logger {
 public:
  bool enabled(sdk::LogLevel) const noexcept override { return true; }
  void write(sdk::LogLevel level, std::string_view request_id, std::string_view message) noexcept override {
    std::lock_guard lock(mu_);
    lines_.push_back(std::to_string(static_cast<int>(level)) + " [" + std::string(request_id) + "] " +
                     std::string(message));
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST(FakeDriverLogging, SpawnDestroyAndFailuresGoToTheLoggerWithTheRequestId) {
  FakeDriver d;
  auto logger = std::make_shared<RecordingLogger>();
  d.set_logger(logger);
  ASSERT_TRUE(d.init_host("fake-1").ok());
  const sdk::Instance inst = make_instance("i-1");
  ASSERT_TRUE(spawn(d, inst).ok());
  EXPECT_EQ(spawn(d, inst).code(), sdk::StatusCode::kAlreadyExists);
  ASSERT_TRUE(destroy(d, inst).ok());
  const auto lines = logger->lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "1 [req-test] spawned instance i-1 (flavor " + inst.flavor.name + ")");
  EXPECT_EQ(lines[1].rfind("3 [req-test] spawn of instance i-1 failed: ", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2], "1 [req-test] destroyed instance i-1");
}

TEST(FakeDriverLogging, WithoutALoggerNothingIsWrittenAndNothingFails) {
  FakeDriver d;
  d.set_logger(nullptr);  // ignored: the NullLogger stays
  ASSERT_TRUE(d.init_host("fake-1").ok());
  EXPECT_TRUE(spawn(d, make_instance("i-2")).ok());
}

}  // namespace
}  // namespace stratus::drivers::fake
