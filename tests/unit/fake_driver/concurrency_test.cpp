// Many threads on one host, and many hosts in one process.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "fake_test_support.h"

namespace stratus::drivers::fake {
namespace {

using namespace testing;  // NOLINT: test helpers
using sdk::PowerState;
using sdk::StatusCode;

std::string uuid_for(int thread, int n) { return "t" + std::to_string(thread) + "-i" + std::to_string(n); }

TEST(FakeConcurrency, ConcurrentSpawnsAreAllRecorded) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  FakeDriver d;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kPerThread; ++n) {
        if (!spawn(d, make_instance(uuid_for(t, n))).ok()) ++failures;
        // Readers run concurrently with writers, as the contract allows.
        if (!d.list_instances().ok() || !d.get_available_resource("").ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto list = d.list_instances();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), static_cast<std::size_t>(kThreads * kPerThread));
  const std::set<std::string> unique(list->begin(), list->end());
  EXPECT_EQ(unique.size(), list->size());
  for (int t = 0; t < kThreads; ++t) {
    for (int n = 0; n < kPerThread; ++n) EXPECT_TRUE(unique.count(uuid_for(t, n))) << uuid_for(t, n);
  }
  auto r = d.get_available_resource("");
  EXPECT_EQ(r->running_vms, kThreads * kPerThread);
  EXPECT_EQ(r->vcpus_used, kThreads * kPerThread * 2);
}

TEST(FakeConcurrency, RacingSpawnsOfOneUuidCreateExactlyOneGuest) {
  FakeDriver d;
  std::atomic<int> created{0};
  std::atomic<int> already{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto s = spawn(d, make_instance("contested"));
      if (s.ok()) ++created;
      if (s.code() == StatusCode::kAlreadyExists) ++already;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(already.load(), 7);
  EXPECT_EQ(d.instance_count(), 1u);
}

TEST(FakeConcurrency, LifecyclesOnDifferentInstancesInParallel) {
  FakeDriver d;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 20; ++n) {
        const auto i = make_instance(uuid_for(t, n));
        for (const sdk::Status& s : {spawn(d, i), pause(d, i), unpause(d, i), suspend(d, i), resume(d, i),
                                     power_off(d, i), power_on(d, i), reboot(d, i, sdk::RebootType::kSoft)}) {
          if (!s.ok()) ++failures;
        }
        if (!console(d, i).ok()) ++failures;
        if (n % 2 == 0 && !destroy(d, i).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(d.instance_count(), 8u * 10u);
  const auto list = d.list_instances();
  ASSERT_TRUE(list.ok());
  for (const auto& uuid : *list) EXPECT_EQ(d.guest(uuid)->state, PowerState::kRunning) << uuid;
}

TEST(FakeConcurrency, ThousandHostsAreIndependent) {
  constexpr int kHosts = 1000;
  std::vector<std::unique_ptr<FakeDriver>> hosts;
  hosts.reserve(kHosts);
  for (int h = 0; h < kHosts; ++h) {
    sdk::PluginConfig p("[driver.fake]");
    p.set("host", "node-" + std::to_string(h));
    auto d = make_fake_driver_typed(p);
    ASSERT_TRUE(d.ok()) << d.status();
    hosts.push_back(std::move(d).value());
  }
  // The same uuid on every host is a different guest on each.
  const auto shared = make_instance("same-uuid");
  for (auto& d : hosts) ASSERT_TRUE(spawn(*d, shared).ok());
  ASSERT_TRUE(spawn(*hosts[7], make_instance("only-on-7")).ok());
  ASSERT_TRUE(pause(*hosts[3], shared).ok());
  ASSERT_TRUE(hosts[5]->inject_fault(FakeOperation::kListInstances, "fail:unavailable").ok());

  for (int h = 0; h < kHosts; ++h) {
    FakeDriver& d = *hosts[static_cast<std::size_t>(h)];
    EXPECT_EQ(d.host(), "node-" + std::to_string(h));
    EXPECT_EQ(state_of(d, shared), h == 3 ? PowerState::kPaused : PowerState::kRunning);
    auto list = d.list_instances();
    if (h == 5) {
      EXPECT_EQ(list.status().code(), StatusCode::kUnavailable);
      continue;
    }
    ASSERT_TRUE(list.ok());
    EXPECT_EQ(list->size(), h == 7 ? 2u : 1u) << "host " << h;
    EXPECT_EQ(d.get_available_resource("")->hypervisor_hostname, "node-" + std::to_string(h));
  }
  ASSERT_TRUE(destroy(*hosts[0], shared).ok());
  EXPECT_EQ(hosts[0]->instance_count(), 0u);
  EXPECT_EQ(hosts[1]->instance_count(), 1u);
}

TEST(FakeConcurrency, HostsServeThreadsInParallel) {
  constexpr int kHosts = 16;
  std::vector<std::unique_ptr<FakeDriver>> hosts;
  for (int h = 0; h < kHosts; ++h) hosts.push_back(std::make_unique<FakeDriver>());
  // One host parked in a long delay does not slow the others.
  ASSERT_TRUE(hosts[0]->inject_fault(FakeOperation::kGetAvailableResource, "delay:600000").ok());
  std::thread parked([&] { (void)hosts[0]->get_available_resource(""); });
  ASSERT_TRUE(wait_for_waiting_calls(*hosts[0], 1));
  std::vector<std::thread> threads;
  for (int h = 1; h < kHosts; ++h) {
    threads.emplace_back([&, h] {
      FakeDriver& d = *hosts[static_cast<std::size_t>(h)];
      for (int n = 0; n < 30; ++n) EXPECT_TRUE(spawn(d, make_instance(uuid_for(h, n))).ok());
    });
  }
  for (auto& th : threads) th.join();
  for (int h = 1; h < kHosts; ++h) EXPECT_EQ(hosts[static_cast<std::size_t>(h)]->instance_count(), 30u);
  hosts[0].reset();  // releases the parked call
  parked.join();
}

}  // namespace
}  // namespace stratus::drivers::fake
