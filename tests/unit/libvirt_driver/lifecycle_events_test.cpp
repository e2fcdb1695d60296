// Domain lifecycle events: libvirt's test:///default emits them in this
// process (through the driver's event loop thread), and the driver hands them
// to the registered listener as SDK transitions, until it is unregistered.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "libvirt_test_support.h"

namespace stratus::drivers::libvirt::testing {
namespace {

using namespace std::chrono_literals;
using sdk::LifecycleTransition;

// Collects events from the event loop thread; waits are bounded.
class Recorder {
 public:
  sdk::LifecycleListener listener() {
    return [this](const sdk::LifecycleEvent& e) {
      std::lock_guard lock(mu_);
      events_.push_back(e);
      cv_.notify_all();
    };
  }
  bool wait_for(const std::string& uuid, LifecycleTransition t, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return count_locked(uuid, t) > 0; });
  }
  std::size_t count(const std::string& uuid, LifecycleTransition t) {
    std::lock_guard lock(mu_);
    return count_locked(uuid, t);
  }
  std::size_t total(const std::string& uuid) {
    std::lock_guard lock(mu_);
    return static_cast<std::size_t>(
        std::count_if(events_.begin(), events_.end(), [&](const auto& e) { return e.instance_uuid == uuid; }));
  }

 private:
  std::size_t count_locked(const std::string& uuid, LifecycleTransition t) const {
    return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(), [&](const auto& e) {
      return e.instance_uuid == uuid && e.transition == t;
    }));
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<sdk::LifecycleEvent> events_;
};

TEST(LibvirtEvents, PowerChangesReachTheListenerAsTransitions) {
  TestDriver t;
  Recorder r;
  ASSERT_TRUE(t.driver->init_host("events-host").ok());
  ASSERT_TRUE(t.driver->register_lifecycle_listener(r.listener()).ok());
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  EXPECT_TRUE(r.wait_for(i.uuid, LifecycleTransition::kStarted));
  ASSERT_TRUE(t.driver->pause(ctx(), i).ok());
  EXPECT_TRUE(r.wait_for(i.uuid, LifecycleTransition::kPaused));
  ASSERT_TRUE(t.driver->unpause(ctx(), i).ok());
  EXPECT_TRUE(r.wait_for(i.uuid, LifecycleTransition::kResumed));
  // Behind the driver's back, as a guest that powers itself off would.
  auto raw = t.raw();
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(raw->destroy(i.name).ok());
  EXPECT_TRUE(r.wait_for(i.uuid, LifecycleTransition::kStopped));
  ASSERT_TRUE(t.driver->register_lifecycle_listener({}).ok());
}

TEST(LibvirtEvents, NothingAfterTheListenerIsRemoved) {
  TestDriver t;
  Recorder r;
  ASSERT_TRUE(t.driver->init_host("events-host").ok());
  ASSERT_TRUE(t.driver->register_lifecycle_listener(r.listener()).ok());
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  ASSERT_TRUE(r.wait_for(i.uuid, LifecycleTransition::kStarted));
  ASSERT_TRUE(t.driver->register_lifecycle_listener({}).ok());
  const std::size_t before = r.total(i.uuid);
  ASSERT_TRUE(t.driver->power_off(ctx(), i, 0, 0).ok());
  // A second listener registered after the first was removed does get the
  // next event: it proves events still flow, so the first one's silence is real.
  Recorder second;
  ASSERT_TRUE(t.driver->register_lifecycle_listener(second.listener()).ok());
  ASSERT_TRUE(t.driver->power_on(ctx(), i, {}, {}).ok());
  EXPECT_TRUE(second.wait_for(i.uuid, LifecycleTransition::kStarted));
  EXPECT_EQ(r.total(i.uuid), before);
  ASSERT_TRUE(t.driver->register_lifecycle_listener({}).ok());
}

TEST(LibvirtEvents, ReRegisteredAfterAReconnect) {
  TestDriver t;
  Recorder r;
  ASSERT_TRUE(t.driver->init_host("events-host").ok());
  ASSERT_TRUE(t.driver->register_lifecycle_listener(r.listener()).ok());
  const auto opened = t.faults->connections_opened();
  t.faults->lose_connection();
  (void)t.driver->list_instances();  // notices the loss
  t.faults->restore_connection();
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  EXPECT_GT(t.faults->connections_opened(), opened) << "the spawn should have run on a new connection";
  EXPECT_TRUE(r.wait_for(i.uuid, LifecycleTransition::kStarted));
  ASSERT_TRUE(t.driver->register_lifecycle_listener({}).ok());
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
