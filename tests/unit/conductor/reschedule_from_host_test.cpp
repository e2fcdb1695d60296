// Builds lost with their host (issue #15): a build cast to a host that went
// down before running it, or that a restarted host hands back, is taken from
// that host and scheduled elsewhere (Nova's reschedule to an alternate host,
// bounded by max_attempts), never left to end in ERROR by a timeout; the
// host, if it comes back, can no longer touch it.
#include <gtest/gtest.h>

#include <algorithm>

#include "conductor_test_support.h"
#include "core/conductor/stuck_instances.h"
#include "core/db/system_metadata_repository.h"
#include "core/rpcapi/compute_rpcapi.h"

namespace stratus::core::conductor {
namespace {

using namespace std::chrono_literals;
using rpc::testing::eventually;
using Clock = std::chrono::system_clock;

class RescheduleFromHostTest : public testing::ConductorTest {
 protected:
  void SetUp() override {
    ConductorTest::SetUp();
    compute_ = std::make_unique<rpcapi::ComputeRpcApi>(*api_ep_, 3000ms);
    ConductorOptions o;
    o.call_timeout = 3000ms;
    o.max_attempts = 3;
    o.service_down_time = kDownTime;
    o.host = "cond-1";
    sweeper_ = std::make_unique<StuckInstanceSweeper>(*db_, conductor_->compute_task_manager(),
                                                      conductor_->conductor_manager(), *compute_, o);
  }
  void TearDown() override {
    sweeper_.reset();
    ConductorTest::TearDown();
  }

  // An instance built through the real flow onto h1 (the only host then);
  // h2 comes up afterwards.
  std::string built_on_h1() {
    auto& h1 = add_compute_host("h1");
    const auto f = flavor(1024);
    const std::string uuid = create_instance(f);
    EXPECT_TRUE(api_->build_instances(ctx(), rpcapi::BuildInstancesRequest{{uuid}, spec_for(f)}).ok());
    EXPECT_EQ(h1.wait_for(1).size(), 1u);
    EXPECT_EQ(instance(uuid).host, "h1");
    return uuid;
  }

  void force_down(const std::string& host) {
    ASSERT_TRUE(db::ServiceRepository(*db_).set_forced_down(host, std::string(rpcapi::kComputeBinary), true).ok());
  }

  // Two sweeps: the first only starts the conductor's liveness clock.
  StuckInstanceSweeper::Outcome sweep_twice() {
    const auto now = Clock::now();
    EXPECT_EQ(sweeper_->sweep(ctx("req-sweep-0"), now + 11s), StuckInstanceSweeper::Outcome{});
    return sweeper_->sweep(ctx("req-sweep"), now + 22s);
  }

  std::string fault_of(const std::string& uuid) {
    auto f = db::InstanceFaultRepository(*db_).latest(uuid);
    return f.ok() ? f->message : "";
  }

  std::vector<db::InstanceActionEventRecord> build_events(const std::string& uuid) {
    auto a = db::InstanceActionRepository(*db_).get(uuid, "req-create");
    EXPECT_TRUE(a.ok()) << a.status();
    std::vector<db::InstanceActionEventRecord> out;
    if (!a.ok()) return out;
    for (const auto& e : a->events) {
      if (e.event == kComputeBuildEvent) out.push_back(e);
    }
    return out;
  }

  std::unique_ptr<rpcapi::ComputeRpcApi> compute_;
  std::unique_ptr<StuckInstanceSweeper> sweeper_;
};

TEST_F(RescheduleFromHostTest, TheSweepMovesABuildFromAHostThatIsDownToAnother) {
  const std::string uuid = built_on_h1();
  auto& h2 = add_compute_host("h2");
  force_down("h1");

  StuckInstanceSweeper::Outcome expected;
  expected.moved = 1;
  EXPECT_EQ(sweep_twice(), expected);

  auto builds = h2.wait_for(1);
  ASSERT_EQ(builds.size(), 1u);
  EXPECT_EQ(builds[0].attempt, 2);
  EXPECT_NE(std::find(builds[0].spec.ignore_hosts.begin(), builds[0].spec.ignore_hosts.end(), "h1"),
            builds[0].spec.ignore_hosts.end());
  const auto rec = instance(uuid);
  EXPECT_EQ(rec.host, "h2");
  EXPECT_EQ(rec.vm_state, "building");
  EXPECT_EQ(rec.task_state, std::optional<std::string>("scheduling"));
  ASSERT_TRUE(allocation(uuid).has_value());
  EXPECT_EQ(allocation(uuid)->node, "h2");
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get("h1")->memory_mb_used, 0);
  EXPECT_EQ(db::SystemMetadataRepository(*db_).get(uuid)->at(std::string(kBuildAttemptKey)), "2");
  // Recorded as Nova does: a fault for the reschedule, and h1's build event in Error.
  EXPECT_NE(fault_of(uuid).find("was re-scheduled: compute host h1 is down"), std::string::npos) << fault_of(uuid);
  const auto events = build_events(uuid);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].host, "h1");
  EXPECT_EQ(events[0].result, std::optional<std::string>("Error"));

  // h1 comes back and goes on with the build it had: its first step, guarded
  // by its host, is refused, so it never spawns the instance too.
  rpcapi::InstanceUpdateMsg stale;
  stale.instance_uuid = uuid;
  stale.vm_state = "building";
  stale.set_task_state = true;
  stale.expected_task_state = {"scheduling", ""};
  stale.expected_host = "h1";
  EXPECT_TRUE(conductor_->conductor_manager().instance_update(ctx(), stale).status().is(
      sdk::StatusCode::kInvalidState));
  // h2's own step passes the same guard.
  stale.expected_host = "h2";
  EXPECT_TRUE(conductor_->conductor_manager().instance_update(ctx(), stale).ok());

  // Nothing more to do on the next pass.
  EXPECT_EQ(sweeper_->sweep(ctx("req-sweep-2"), Clock::now() + 33s), StuckInstanceSweeper::Outcome{});
  EXPECT_EQ(h2.count(), 1u);
}

