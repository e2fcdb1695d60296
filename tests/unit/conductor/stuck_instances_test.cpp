// The conductor's stuck-instance sweep (issue #15, "never stuck, never
// lost"): each rule, with the sweep's clock set by the test (an instance's
// age is now - updated_at, so "an hour later" is now + 1 h, no waiting).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "conductor_test_support.h"
#include "core/conductor/stuck_instances.h"
#include "core/db/periodic_lease_repository.h"
#include "core/rpcapi/compute_rpcapi.h"

namespace stratus::core::conductor {
namespace {

using namespace std::chrono_literals;
using rpc::testing::eventually;
using Clock = std::chrono::system_clock;

// The compute methods a fake host received, by name, with the instance.
class ActionLog {
 public:
  void add(const std::string& method, const std::string& uuid) {
    std::lock_guard lock(mu_);
    calls_.push_back(method + " " + uuid);
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> calls_;
};

class StuckInstancesTest : public testing::ConductorTest {
 protected:
  void SetUp() override {
    ConductorTest::SetUp();
    compute_ = std::make_unique<rpcapi::ComputeRpcApi>(*api_ep_, 3000ms);
    scheduler_api_ = std::make_unique<rpcapi::SchedulerRpcApi>(*api_ep_, 3000ms);
    sweeper_ = make_sweeper();
  }
  void TearDown() override {
    sweeper_.reset();
    ConductorTest::TearDown();
  }

  std::unique_ptr<StuckInstanceSweeper> make_sweeper(const std::string& host = "cond-1",
                                                    std::chrono::milliseconds interval = 60000ms) {
    ConductorOptions o;
    o.call_timeout = 3000ms;
    o.service_down_time = kDownTime;
    o.host = host;
    o.stuck_check_interval = interval;
    o.lease_time = 10s;
    o.lost_build_timeout = 180s;
    o.instance_build_timeout = 3600s;
    o.task_timeout = 1800s;
    // Its own build flow, as in its conductor: a re-send is recorded as its.
    auto& tasks = tasks_.emplace_back(std::make_unique<ComputeTaskManager>(*db_, *scheduler_api_, *compute_, o));
    return std::make_unique<StuckInstanceSweeper>(*db_, *tasks, conductor_->conductor_manager(), *compute_, o);
  }

  // A fake compute host that records the actions cast to it (and does
  // nothing else), and reports itself up.
  ActionLog& add_action_host(const std::string& host) {
    auto& log = logs_[host];
    log = std::make_unique<ActionLog>();
    ActionLog* l = log.get();
    rpc::Dispatcher d;
    for (std::string_view m : {rpcapi::compute_method::kTerminateInstance, rpcapi::compute_method::kStopInstance}) {
      EXPECT_TRUE(d.add_typed<rpcapi::InstanceActionRequest>(
                       std::string(m), rpcapi::kComputeVersion,
                       [l, name = std::string(m)](const rpc::CallInfo&, rpcapi::InstanceActionRequest r)
                           -> rpc::Result<rpc::Payload> {
                         l->add(name, r.instance.instance.uuid);
                         return rpc::Payload();
                       })
                      .ok());
    }
    serve_compute_host(host, std::move(d));
    return *l;
  }

  // An instance in `vm_state`/`task` on `host` (none: "").
  std::string instance_in(const std::string& vm_state, const std::optional<std::string>& task,
                          const std::string& host) {
    const std::string uuid = create_instance(flavor(512));
    db::InstanceUpdate u;
    u.vm_state = vm_state;
    u.task_state = task;
    u.host = host;
    u.node = host;
    EXPECT_TRUE(db::InstanceRepository(*db_).update(uuid, u).ok());
    return uuid;
  }

  StuckInstanceSweeper::Outcome sweep_at(Clock::duration later) {
    return sweeper_->sweep(ctx("req-sweep"), Clock::now() + later);
  }

  std::string fault_of(const std::string& uuid) {
    auto f = db::InstanceFaultRepository(*db_).latest(uuid);
    return f.ok() ? f->message : "";
  }

