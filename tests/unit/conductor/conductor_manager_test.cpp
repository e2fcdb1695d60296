// The conductor's database proxy for compute services, called the way a
// compute host calls it: through ConductorRpcApi over the inproc router.
#include <gtest/gtest.h>

#include "conductor_test_support.h"
#include "core/db/service_version_repository.h"

namespace stratus::core::conductor {
namespace {

using namespace std::chrono_literals;
using rpc::testing::eventually;
using testing::ConductorTest;

TEST_F(ConductorTest, ComputeNodeUpdateCreatesTheNodeAndServiceAndTheSchedulerSeesTheHost) {
  add_compute_host("h1", 2048);
  auto node = db::ComputeNodeRepository(*db_).get("h1");
  ASSERT_TRUE(node.ok()) << node.status();
  EXPECT_EQ(node->host, "h1");
  EXPECT_EQ(node->memory_mb, 2048);
  auto service = db::ServiceRepository(*db_).get("h1", "stratus-compute");
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_EQ(service->topic, "compute");
  EXPECT_TRUE(service->last_seen_up.has_value());
  EXPECT_GE(service->report_count, 1);

  // The scheduler got the database's allocation ratios (Nova's 4.0 for CPU).
  auto state = scheduler_->host_state_cache().get("h1", "h1");
  ASSERT_TRUE(state.has_value());
  EXPECT_DOUBLE_EQ(state->cpu_allocation_ratio, node->cpu_allocation_ratio);
  EXPECT_DOUBLE_EQ(state->ram_allocation_ratio, node->ram_allocation_ratio);

  // A second report updates, never duplicates.
  report("h1", 3072);
  auto nodes = db::ComputeNodeRepository(*db_).list("h1");
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ(nodes->front().memory_mb, 3072);
  auto services = db::ServiceRepository(*db_).list(std::string("h1"));
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(services->size(), 1u);
}

TEST_F(ConductorTest, ServiceHeartbeatRegistersOnFirstSightAndCounts) {
  rpcapi::ServiceMsg beat{"h9", "stratus-compute", "compute", false};
  ASSERT_TRUE(api_->service_heartbeat(ctx(), beat).ok());
  ASSERT_TRUE(eventually([&] {
    auto s = db::ServiceRepository(*db_).get("h9", "stratus-compute");
    return s.ok() && s->report_count == 1;
  }));
  ASSERT_TRUE(api_->service_heartbeat(ctx(), beat).ok());
  ASSERT_TRUE(eventually([&] {
    auto s = db::ServiceRepository(*db_).get("h9", "stratus-compute");
    return s.ok() && s->report_count == 2;
  }));
}

// Conductor RPC 1.2: many hosts in one message, recorded as the single
// calls record them; a host whose report cannot be recorded is named.
TEST_F(ConductorTest, AReportBatchRecordsEveryHostAndNamesTheOnesItCouldNot) {
  rpcapi::NodeReportBatch batch;
  for (const char* host : {"b1", "b2", "b3"}) {
    rpcapi::NodeReportMsg msg;
    msg.host = host;
    msg.resources = scheduler::testing::make_report(scheduler::testing::HostSpec{host, 4096}).resources;
    batch.reports.push_back(msg);
  }
  // b3's node name belongs to another host already: its upsert is refused.
  add_compute_host("other", 1024);
  batch.reports[2].resources.hypervisor_hostname = "other";
  auto failed = api_->compute_node_update_batch(ctx(), batch, 3000ms);
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(*failed, std::vector<std::string>{"b3"});
  for (const char* host : {"b1", "b2"}) {
    auto node = db::ComputeNodeRepository(*db_).get(host);
    ASSERT_TRUE(node.ok()) << host << ": " << node.status();
    EXPECT_EQ(node->memory_mb, 4096);
    auto service = db::ServiceRepository(*db_).get(host, "stratus-compute");
    ASSERT_TRUE(service.ok()) << host;
    EXPECT_GE(service->report_count, 1);
    ASSERT_TRUE(eventually([&] {
      auto state = scheduler_->host_state_cache().get(host, host);
      return state && state->total_usable_ram_mb == 4096 && state->service_up;
    })) << host;
  }
  EXPECT_FALSE(db::ServiceRepository(*db_).get("b3", "stratus-compute").ok());
}

TEST_F(ConductorTest, AHeartbeatBatchCountsEveryHostAndRecordsItsVersion) {
  rpcapi::ServiceHeartbeatBatch batch;
  for (const char* host : {"hb1", "hb2"}) batch.services.push_back({host, "stratus-compute", "compute", false, "1.4"});
  ASSERT_TRUE(api_->service_heartbeat_batch(ctx(), batch).ok());
  ASSERT_TRUE(api_->service_heartbeat_batch(ctx(), batch).ok());
  for (const char* host : {"hb1", "hb2"}) {
    ASSERT_TRUE(eventually([&] {
      auto s = db::ServiceRepository(*db_).get(host, "stratus-compute");
      return s.ok() && s->report_count == 2;
    })) << host;
    auto versions = db::ServiceVersionRepository(*db_).list("stratus-compute");
    ASSERT_TRUE(versions.ok());
    EXPECT_EQ(versions->at({host, "stratus-compute"}), "1.4");
  }
}

TEST_F(ConductorTest, BatchesNeedConductorRpc12) {
  rpcapi::ConductorRpcApi capped(*api_ep_, 3000ms, rpcapi::fixed_cap("1.1"));
  EXPECT_FALSE(capped.can_send_batches());
  EXPECT_TRUE(capped.service_heartbeat_batch(ctx(), {}).is(sdk::StatusCode::kNotSupported));
  EXPECT_TRUE(capped.compute_node_update_batch(ctx(), {}, 3000ms).status().is(sdk::StatusCode::kNotSupported));
  EXPECT_TRUE(api_->can_send_batches());
}

TEST_F(ConductorTest, InstanceUpdateAppliesAndReturnsTheInstance) {
  const std::string uuid = create_instance(flavor());
  rpcapi::InstanceUpdateMsg u;
  u.instance_uuid = uuid;
  u.set_task_state = true;
  u.task_state = std::nullopt;  // building/scheduling -> building/None
  u.expected_task_state = {"scheduling", ""};
  u.host = "h1";
  u.node = "h1";
  auto after = api_->instance_update(ctx(), u);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->vm_state, "building");
  EXPECT_EQ(after->task_state, std::nullopt);
  EXPECT_EQ(after->instance.host, "h1");
  EXPECT_EQ(after->network_info.size(), 1u);

