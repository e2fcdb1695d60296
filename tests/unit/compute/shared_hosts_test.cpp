// The machinery the compute hosts of one process share (the fake hosts of
// `aio --fake-hosts N`): the PeriodicTimer that runs every host's periodic
// tasks on one thread, the ReportBatcher that sends their heartbeats and
// reports together (and falls back to one message per host before a 1.2
// conductor), and several ComputeManagers on one endpoint.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "compute_test_support.h"
#include "core/compute/build_pool.h"
#include "core/compute/periodic_timer.h"
#include "core/compute/report_batcher.h"

namespace stratus::core::compute::testing {
namespace {

using Clock = PeriodicTimer::Clock;

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5s) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

TEST(PeriodicTimerTest, RunsEveryClientOnOneThreadAtItsOwnTimes) {
  PeriodicTimer timer("test");
  std::mutex mu;
  std::vector<int> order;
  std::set<std::thread::id> threads;
  std::atomic<int> runs_a{0}, runs_b{0};
  const auto now = Clock::now();
  // b is due before a; a repeats every 10 ms, b never again (an hour).
  timer.add(
      [&](Clock::time_point at) {
        std::lock_guard lock(mu);
        order.push_back(1);
        threads.insert(std::this_thread::get_id());
        ++runs_a;
        return at + 10ms;
      },
      now + 30ms);
  timer.add(
      [&](Clock::time_point at) {
        std::lock_guard lock(mu);
        order.push_back(2);
        threads.insert(std::this_thread::get_id());
        ++runs_b;
        return at + 1h;
      },
      now + 5ms);
  ASSERT_TRUE(eventually([&] { return runs_a >= 3; }));
  timer.stop();
  std::lock_guard lock(mu);
  EXPECT_EQ(order.front(), 2);
  EXPECT_EQ(runs_b, 1);
  EXPECT_EQ(threads.size(), 1u);
  EXPECT_EQ(timer.size(), 0u);
}

TEST(PeriodicTimerTest, WakeRunsAClientEarlyAndRemoveStopsIt) {
  PeriodicTimer timer("test");
  std::atomic<int> runs{0};
  const auto id = timer.add(
      [&](Clock::time_point at) {
        ++runs;
        return at + 1h;
      },
      Clock::now() + 1h);
  ASSERT_NE(id, 0u);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(runs, 0);
  timer.wake(id);
  ASSERT_TRUE(eventually([&] { return runs == 1; }));
  timer.remove(id);
  timer.wake(id);  // unknown now: nothing
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(timer.size(), 0u);
}

TEST(PeriodicTimerTest, RemoveWaitsForARunningTask) {
  PeriodicTimer timer("test");
  std::atomic<bool> inside{false}, finished{false};
  const auto id = timer.add(
      [&](Clock::time_point at) {
        inside = true;
        std::this_thread::sleep_for(50ms);
        finished = true;
        return at;
      },
      Clock::now());
  ASSERT_TRUE(eventually([&] { return inside.load(); }));
  timer.remove(id);
  EXPECT_TRUE(finished);
}

TEST(PeriodicTimerTest, AddAfterStopIsRefused) {
  PeriodicTimer timer("test");
  timer.stop();
  EXPECT_EQ(timer.add([](Clock::time_point at) { return at; }, Clock::now()), 0u);
}

// A router and a test-double conductor; `with_batches` false: RPC 1.1.
class BatcherTest : public ComputeTest {
 protected:
  void SetUp() override {
    ComputeTest::SetUp();
    client_ep_ = make_endpoint("hosts");
    ASSERT_TRUE(client_ep_->start().ok());
    ASSERT_TRUE(client_ep_->wait_registered(5s));
    conductor_ = std::make_unique<rpcapi::ConductorRpcApi>(*client_ep_, 5000ms);
  }
  void TearDown() override {
    if (client_ep_) client_ep_->stop();
    ComputeTest::TearDown();
  }
  static rpcapi::ServiceMsg service(const std::string& host) {
    return {host, std::string(rpcapi::kComputeBinary), std::string(rpcapi::kComputeTopic), false, "1.4"};
  }
  static rpcapi::NodeReportMsg report(const std::string& host) {
    rpcapi::NodeReportMsg r;
    r.host = host;
    r.resources.vcpus = 8;
    r.resources.memory_mb = 4096;
    return r;
  }
  std::unique_ptr<rpc::Endpoint> client_ep_;
  std::unique_ptr<rpcapi::ConductorRpcApi> conductor_;
};

TEST_F(BatcherTest, SendsManyHostsInFewMessagesAndSaysWhichWereHeard) {
  ReportBatcher batcher(*conductor_, ReportBatcher::Options{2, 5000ms});
  std::mutex mu;
  std::map<std::string, bool> heard;
  auto told = [&](std::string host) {
    return [&, host](bool ok) {
      std::lock_guard lock(mu);
      heard[host] = ok;
    };
  };
  fake_.refuse_reports_of("h3");
  for (const char* h : {"h1", "h2", "h3"}) batcher.report(report(h), told(h));
  batcher.report(report("h1"), told("h1"));  // replaces the queued one of h1
  for (const char* h : {"h1", "h2", "h3", "h4", "h5"}) batcher.heartbeat(service(h));
  EXPECT_EQ(batcher.queued(), 8u);
  EXPECT_EQ(batcher.flush(), 8u);
  EXPECT_EQ(batcher.queued(), 0u);
  EXPECT_TRUE(batcher.batching());
  // Three reports in batches of two: two calls; five heartbeats: three casts.
  EXPECT_EQ(fake_.report_batches(), 2u);
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.heartbeats().size() == 5; }));
  EXPECT_EQ(fake_.heartbeat_batches(), 3u);
  EXPECT_EQ(fake_.reports().size(), 2u);
  std::lock_guard lock(mu);
  EXPECT_TRUE(heard["h1"]);
  EXPECT_TRUE(heard["h2"]);
  EXPECT_FALSE(heard["h3"]);
}