  std::unique_ptr<rpcapi::ComputeRpcApi> compute_;
  std::unique_ptr<rpcapi::SchedulerRpcApi> scheduler_api_;
  std::vector<std::unique_ptr<ComputeTaskManager>> tasks_;  // the sweepers'
  std::unique_ptr<StuckInstanceSweeper> sweeper_;
  std::map<std::string, std::unique_ptr<ActionLog>> logs_;
};

TEST_F(StuckInstancesTest, ALostBuildRequestIsScheduledAgainOnceItIsOldEnough) {
  auto& h1 = add_compute_host("h1");
  const std::string uuid = create_instance(flavor(1024));  // recorded; build_instances never sent

  EXPECT_EQ(sweep_at(60s), StuckInstanceSweeper::Outcome{});  // younger than lost_build_timeout
  EXPECT_EQ(h1.count(), 0u);

  StuckInstanceSweeper::Outcome expected;
  expected.rescheduled = 1;
  EXPECT_EQ(sweep_at(181s), expected);
  auto builds = h1.wait_for(1);
  ASSERT_EQ(builds.size(), 1u);
  EXPECT_EQ(builds[0].instance.instance.uuid, uuid);
  EXPECT_EQ(builds[0].image.id, "img-1");
  EXPECT_EQ(instance(uuid).host, "h1");
  ASSERT_TRUE(allocation(uuid).has_value());
  EXPECT_EQ(allocation(uuid)->node, "h1");

  // Placed now: not a lost build any more.
  EXPECT_EQ(sweep_at(181s), StuckInstanceSweeper::Outcome{});
  EXPECT_EQ(h1.count(), 1u);
}

// The lost attempt got as far as a claim (a conductor killed between the
// scheduler's answer and setting the host): the claim does not block the retry.
TEST_F(StuckInstancesTest, ALostBuildThatHeldAClaimIsScheduledAgain) {
  auto& h1 = add_compute_host("h1");
  add_compute_host("h2", 1024);  // the weighers prefer h1 (more free RAM)
  const std::string uuid = create_instance(flavor(1024));
  ASSERT_TRUE(db::AllocationRepository(*db_).claim("h2", uuid, 1, 1024, 1).ok());

  EXPECT_EQ(sweep_at(181s).rescheduled, 1);
  ASSERT_EQ(h1.wait_for(1).size(), 1u);
  EXPECT_EQ(instance(uuid).host, "h1");
  ASSERT_TRUE(allocation(uuid).has_value());
  EXPECT_EQ(allocation(uuid)->node, "h1");
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get("h2")->memory_mb_used, 0);
}

TEST_F(StuckInstancesTest, TwoConductorsSweepingAtOnceRescheduleALostBuildOnce) {
  auto& h1 = add_compute_host("h1");
  const std::string uuid = create_instance(flavor(1024));
  // The clock: the record as created is old, one a sweeper has claimed is not.
  const auto created = Clock::now();
  std::this_thread::sleep_for(20ms);
  auto other = make_sweeper();
  std::atomic<int> rescheduled{0};
  const auto at = created + 180s;
  std::thread a([&] { rescheduled += sweeper_->sweep(ctx("req-a"), at).rescheduled; });
  std::thread b([&] { rescheduled += other->sweep(ctx("req-b"), at).rescheduled; });
  a.join();
  b.join();
  EXPECT_EQ(rescheduled.load(), 1);
  ASSERT_EQ(h1.wait_for(1).size(), 1u);
  std::this_thread::sleep_for(200ms);  // a second cast, were there one, would be here by now
  EXPECT_EQ(h1.count(), 1u);
  EXPECT_EQ(instance(uuid).host, "h1");
}

// Two conductors' periodic threads (several controllers): the first to try
// holds the lease and keeps it by renewing; the other sweeps nothing until
// the holder stops, which gives the lease up, and then takes it over.
TEST_F(StuckInstancesTest, ThePeriodicSweepRunsOnTheLeaseHolderAndMovesWhenItStops) {
  auto holder = [this]() -> std::string {
    auto row = db::PeriodicLeaseRepository(*db_).get(StuckInstanceSweeper::kLeaseName);
    return row.ok() && row->has_value() ? (*row)->holder : std::string();
  };
  auto a = make_sweeper("cond-a", 50ms);
  auto b = make_sweeper("cond-b", 50ms);
  a->start();
  ASSERT_TRUE(eventually([&] { return holder().rfind("cond-a:", 0) == 0; })) << holder();
  const auto taken = db::PeriodicLeaseRepository(*db_).get(StuckInstanceSweeper::kLeaseName);
  b->start();
  std::this_thread::sleep_for(300ms);  // six periods of b's
  const auto later = db::PeriodicLeaseRepository(*db_).get(StuckInstanceSweeper::kLeaseName);
  ASSERT_TRUE(taken.ok() && taken->has_value() && later.ok() && later->has_value());
  EXPECT_EQ((*later)->holder, (*taken)->holder) << "b never took a held lease";
  EXPECT_EQ((*later)->acquired_at, (*taken)->acquired_at);
  EXPECT_GT((*later)->expires_at, (*taken)->expires_at) << "a renewed it";
  a->stop();
  ASSERT_TRUE(eventually([&] { return holder().rfind("cond-b:", 0) == 0; })) << holder();
  b->stop();
  EXPECT_EQ(holder(), "") << "released on stop";
}

TEST_F(StuckInstancesTest, ABuildRequestDeliveredTwicePlacesTheInstanceOnceAndKeepsItsClaim) {
  auto& h1 = add_compute_host("h1");
  auto& h2 = add_compute_host("h2");
  const auto f = flavor(1024);
  const std::string uuid = create_instance(f);
  auto& tasks = conductor_->compute_task_manager();
  ASSERT_TRUE(tasks.build_instances(ctx(), rpcapi::BuildInstancesRequest{{uuid}, spec_for(f)}).ok());
  const std::string host = instance(uuid).host;
  ASSERT_FALSE(host.empty());
  // The scheduler refuses a second claim of the instance; whatever it says,
  // the placed build goes on untouched.
  (void)tasks.build_instances(ctx(), rpcapi::BuildInstancesRequest{{uuid}, spec_for(f)});

  ASSERT_TRUE(eventually([&] { return h1.count() + h2.count() >= 1; }));
  std::this_thread::sleep_for(200ms);  // a second cast, were there one, would be here by now
  EXPECT_EQ(h1.count() + h2.count(), 1u);
  EXPECT_EQ(instance(uuid).host, host);
  EXPECT_EQ(instance(uuid).vm_state, "building");
  EXPECT_EQ(fault_of(uuid), "");
  auto a = allocation(uuid);
  ASSERT_TRUE(a.has_value()) << "the duplicate gave the winner's claim away";
  EXPECT_EQ(a->node, host);
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get(host)->memory_mb_used, 1024);
  const std::string other = host == "h1" ? "h2" : "h1";
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get(other)->memory_mb_used, 0);
}