  rpcapi::InstanceUpdateMsg active;
  active.instance_uuid = uuid;
  active.vm_state = "active";
  active.power_state = sdk::PowerState::kRunning;
  active.set_launched_at = true;
  active.expected_task_state = {""};  // None
  auto done = api_->instance_update(ctx(), active);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->vm_state, "active");
  EXPECT_EQ(done->instance.power_state, sdk::PowerState::kRunning);
  EXPECT_TRUE(done->launched_at.has_value());
}

TEST_F(ConductorTest, InstanceUpdateGuardRefusedIsInvalidStateAndChangesNothing) {
  const std::string uuid = create_instance(flavor());
  rpcapi::InstanceUpdateMsg u;
  u.instance_uuid = uuid;
  u.vm_state = "active";
  u.set_task_state = true;
  u.expected_task_state = {"spawning"};  // it is still scheduling
  auto refused = api_->instance_update(ctx(), u);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), sdk::StatusCode::kInvalidState) << refused.status();
  const auto rec = instance(uuid);
  EXPECT_EQ(rec.vm_state, "building");
  EXPECT_EQ(rec.task_state, std::optional<std::string>("scheduling"));

  u.instance_uuid = "00000000-0000-0000-0000-000000000000";
  auto unknown = api_->instance_update(ctx(), u);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), sdk::StatusCode::kNotFound) << unknown.status();
}

