#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "core/compute/build_pool.h"

namespace stratus::core::compute {
namespace {

using namespace std::chrono_literals;

// Jobs that block until released, counting how many run at once.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  int running = 0;
  int max_running = 0;
  int finished = 0;

  BuildPool::Job job(std::atomic<int>* cancelled = nullptr) {
    return BuildPool::Job{[this] {
                            std::unique_lock lock(mutex);
                            ++running;
                            max_running = std::max(max_running, running);
                            cv.notify_all();
                            cv.wait_for(lock, 10s, [this] { return open; });
                            --running;
                            ++finished;
                            cv.notify_all();
                          },
                          [cancelled] {
                            if (cancelled) cancelled->fetch_add(1);
                          }};
  }
  bool wait_running(int n) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, 10s, [&] { return running == n; });
  }
  bool wait_finished(int n) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, 10s, [&] { return finished == n; });
  }
  void release() {
    std::lock_guard lock(mutex);
    open = true;
    cv.notify_all();
  }
};

TEST(BuildPool, RunsAtMostItsThreadCountAtOnceAndQueuesTheRest) {
  Gate gate;
  BuildPool pool(2);
  pool.start();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool.submit(gate.job()));
  ASSERT_TRUE(gate.wait_running(2));
  EXPECT_EQ(pool.stats().running, 2u);
  EXPECT_EQ(pool.stats().queued, 3u);
  gate.release();
  ASSERT_TRUE(gate.wait_finished(5));
  EXPECT_EQ(gate.max_running, 2);
  EXPECT_TRUE(pool.wait_idle(std::chrono::steady_clock::now() + 10s));
  pool.join();
}

TEST(BuildPool, JobsSubmittedBeforeStartWaitForIt) {
  Gate gate;
  gate.release();
  BuildPool pool(1);
  ASSERT_TRUE(pool.submit(gate.job()));
  EXPECT_EQ(pool.stats().queued, 1u);
  EXPECT_EQ(gate.finished, 0);
  pool.start();
  ASSERT_TRUE(gate.wait_finished(1));
  pool.join();
}

TEST(BuildPool, CloseCancelsQueuedJobsAndRefusesNewOnes) {
  Gate gate;
  std::atomic<int> cancelled{0};
  BuildPool pool(1);
  pool.start();
  ASSERT_TRUE(pool.submit(gate.job(&cancelled)));
  ASSERT_TRUE(gate.wait_running(1));
  ASSERT_TRUE(pool.submit(gate.job(&cancelled)));
  ASSERT_TRUE(pool.submit(gate.job(&cancelled)));
  pool.close();
  EXPECT_EQ(cancelled.load(), 2);  // the running one is not cancelled
  EXPECT_FALSE(pool.submit(gate.job(&cancelled)));
  EXPECT_FALSE(pool.wait_idle(std::chrono::steady_clock::now() + 1ms));
  gate.release();
  pool.join();
  EXPECT_EQ(gate.finished, 1);
  EXPECT_EQ(pool.stats().running, 0u);
}

}  // namespace
}  // namespace stratus::core::compute