// Issue #14: a build the conductor cond-1 placed and cast; the instance
// then waits in "scheduling" on h1 (the fake host starts nothing), as one
// whose cast was lost would.
class PlacedBuildTest : public StuckInstancesTest {
 protected:
  std::string place(testing::BuildRecorder& host) {
    const std::string uuid = create_instance(flavor(1024));
    EXPECT_TRUE(conductor_->compute_task_manager()
                    .build_instances(ctx(), rpcapi::BuildInstancesRequest{{uuid}, spec_for(flavor(1024))})
                    .ok());
    EXPECT_EQ(host.wait_for(1).size(), 1u);
    return uuid;
  }
  // cond-1's presence lease, as its periodic thread holds it, for `holder`.
  void present(const std::string& holder) {
    db::PeriodicLeaseRepository leases(*db_);
    const std::string name = StuckInstanceSweeper::presence_lease_name("cond-1");
    auto row = leases.get(name);
    ASSERT_TRUE(row.ok());
    if (row->has_value()) {
      ASSERT_TRUE(leases.release(name, (*row)->holder).ok());
    }
    auto held = leases.try_hold(name, holder, 24h, Clock::now());
    ASSERT_TRUE(held.ok() && held->held);
  }
  std::vector<db::InstanceActionEventRecord> resend_events(const std::string& uuid) {
    std::vector<db::InstanceActionEventRecord> out;
    auto action = db::InstanceActionRepository(*db_).get(uuid, "req-create");
    if (!action.ok()) return out;
    for (const auto& e : action->events) {
      if (e.event == kResendBuildEvent) out.push_back(e);
    }
    return out;
  }
};