TEST_F(ConductorTest, InstanceDestroyFreesPortsAndAllocationAndIsIdempotent) {
  auto& h1 = add_compute_host("h1");
  const auto f = flavor(1024);
  const std::string uuid = create_instance(f);
  ASSERT_TRUE(api_->build_instances(ctx(), rpcapi::BuildInstancesRequest{{uuid}, spec_for(f)}).ok());
  ASSERT_EQ(h1.wait_for(1).size(), 1u);
  ASSERT_TRUE(allocation(uuid).has_value());
  ASSERT_TRUE(eventually([&] { return scheduler_->host_state_cache().get("h1", "h1")->free_ram_mb == 3072; }));

  ASSERT_TRUE(api_->instance_destroy(ctx("req-delete"), uuid).ok());
  EXPECT_EQ(instance(uuid).vm_state, "deleted");
  EXPECT_TRUE(instance(uuid).deleted);
  EXPECT_TRUE(db::PortRepository(*db_).list_by_device(uuid)->empty());
  EXPECT_FALSE(allocation(uuid).has_value());
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get("h1")->memory_mb_used, 0);
  // Every scheduler forgets its consumption.
  EXPECT_TRUE(eventually([&] { return scheduler_->host_state_cache().get("h1", "h1")->free_ram_mb == 4096; }));

  EXPECT_TRUE(api_->instance_destroy(ctx("req-delete"), uuid).ok());  // again: still OK
  auto unknown = api_->instance_destroy(ctx(), "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(unknown.code(), sdk::StatusCode::kNotFound) << unknown;
}

TEST_F(ConductorTest, InstanceGetAllByHostListsTheHostsLiveInstances) {
  const std::string a = create_instance(flavor());
  const std::string b = create_instance(flavor(), "req-b");
  const std::string c = create_instance(flavor(), "req-c");
  db::InstanceUpdate on_h1;
  on_h1.host = "h1";
  ASSERT_TRUE(db::InstanceRepository(*db_).update(a, on_h1).ok());
  ASSERT_TRUE(db::InstanceRepository(*db_).update(b, on_h1).ok());
  ASSERT_TRUE(db::InstanceRepository(*db_).destroy(b).ok());
  db::InstanceUpdate on_h2;
  on_h2.host = "h2";
  ASSERT_TRUE(db::InstanceRepository(*db_).update(c, on_h2).ok());

  auto listed = api_->instance_get_all_by_host(ctx(), "h1");
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().instance.uuid, a);
  EXPECT_EQ(listed->front().network_info.size(), 1u);
}

TEST_F(ConductorTest, FaultsAndActionEventsAreRecorded) {
  const std::string uuid = create_instance(flavor());
  ASSERT_TRUE(api_->instance_fault_create(ctx(), rpcapi::InstanceFaultMsg{uuid, 500, "boom", "details", "h1"}).ok());
  auto fault = db::InstanceFaultRepository(*db_).latest(uuid);
  ASSERT_TRUE(fault.ok());
  EXPECT_EQ(fault->message, "boom");
  EXPECT_EQ(fault->host, "h1");

  const std::string event = "compute__do_build_and_run_instance";
  ASSERT_TRUE(api_->action_event(ctx(), rpcapi::ActionEventMsg{uuid, "req-create", event, false, "", "", "h1"}).ok());
  ASSERT_TRUE(
      api_->action_event(ctx(), rpcapi::ActionEventMsg{uuid, "req-create", event, true, "Success", "", "h1"}).ok());
  auto action = db::InstanceActionRepository(*db_).get(uuid, "req-create");
  ASSERT_TRUE(action.ok());
  ASSERT_EQ(action->events.size(), 1u);
  EXPECT_EQ(action->events[0].event, event);
  EXPECT_EQ(action->events[0].host, "h1");
  EXPECT_EQ(action->events[0].result, std::optional<std::string>("Success"));

  // A finish without a start still records the event.
  ASSERT_TRUE(
      api_->action_event(ctx(), rpcapi::ActionEventMsg{uuid, "req-create", "other", true, "Error", "why", "h1"}).ok());
  action = db::InstanceActionRepository(*db_).get(uuid, "req-create");
  ASSERT_EQ(action->events.size(), 2u);

  // No action for that request id: NotFound, nothing invented.
  auto none = api_->action_event(ctx(), rpcapi::ActionEventMsg{uuid, "req-unknown", event, false, "", "", "h1"});
  EXPECT_EQ(none.code(), sdk::StatusCode::kNotFound) << none;
}

}  // namespace
}  // namespace stratus::core::conductor