TEST_F(BatcherTest, AnOlderConductorGetsOneMessagePerHost) {
  // A second conductor endpoint of RPC 1.1 replaces the 1.2 one.
  conductor_ep_->stop();
  FakeConductor old_conductor;
  auto old_ep = make_endpoint("old-conductor");
  ASSERT_TRUE(old_ep->serve(std::string(rpcapi::kConductorTopic), "old", old_conductor.dispatcher(false)).ok());
  ASSERT_TRUE(old_ep->start().ok());
  ASSERT_TRUE(old_ep->wait_registered(5s));
  ReportBatcher batcher(*conductor_, ReportBatcher::Options{100, 5000ms});
  std::atomic<int> heard{0};
  batcher.report(report("h1"), [&](bool ok) { heard += ok ? 1 : 0; });
  batcher.report(report("h2"), [&](bool ok) { heard += ok ? 1 : 0; });
  batcher.heartbeat(service("h1"));
  batcher.flush();
  EXPECT_FALSE(batcher.batching());
  EXPECT_EQ(heard, 2);
  EXPECT_EQ(old_conductor.reports().size(), 2u);
  ASSERT_TRUE(old_conductor.wait_for([&] { return old_conductor.heartbeats().size() == 1; }));
  EXPECT_EQ(old_conductor.report_batches(), 0u);
  old_ep->stop();
}

TEST_F(BatcherTest, ACapBelowTheBatchesSendsPerHostFromTheStart) {
  rpcapi::ConductorRpcApi capped(*client_ep_, 5000ms, rpcapi::fixed_cap("1.1"));
  ReportBatcher batcher(capped, ReportBatcher::Options{100, 5000ms});
  EXPECT_FALSE(batcher.batching());
  batcher.heartbeat(service("h1"));
  batcher.report(report("h1"), nullptr);
  batcher.flush();
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.heartbeats().size() == 1 && fake_.reports().size() == 1; }));
  EXPECT_EQ(fake_.report_batches(), 0u);
  EXPECT_EQ(fake_.heartbeat_batches(), 0u);
}