TEST_F(PlacedBuildTest, APlacedBuildWhoseConductorIsGoneIsCastToItsHostAgain) {
  auto& h1 = add_compute_host("h1");
  const std::string uuid = place(h1);
  auto other = make_sweeper("cond-2");  // cond-1 holds no presence lease: gone

  EXPECT_EQ(other->sweep(ctx("req-sweep"), Clock::now() + 60s), StuckInstanceSweeper::Outcome{});
  StuckInstanceSweeper::Outcome expected;
  expected.resent = 1;
  EXPECT_EQ(other->sweep(ctx("req-sweep"), Clock::now() + 181s), expected);
  const auto builds = h1.wait_for(2);
  ASSERT_EQ(builds.size(), 2u);
  EXPECT_EQ(builds[1].instance.instance.uuid, uuid);
  EXPECT_EQ(builds[1].attempt, builds[0].attempt) << "the same attempt: a host that got both builds once";
  EXPECT_TRUE(builds[1].alternates.empty());
  EXPECT_EQ(builds[1].image.id, "img-1");
  // The same placement and claim; the event on the create action.
  EXPECT_EQ(instance(uuid).host, "h1");
  EXPECT_EQ(instance(uuid).task_state, std::optional<std::string>("scheduling"));
  ASSERT_TRUE(allocation(uuid).has_value());
  EXPECT_EQ(allocation(uuid)->node, "h1");
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get("h1")->memory_mb_used, 1024);
  const auto events = resend_events(uuid);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].result, std::optional<std::string>("Success"));
  EXPECT_EQ(events[0].host, "cond-2");
  EXPECT_EQ(fault_of(uuid), "");
  // cond-2 cast it now, and is alive: left alone from now on.
  EXPECT_EQ(other->sweep(ctx("req-sweep"), Clock::now() + 181s), StuckInstanceSweeper::Outcome{});
}

TEST_F(PlacedBuildTest, APlacedBuildWhoseConductorIsAliveIsLeftAlone) {
  auto& h1 = add_compute_host("h1");
  const std::string uuid = place(h1);
  // cond-1's own sweep: this process placed and cast it.
  EXPECT_EQ(sweep_at(181s), StuckInstanceSweeper::Outcome{});
  // Another conductor's, while cond-1's process holds its presence lease.
  present(db::lease_holder_name("cond-1"));
  auto other = make_sweeper("cond-2");
  EXPECT_EQ(other->sweep(ctx("req-sweep"), Clock::now() + 181s), StuckInstanceSweeper::Outcome{});
  std::this_thread::sleep_for(200ms);  // a second cast, were there one, would be here by now
  EXPECT_EQ(h1.count(), 1u);
  EXPECT_TRUE(resend_events(uuid).empty());

  // cond-1 restarted: a new process holds the lease; the one that placed it is gone.
  present("cond-1:1");
  EXPECT_EQ(other->sweep(ctx("req-sweep"), Clock::now() + 181s).resent, 1);
  EXPECT_EQ(h1.wait_for(2).size(), 2u);
}

// The conductor died between the placement and the record of its cast: the
// build's metadata names no cast to this host.
TEST_F(PlacedBuildTest, APlacementWithNoCastRecordedIsCastAgainAndAHostThatIsDownIsNot) {
  auto& h1 = add_compute_host("h1");
  const std::string uuid = instance_in("building", std::string("scheduling"), "h1");
  const std::string on_gone = instance_in("building", std::string("scheduling"), "gone");  // no such service
  EXPECT_EQ(sweep_at(181s).resent, 1);
  const auto builds = h1.wait_for(1);
  ASSERT_EQ(builds.size(), 1u);
  EXPECT_EQ(builds[0].instance.instance.uuid, uuid);
  EXPECT_EQ(builds[0].attempt, 1);
  EXPECT_EQ(instance(on_gone).task_state, std::optional<std::string>("scheduling"));
}