TEST_F(RescheduleFromHostTest, WithNoAttemptLeftTheBuildEndsInErrorSayingSo) {
  const std::string uuid = built_on_h1();
  auto& h2 = add_compute_host("h2");
  ASSERT_TRUE(db::SystemMetadataRepository(*db_).update(uuid, {{std::string(kBuildAttemptKey), "3"}}).ok());
  force_down("h1");

  EXPECT_EQ(sweep_twice().moved, 1);
  const auto rec = instance(uuid);
  EXPECT_EQ(rec.vm_state, "error");
  EXPECT_EQ(rec.task_state, std::nullopt);
  EXPECT_NE(fault_of(uuid).find("Exceeded max scheduling attempts 3"), std::string::npos) << fault_of(uuid);
  EXPECT_NE(fault_of(uuid).find("compute host h1 is down"), std::string::npos) << fault_of(uuid);
  EXPECT_FALSE(allocation(uuid).has_value());
  EXPECT_EQ(h2.count(), 0u);
}

// Nova does not retry a build forced to a host ("az:host", 2.74's host).
TEST_F(RescheduleFromHostTest, ABuildForcedToTheHostThatWentDownIsNotMoved) {
  const std::string uuid = built_on_h1();
  auto& h2 = add_compute_host("h2");
  ASSERT_TRUE(db::SystemMetadataRepository(*db_).update(uuid, {{std::string(kForcedHostsKey), "h1"}}).ok());
  force_down("h1");

  EXPECT_EQ(sweep_twice().moved, 1);
  const auto rec = instance(uuid);
  EXPECT_EQ(rec.vm_state, "error");
  EXPECT_EQ(rec.task_state, std::nullopt);
  EXPECT_NE(fault_of(uuid).find("was forced to host h1"), std::string::npos) << fault_of(uuid);
  EXPECT_FALSE(allocation(uuid).has_value());
  EXPECT_EQ(h2.count(), 0u);
}

TEST_F(RescheduleFromHostTest, ARestartedHostHandsItsBuildBackOnceAndAStaleRequestChangesNothing) {
  const std::string uuid = built_on_h1();
  auto& h2 = add_compute_host("h2");

  rpcapi::RescheduleRequest back;
  back.instance_uuid = uuid;
  back.failed_host = "h1";
  back.fault_message = "instance was building when compute host h1 restarted";
  back.attempt = 0;
  ASSERT_TRUE(api_->reschedule_instance(ctx(), back).ok());
  ASSERT_EQ(h2.wait_for(1).size(), 1u);
  EXPECT_EQ(h2.wait_for(1)[0].attempt, 2);
  EXPECT_EQ(instance(uuid).host, "h2");
  EXPECT_NE(fault_of(uuid).find("was re-scheduled: instance was building when compute host h1 restarted"),
            std::string::npos);

  // The same hand-back again (a duplicate), and a compute-side failure
  // report from h1: both stale, the instance and h2's claim stay.
  ASSERT_TRUE(api_->reschedule_instance(ctx(), back).ok());
  back.attempt = 1;
  back.alternates = {rpcapi::DestinationMsg{"h2", "h2"}};
  ASSERT_TRUE(api_->reschedule_instance(ctx(), back).ok());
  EXPECT_FALSE(eventually([&] { return h2.count() > 1 || instance(uuid).host != "h2"; }, 500ms));
  ASSERT_TRUE(allocation(uuid).has_value());
  EXPECT_EQ(allocation(uuid)->node, "h2");
}

TEST_F(RescheduleFromHostTest, NothingIsMovedWhenEveryHostLooksDownOrTheGuestMayExist) {
  const std::string uuid = built_on_h1();
  force_down("h1");  // the only host: more likely this conductor cannot hear
  EXPECT_EQ(sweep_twice(), StuckInstanceSweeper::Outcome{});
  EXPECT_EQ(instance(uuid).host, "h1");

  // With another host up, a build that reached the driver (spawning) stays:
  // its guest may exist on h1; instance_build_timeout ends it.
  add_compute_host("h2");
  db::InstanceUpdate spawning;
  spawning.task_state = std::optional<std::string>("spawning");
  ASSERT_TRUE(db::InstanceRepository(*db_).update(uuid, spawning).ok());
  EXPECT_EQ(sweeper_->sweep(ctx("req-sweep-3"), Clock::now() + 33s), StuckInstanceSweeper::Outcome{});
  EXPECT_EQ(instance(uuid).host, "h1");
}

}  // namespace
}  // namespace stratus::core::conductor
