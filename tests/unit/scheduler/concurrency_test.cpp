// Several threads scheduling at once against one cache and one claimer: the
// claimer is the authority, so however the threads interleave, no node is
// ever claimed beyond its capacity and every slot is used.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "scheduler_test_support.h"

namespace stratus::core::scheduler {
namespace {

using testing::make_flavor;
using testing::make_spec;

class ConcurrentSchedulingTest : public testing::SchedulerFixture {};

TEST_F(ConcurrentSchedulingTest, FourThreadsNeverOverfillAHost) {
  // 3 hosts x 4 slots of 1024 MB; 4 threads ask for 4 x 12 = 48 instances.
  const std::vector<std::string> hosts = {"a", "b", "c"};
  for (const auto& h : hosts) add_host({.name = h, .memory_mb = 4096, .vcpus = 16});
  auto s = make_scheduler(testing::options(1));  // all threads go for the same best host: races
  ASSERT_NE(s, nullptr);

  std::atomic<int> placed{0};
  std::atomic<int> no_valid_host{0};
  std::atomic<int> other_errors{0};
  std::mutex mu;
  std::map<std::string, int> per_host;  // guarded by mu
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 12; ++i) {
        const std::string uuid = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto r = s->select_destinations(make_spec(make_flavor(1024)), {uuid});
        if (r.ok()) {
          ++placed;
          std::lock_guard lock(mu);
          ++per_host[r->front().destination.host];
        } else if (is_no_valid_host(r.status())) {
          ++no_valid_host;
        } else {
          ++other_errors;
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  EXPECT_EQ(other_errors.load(), 0);
  EXPECT_EQ(placed.load(), 12);  // every slot, and no more
  EXPECT_EQ(no_valid_host.load(), 48 - 12);
  EXPECT_EQ(claimer_.claim_count(), 12u);
  for (const auto& h : hosts) {
    EXPECT_EQ(per_host[h], 4) << h;
    EXPECT_EQ(claimer_.usage(h, h).memory_mb, 4096) << h;
    EXPECT_EQ(free_ram(h), 0) << h;  // the cache agrees with the claimer
    EXPECT_EQ(cache_.get(h, h)->instance_uuids.size(), 4u) << h;
  }
}

TEST_F(ConcurrentSchedulingTest, MultiInstanceRequestsAndReleasesFromFourThreads) {
  const std::vector<std::string> hosts = {"a", "b", "c", "d"};
  for (const auto& h : hosts) add_host({.name = h, .memory_mb = 8192, .vcpus = 8});
  auto s = make_scheduler(testing::options(2, 3, 1));
  ASSERT_NE(s, nullptr);

  std::atomic<int> other_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 25; ++round) {
        auto ids = testing::uuids("t" + std::to_string(t) + "r" + std::to_string(round), 3);
        auto r = s->select_destinations(make_spec(make_flavor(1024, 1)), ids);
        if (!r.ok()) {
          if (!is_no_valid_host(r.status())) ++other_errors;
          continue;
        }
        // Each node's claims stay within its inventory whatever the others do.
        for (const auto& h : hosts) {
          Usage u = claimer_.usage(h, h);
          EXPECT_LE(u.memory_mb, 8192);
          EXPECT_LE(u.vcpus, 8);
        }
        if (round % 2 == 0) {
          for (const auto& id : ids) EXPECT_TRUE(s->release(id).ok());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(other_errors.load(), 0);

  // What is left claimed is exactly what the cache shows as used.
  std::int64_t claimed = 0;
  for (const auto& h : hosts) {
    Usage u = claimer_.usage(h, h);
    EXPECT_LE(u.memory_mb, 8192);
    EXPECT_EQ(free_ram(h), 8192 - u.memory_mb) << h;
    EXPECT_EQ(static_cast<std::int64_t>(cache_.get(h, h)->instance_uuids.size()), u.instances) << h;
    claimed += u.instances;
  }
  EXPECT_EQ(static_cast<std::int64_t>(claimer_.claim_count()), claimed);
  EXPECT_GT(claimed, 0);
}

}  // namespace
}  // namespace stratus::core::scheduler