// Each re-send by a conductor that dies in turn (none holds a presence
// lease); the third finds max_build_resends (2) used up.
TEST_F(PlacedBuildTest, AfterMaxBuildResendsTheBuildIsTakenFromItsHostAndScheduledAgain) {
  auto& h1 = add_compute_host("h1");
  const std::string uuid = place(h1);
  auto& h2 = add_compute_host("h2", 2048);
  auto s2 = make_sweeper("cond-2");
  auto s3 = make_sweeper("cond-3");
  auto s4 = make_sweeper("cond-4");
  EXPECT_EQ(s2->sweep(ctx("req-sweep"), Clock::now() + 181s).resent, 1);
  EXPECT_EQ(s3->sweep(ctx("req-sweep"), Clock::now() + 181s).resent, 1);
  EXPECT_EQ(h1.wait_for(3).size(), 3u);
  StuckInstanceSweeper::Outcome expected;
  expected.moved = 1;
  EXPECT_EQ(s4->sweep(ctx("req-sweep"), Clock::now() + 181s), expected);
  ASSERT_EQ(h2.wait_for(1).size(), 1u);
  EXPECT_EQ(instance(uuid).host, "h2");
  EXPECT_EQ(h2.wait_for(1)[0].attempt, 2);
  EXPECT_EQ(resend_events(uuid).size(), 2u);
  EXPECT_NE(fault_of(uuid).find("sent to host h1 3 times and never started"), std::string::npos) << fault_of(uuid);
}

TEST_F(PlacedBuildTest, ARunningSweeperHoldsItsPresenceLease) {
  auto holder = [this]() -> std::string {
    auto row = db::PeriodicLeaseRepository(*db_).get(StuckInstanceSweeper::presence_lease_name("cond-a"));
    return row.ok() && row->has_value() ? (*row)->holder : std::string();
  };
  auto a = make_sweeper("cond-a", 50ms);
  a->start();
  EXPECT_EQ(holder(), db::lease_holder_name("cond-a")) << "held from the start";
  a->stop();
  EXPECT_EQ(holder(), "") << "released on stop";
}

TEST_F(StuckInstancesTest, ABuildThatStopsMovingEndsInErrorWithAFault) {
  add_compute_host("h1");
  const std::string uuid = instance_in("building", std::string("spawning"), "h1");

  EXPECT_EQ(sweep_at(1000s), StuckInstanceSweeper::Outcome{});
  StuckInstanceSweeper::Outcome expected;
  expected.errored = 1;
  EXPECT_EQ(sweep_at(3601s), expected);
  const auto rec = instance(uuid);
  EXPECT_EQ(rec.vm_state, "error");
  EXPECT_EQ(rec.task_state, std::nullopt);
  EXPECT_NE(fault_of(uuid).find("timed out"), std::string::npos) << fault_of(uuid);
  EXPECT_NE(fault_of(uuid).find("spawning"), std::string::npos) << fault_of(uuid);
  EXPECT_NE(fault_of(uuid).find("h1"), std::string::npos) << fault_of(uuid);
  EXPECT_EQ(sweep_at(3601s), StuckInstanceSweeper::Outcome{});  // ERROR has no task: done
}

TEST_F(StuckInstancesTest, AStuckDeleteOnAHostThatIsDownIsFinishedHere) {
  const std::string uuid = instance_in("active", std::string("deleting"), "gone");  // no such service

  StuckInstanceSweeper::Outcome expected;
  expected.retried = 1;
  EXPECT_EQ(sweep_at(1801s), expected);
  auto rec = db::InstanceRepository(*db_).get(uuid);
  EXPECT_TRUE(rec.status().is(sdk::StatusCode::kNotFound)) << rec.status();
  EXPECT_FALSE(allocation(uuid).has_value());
  auto ports = db::PortRepository(*db_).list_by_device(uuid);
  ASSERT_TRUE(ports.ok());
  EXPECT_TRUE(ports->empty());
}

TEST_F(StuckInstancesTest, AStuckDeleteOnALiveHostIsSentThereAgain) {
  auto& h1 = add_action_host("h1");
  const std::string uuid = instance_in("active", std::string("deleting"), "h1");

  EXPECT_EQ(sweep_at(600s), StuckInstanceSweeper::Outcome{});
  EXPECT_EQ(sweep_at(1801s).retried, 1);
  ASSERT_TRUE(eventually([&] { return !h1.calls().empty(); }));
  EXPECT_EQ(h1.calls(), std::vector<std::string>{"terminate_instance " + uuid});
  EXPECT_EQ(instance(uuid).task_state, std::optional<std::string>("deleting"));  // the host finishes it
}

