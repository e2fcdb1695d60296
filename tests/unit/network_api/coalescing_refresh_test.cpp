// CoalescingSecurityGroupRefresh: refresh() returns at once; what is asked
// while a pass runs goes to the inner refresh merged, in one later pass; the
// destructor passes on what is still queued.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/network/coalescing_security_group_refresh.h"

namespace stratus::core::network {
namespace {

using namespace std::chrono_literals;

// Records each pass; holds the first one until released when asked to.
class Inner : public SecurityGroupRefresh {
 public:
  using SecurityGroupRefresh::refresh;
  void refresh(const std::string& request_id, const SecurityGroupChange& change) override {
    std::unique_lock lock(mu_);
    passes_.push_back({request_id, change});
    entered_.notify_all();
    released_cv_.wait(lock, [&] { return released_; });
    if (throw_next_) {
      throw_next_ = false;
      throw std::runtime_error("boom");
    }
  }
  void hold() {
    std::lock_guard lock(mu_);
    released_ = false;
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    released_cv_.notify_all();
  }
  bool wait_entered(std::size_t n) {
    std::unique_lock lock(mu_);
    return entered_.wait_for(lock, 5s, [&] { return passes_.size() >= n; });
  }
  void throw_next() {
    std::lock_guard lock(mu_);
    throw_next_ = true;
  }
  struct Pass {
    std::string request_id;
    SecurityGroupChange change;
  };
  std::vector<Pass> passes() {
    std::lock_guard lock(mu_);
    return passes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable entered_, released_cv_;
  bool released_ = true;
  bool throw_next_ = false;
  std::vector<Pass> passes_;
};

TEST(CoalescingSecurityGroupRefresh, PassesAChangeOnAtOnce) {
  Inner inner;
  CoalescingSecurityGroupRefresh refresh(inner, 10s);  // the pause comes after a pass, not before the first
  refresh.refresh("req-1", SecurityGroupChange{{"g-rules"}, {"g-members"}, {"i-1"}});
  ASSERT_TRUE(refresh.flush(5s));
  auto passes = inner.passes();
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].request_id, "req-1");
  EXPECT_EQ(passes[0].change.rules_changed, std::vector<std::string>{"g-rules"});
  EXPECT_EQ(passes[0].change.members_changed, std::vector<std::string>{"g-members"});
  EXPECT_EQ(passes[0].change.instances, std::vector<std::string>{"i-1"});
  // Nothing to do: no pass, and flush has nothing to wait for.
  refresh.refresh("req-2", SecurityGroupChange{});
  EXPECT_TRUE(refresh.flush(1s));
  EXPECT_EQ(refresh.passes(), 1u);
}

TEST(CoalescingSecurityGroupRefresh, ChangesDuringAPassMergeIntoTheNext) {
  Inner inner;
  CoalescingSecurityGroupRefresh refresh(inner, 0ms);
  inner.hold();
  refresh.refresh("req-0", SecurityGroupChange{{}, {"default"}, {}});
  ASSERT_TRUE(inner.wait_entered(1));  // the first pass runs, held
  for (int i = 1; i <= 20; ++i) {
    // The caller does not wait for the held pass.
    refresh.refresh("req-" + std::to_string(i),
                    SecurityGroupChange{{}, {i % 2 ? "default" : "web"}, {"i-" + std::to_string(i % 3)}});
  }
  EXPECT_FALSE(refresh.flush(50ms));
  inner.release();
  ASSERT_TRUE(refresh.flush(5s));
  auto passes = inner.passes();
  ASSERT_EQ(passes.size(), 2u);
  EXPECT_EQ(passes[1].request_id, "req-1");  // the first of those it covers
  EXPECT_EQ(passes[1].change.members_changed, (std::vector<std::string>{"default", "web"}));
  EXPECT_EQ(passes[1].change.instances, (std::vector<std::string>{"i-0", "i-1", "i-2"}));
  EXPECT_TRUE(passes[1].change.rules_changed.empty());
}

TEST(CoalescingSecurityGroupRefresh, AFailedPassDoesNotStopTheNext) {
  Inner inner;
  CoalescingSecurityGroupRefresh refresh(inner, 0ms);
  inner.throw_next();
  refresh.refresh("req-1", SecurityGroupChange{{"g"}, {}, {}});
  ASSERT_TRUE(refresh.flush(5s));
  refresh.refresh("req-2", SecurityGroupChange{{"g"}, {}, {}});
  ASSERT_TRUE(refresh.flush(5s));
  EXPECT_EQ(inner.passes().size(), 2u);
}

TEST(CoalescingSecurityGroupRefresh, StoppingPassesOnWhatIsQueued) {
  Inner inner;
  std::chrono::steady_clock::time_point stopping;
  {
    CoalescingSecurityGroupRefresh refresh(inner, 10s);
    refresh.refresh("req-1", SecurityGroupChange{{}, {}, {"i-1"}});
    ASSERT_TRUE(refresh.flush(5s));
    // Queued during the 10 s pause: the destructor does not wait it out.
    refresh.refresh("req-2", SecurityGroupChange{{}, {}, {"i-2"}});
    stopping = std::chrono::steady_clock::now();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 5s);
  auto passes = inner.passes();
  ASSERT_EQ(passes.size(), 2u);
  EXPECT_EQ(passes[1].change.instances, std::vector<std::string>{"i-2"});
}

}  // namespace
}  // namespace stratus::core::network