// Three hosts on one endpoint, one build pool, one timer and one batcher,
// as Node runs the fake hosts of one process.
TEST_F(BatcherTest, HostsSharingOneEndpointEachServeTheirOwnTopic) {
  auto shared_ep = make_endpoint("compute-hosts");
  rpcapi::ConductorRpcApi to_conductor(*shared_ep, 5000ms);
  ComputeOptions o = quiet_options();
  o.heartbeat_interval = 50ms;
  o.build_pool = std::make_shared<BuildPool>(4);
  o.periodic_timer = std::make_shared<PeriodicTimer>("hosts");
  o.report_batcher = std::make_shared<ReportBatcher>(to_conductor, ReportBatcher::Options{});
  o.periodic_timer->add(
      [batcher = o.report_batcher.get()](Clock::time_point at) {
        batcher->flush();
        return at + 20ms;
      },
      Clock::now());
  const std::vector<std::string> hosts = {"shared-1", "shared-2", "shared-3"};
  std::vector<std::shared_ptr<drivers::fake::FakeDriver>> drivers;
  std::vector<std::unique_ptr<ComputeManager>> managers;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    drivers.push_back(std::make_shared<drivers::fake::FakeDriver>(drivers::fake::FakeDriverConfig{}));
    auto options = o;
    options.periodic_phase = static_cast<double>(i + 1) / static_cast<double>(hosts.size());
    managers.push_back(std::make_unique<ComputeManager>(hosts[i], drivers.back(), to_conductor, options));
    ASSERT_TRUE(managers.back()->register_on(*shared_ep).ok());
  }
  // The same host twice on one endpoint is refused.
  ComputeManager twin(hosts[0], drivers[0], to_conductor, o);
  EXPECT_FALSE(twin.register_on(*shared_ep).ok());
  ASSERT_TRUE(shared_ep->start().ok());
  ASSERT_TRUE(shared_ep->wait_registered(5s));
  for (auto& m : managers) ASSERT_TRUE(m->start().ok());
  // The first reports are heard through a batch; heartbeats follow, batched.
  ASSERT_TRUE(eventually([&] {
    return std::all_of(managers.begin(), managers.end(), [](const auto& m) { return m->report_heard(); });
  }));
  EXPECT_GE(fake_.report_batches(), 1u);
  ASSERT_TRUE(fake_.wait_for([&] { return fake_.heartbeats().size() >= 3 * hosts.size(); }));
  EXPECT_GE(fake_.heartbeat_batches(), 1u);
  // A build cast to each host lands on that host's driver.
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    InstanceMsg msg = instance("uuid-" + hosts[i]);
    msg.instance.host = hosts[i];
    msg.instance.node = hosts[i];
    fake_.put(msg);
    auto request = build_request(msg);
    ASSERT_TRUE(compute_api_->build_and_run_instance(ctx("req-" + hosts[i]), hosts[i], request).ok());
  }
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    ASSERT_TRUE(wait_state("uuid-" + hosts[i], "active")) << hosts[i];
    EXPECT_TRUE(drivers[i]->guest("uuid-" + hosts[i]).has_value()) << hosts[i];
    for (std::size_t j = 0; j < hosts.size(); ++j) {
      if (j != i) {
        EXPECT_FALSE(drivers[j]->guest("uuid-" + hosts[i]).has_value());
      }
    }
  }
  // Stop as Node does: the shared pool, then the hosts, then the timer.
  o.build_pool->close();
  o.build_pool->join();
  for (auto& m : managers) m->stop();
  EXPECT_EQ(o.periodic_timer->size(), 1u);  // the batcher's flush alone
  o.periodic_timer->stop();
  shared_ep->stop();
}

}  // namespace
}  // namespace stratus::core::compute::testing