TEST_F(StuckInstancesTest, AStuckPowerActionIsSentAgainOnceThenEndsInError) {
  auto& h1 = add_action_host("h1");
  const std::string uuid = instance_in("active", std::string("powering-off"), "h1");

  EXPECT_EQ(sweep_at(1801s).retried, 1);
  ASSERT_TRUE(eventually([&] { return !h1.calls().empty(); }));
  EXPECT_EQ(h1.calls(), std::vector<std::string>{"stop_instance " + uuid});
  EXPECT_EQ(instance(uuid).vm_state, "active");

  // Sending it again moved updated_at: the next bound counts from then.
  EXPECT_EQ(sweep_at(1000s), StuckInstanceSweeper::Outcome{});
  StuckInstanceSweeper::Outcome expected;
  expected.errored = 1;
  EXPECT_EQ(sweep_at(1801s), expected);
  const auto rec = instance(uuid);
  EXPECT_EQ(rec.vm_state, "error");
  EXPECT_EQ(rec.task_state, std::nullopt);
  EXPECT_NE(fault_of(uuid).find("powering-off did not complete"), std::string::npos) << fault_of(uuid);
  EXPECT_NE(fault_of(uuid).find("sent again once"), std::string::npos) << fault_of(uuid);
  EXPECT_EQ(h1.calls().size(), 1u);
}

TEST_F(StuckInstancesTest, APowerActionOnAHostThatIsDownEndsInErrorAtOnce) {
  const std::string uuid = instance_in("active", std::string("powering-on"), "gone");
  StuckInstanceSweeper::Outcome expected;
  expected.errored = 1;
  EXPECT_EQ(sweep_at(1801s), expected);
  EXPECT_EQ(instance(uuid).vm_state, "error");
  EXPECT_NE(fault_of(uuid).find("powering-on did not complete within 1800 seconds on host gone"), std::string::npos)
      << fault_of(uuid);
}

TEST_F(StuckInstancesTest, AStuckRebuildEndsInError) {
  add_compute_host("h1");
  const std::string uuid = instance_in("active", std::string("rebuilding"), "h1");
  EXPECT_EQ(sweep_at(1801s).errored, 1);
  EXPECT_EQ(instance(uuid).vm_state, "error");
  EXPECT_NE(fault_of(uuid).find("rebuilding"), std::string::npos);
}

TEST_F(StuckInstancesTest, InstancesWithNoTaskAreNeverTouched) {
  add_compute_host("h1");
  const std::string active = instance_in("active", std::nullopt, "h1");
  const std::string stopped = instance_in("stopped", std::nullopt, "h1");
  EXPECT_EQ(sweep_at(24h * 365), StuckInstanceSweeper::Outcome{});
  EXPECT_EQ(instance(active).vm_state, "active");
  EXPECT_EQ(instance(stopped).vm_state, "stopped");
}

TEST_F(StuckInstancesTest, RulesWithAZeroBoundAreOff) {
  ConductorOptions o;
  o.lost_build_timeout = 0s;
  o.instance_build_timeout = 0s;
  o.task_timeout = 0s;
  StuckInstanceSweeper off(*db_, conductor_->compute_task_manager(), conductor_->conductor_manager(), *compute_, o);
  create_instance(flavor(512));
  instance_in("active", std::string("deleting"), "gone");
  EXPECT_EQ(off.sweep(ctx(), Clock::now() + 24h * 365), StuckInstanceSweeper::Outcome{});
}

// The guards the claims rest on.
TEST_F(StuckInstancesTest, UpdatesGuardedByHostOrUpdatedAtFailWhenEitherMoved) {
  const std::string uuid = create_instance(flavor(512));
  db::InstanceRepository repo(*db_);
  const auto before = instance(uuid);

  db::InstanceUpdate wrong_host;
  wrong_host.host = "h9";
  wrong_host.expected_host = std::string("h1");
  EXPECT_TRUE(repo.update(uuid, wrong_host).status().is(sdk::StatusCode::kInvalidState));

  db::InstanceUpdate take;
  take.host = "h9";
  take.expected_host = std::string();
  take.expected_updated_at = before.updated_at;
  ASSERT_TRUE(repo.update(uuid, take).ok());
  // The same claim again, on the record as first read: refused.
  take.expected_host.reset();
  EXPECT_TRUE(repo.update(uuid, take).status().is(sdk::StatusCode::kInvalidState));
  EXPECT_EQ(instance(uuid).host, "h9");
}

}  // namespace
}  // namespace stratus::core::conductor
