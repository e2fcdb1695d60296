// The conductor's build and reschedule flow, end to end over the inproc
// router: API cast -> conductor -> scheduler (claim in the database) ->
// build_and_run_instance cast to the fake compute host.
#include <gtest/gtest.h>

#include "conductor_test_support.h"

namespace stratus::core::conductor {
namespace {

using namespace std::chrono_literals;
using rpc::testing::eventually;
using testing::ConductorTest;

TEST_F(ConductorTest, BuildClaimsAndCastsToTheChosenHostWithPortsAsNetworkInfo) {
  auto& h1 = add_compute_host("h1");
  const auto f = flavor(1024);
  const std::string uuid = create_instance(f);

  ASSERT_TRUE(api_->build_instances(ctx(), rpcapi::BuildInstancesRequest{{uuid}, spec_for(f)}).ok());
  auto builds = h1.wait_for(1);
  ASSERT_EQ(builds.size(), 1u);
  const auto& b = builds[0];
  EXPECT_EQ(b.instance.instance.uuid, uuid);
  EXPECT_EQ(b.instance.instance.host, "h1");
  EXPECT_EQ(b.instance.instance.node, "h1");
  EXPECT_EQ(b.instance.vm_state, "building");
  EXPECT_EQ(b.attempt, 1);
  EXPECT_EQ(b.image.id, "img-1");
  EXPECT_EQ(b.image.disk_format, "qcow2");
  EXPECT_EQ(b.spec.instance_uuid, uuid);
  // The instance's port travels as its network_info.
  auto ports = db::PortRepository(*db_).list_by_device(uuid);
  ASSERT_TRUE(ports.ok());
  ASSERT_EQ(ports->size(), 1u);
  ASSERT_EQ(b.instance.network_info.size(), 1u);
  EXPECT_EQ(b.instance.network_info[0].id, ports->front().uuid);
  EXPECT_EQ(b.instance.network_info[0].address, ports->front().mac_address);
  EXPECT_EQ(b.instance.network_info[0].network_name, "private");
  ASSERT_EQ(b.instance.network_info[0].fixed_ips.size(), 1u);
  EXPECT_EQ(b.instance.network_info[0].fixed_ips[0], ports->front().ip_address);

  // The claim is in the database, and the instance records its host.
  auto a = allocation(uuid);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->node, "h1");
  EXPECT_EQ(a->memory_mb, 1024);
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get("h1")->memory_mb_used, 1024);
  const auto rec = instance(uuid);
  EXPECT_EQ(rec.host, "h1");
  EXPECT_EQ(rec.node, "h1");
  EXPECT_EQ(rec.task_state, std::optional<std::string>("scheduling"));  // the compute host moves it on
}

TEST_F(ConductorTest, BuildCarriesTheFlavorsEphemeralAndSwapDisks) {
  auto& h1 = add_compute_host("h1");
  auto f = flavor(512);
  f.ephemeral_gb = 2;
  f.swap_mb = 256;
  const std::string uuid = create_instance(f);
  ASSERT_TRUE(api_->build_instances(ctx(), rpcapi::BuildInstancesRequest{{uuid}, spec_for(f)}).ok());
  auto builds = h1.wait_for(1);
  ASSERT_EQ(builds.size(), 1u);
  const auto& bdi = builds[0].block_device_info;
  ASSERT_EQ(bdi.ephemerals.size(), 1u);
  EXPECT_EQ(bdi.ephemerals[0].device_name, "/dev/vdb");
  EXPECT_EQ(bdi.ephemerals[0].size_gb, 2);
  ASSERT_TRUE(bdi.swap.has_value());
  EXPECT_EQ(bdi.swap->device_name, "/dev/vdc");
  EXPECT_EQ(bdi.swap->size_mb, 256);
}

TEST_F(ConductorTest, NoValidHostSetsErrorWithAFaultNamingTheFilter) {
  auto& h1 = add_compute_host("h1", 1024);
  const auto f = flavor(4096);
  const std::string uuid = create_instance(f);

  ASSERT_TRUE(api_->build_instances(ctx(), rpcapi::BuildInstancesRequest{{uuid}, spec_for(f)}).ok());
  ASSERT_TRUE(wait_vm_state(uuid, "error"));
  const auto rec = instance(uuid);
  EXPECT_EQ(rec.task_state, std::nullopt);
  auto fault = db::InstanceFaultRepository(*db_).latest(uuid);
  ASSERT_TRUE(fault.ok()) << fault.status();
  EXPECT_EQ(fault->code, 500);
  EXPECT_EQ(fault->message.rfind("No valid host was found.", 0), 0u) << fault->message;
  EXPECT_NE(fault->message.find("Filter ram removed"), std::string::npos) << fault->message;

  auto action = db::InstanceActionRepository(*db_).get(uuid, "req-create");
  ASSERT_TRUE(action.ok()) << action.status();
  ASSERT_EQ(action->events.size(), 1u);
  EXPECT_EQ(action->events[0].event, "conductor_schedule_and_build_instances");
  EXPECT_EQ(action->events[0].result, std::optional<std::string>("Error"));
  EXPECT_EQ(action->message, std::optional<std::string>("Error"));

  EXPECT_FALSE(allocation(uuid).has_value());
  EXPECT_EQ(h1.count(), 0u);
}

TEST_F(ConductorTest, AnInstanceDeletedWhileSchedulingIsNotBuiltAndItsClaimIsReleased) {
  auto& h1 = add_compute_host("h1");
  const auto f = flavor(1024);
  const std::string uuid = create_instance(f);
  // The user deleted it before the conductor got to it.
  ASSERT_TRUE(db::InstanceRepository(*db_).destroy(uuid).ok());

  ASSERT_TRUE(api_->build_instances(ctx(), rpcapi::BuildInstancesRequest{{uuid}, spec_for(f)}).ok());
  // The scheduler claims first; the conductor then gives it back.
  ASSERT_TRUE(eventually([&] {
    auto node = db::ComputeNodeRepository(*db_).get("h1");
    return node.ok() && node->memory_mb_used == 0 && scheduler_->host_state_cache().get("h1", "h1")->free_ram_mb == 4096;
  }, 5000ms));
  EXPECT_FALSE(allocation(uuid).has_value());
  EXPECT_EQ(h1.count(), 0u);
}

TEST_F(ConductorTest, RescheduleMovesTheClaimToTheAlternateAndCastsThere) {
  auto& h1 = add_compute_host("h1");
  auto& h2 = add_compute_host("h2");
  const auto f = flavor(1024);
  const std::string uuid = create_instance(f);
  ASSERT_TRUE(api_->build_instances(ctx(), rpcapi::BuildInstancesRequest{{uuid}, spec_for(f)}).ok());
  ASSERT_TRUE(eventually([&] { return h1.count() + h2.count() == 1; }, 5000ms));
  auto& first = h1.count() == 1 ? h1 : h2;
  auto& second = h1.count() == 1 ? h2 : h1;
  const auto build = first.wait_for(1).at(0);
  const std::string first_host = build.instance.instance.host;
  const std::string second_host = first_host == "h1" ? "h2" : "h1";
  ASSERT_EQ(build.alternates.size(), 1u);
  EXPECT_EQ(build.alternates[0].host, second_host);

  // The first host's spawn failed: it asks for a reschedule.
  rpcapi::RescheduleRequest req{uuid, build.spec, build.alternates, first_host, "fake spawn failure", 1};
  ASSERT_TRUE(api_->reschedule_instance(ctx(), req).ok());
  auto builds = second.wait_for(1);
  ASSERT_EQ(builds.size(), 1u);
  EXPECT_EQ(builds[0].attempt, 2);
  EXPECT_EQ(builds[0].instance.instance.host, second_host);
  EXPECT_TRUE(builds[0].alternates.empty());
  EXPECT_EQ(builds[0].spec.ignore_hosts, std::vector<std::string>{first_host});

  auto a = allocation(uuid);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->node, second_host);
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get(first_host)->memory_mb_used, 0);
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get(second_host)->memory_mb_used, 1024);
  const auto rec = instance(uuid);
  EXPECT_EQ(rec.host, second_host);
  EXPECT_EQ(rec.vm_state, "building");
  EXPECT_EQ(rec.task_state, std::optional<std::string>("scheduling"));
}

TEST_F(ConductorTest, RescheduleWithNoAlternateLeftSetsErrorWithTheDriversMessage) {
  auto& h1 = add_compute_host("h1");
  const auto f = flavor(1024);
  const std::string uuid = create_instance(f);
  ASSERT_TRUE(api_->build_instances(ctx(), rpcapi::BuildInstancesRequest{{uuid}, spec_for(f)}).ok());
  const auto build = h1.wait_for(1).at(0);
  EXPECT_TRUE(build.alternates.empty());

  rpcapi::RescheduleRequest req{uuid, build.spec, {}, "h1", "libvirt said no: out of hugepages", 1};
  ASSERT_TRUE(api_->reschedule_instance(ctx(), req).ok());
  ASSERT_TRUE(wait_vm_state(uuid, "error"));
  EXPECT_EQ(instance(uuid).task_state, std::nullopt);
  auto fault = db::InstanceFaultRepository(*db_).latest(uuid);
  ASSERT_TRUE(fault.ok()) << fault.status();
  EXPECT_NE(fault->message.find("libvirt said no: out of hugepages"), std::string::npos) << fault->message;
  EXPECT_NE(fault->message.find(uuid), std::string::npos) << fault->message;
  EXPECT_EQ(fault->host, "h1");
  EXPECT_FALSE(allocation(uuid).has_value());
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get("h1")->memory_mb_used, 0);
}

TEST_F(ConductorTest, RescheduleSkipsAnAlternateWithoutRoom) {
  auto& h1 = add_compute_host("h1", 1024);
  auto& h2 = add_compute_host("h2", 1024);
  auto& h3 = add_compute_host("h3", 1024);
  const auto f = flavor(1024);
  const std::string uuid = create_instance(f);
  // h2 is full in the database, though the caches do not know yet.
  const std::string other = create_instance(f, "req-other");
  ASSERT_TRUE(db::AllocationRepository(*db_).claim("h2", other, 1, 1024, 1).ok());

  rpcapi::RescheduleRequest req{uuid, spec_for(f), {{"h2", "h2"}, {"h3", "h3"}}, "h1", "spawn failed", 1};
  ASSERT_TRUE(api_->reschedule_instance(ctx(), req).ok());
  auto builds = h3.wait_for(1);
  ASSERT_EQ(builds.size(), 1u);
  EXPECT_EQ(builds[0].attempt, 2);
  EXPECT_EQ(h2.count(), 0u);
  EXPECT_EQ(h1.count(), 0u);
  EXPECT_EQ(allocation(uuid)->node, "h3");
}

TEST_F(ConductorTest, AHostThatStopsHeartbeatingIsNoLongerScheduledTo) {
  add_compute_host("h1", 8192);  // roomier: the weighers prefer it
  auto& h2 = add_compute_host("h2", 4096);

  // Time passes; only h2 keeps beating.
  clock_.advance(kDownTime + std::chrono::seconds(1));
  ASSERT_TRUE(api_->service_heartbeat(ctx(), rpcapi::ServiceMsg{"h2", "stratus-compute", "compute", false}).ok());
  ASSERT_TRUE(eventually([&] {
    auto& cache = scheduler_->host_state_cache();
    return cache.get("h2", "h2")->service_up && !cache.get("h1", "h1")->service_up;
  }));

  const auto f = flavor(1024);
  for (int i = 0; i < 3; ++i) {
    const std::string uuid = create_instance(f, "req-" + std::to_string(i));
    ASSERT_TRUE(api_->build_instances(ctx("req-" + std::to_string(i)),
                                      rpcapi::BuildInstancesRequest{{uuid}, spec_for(f)}).ok());
    auto builds = h2.wait_for(static_cast<std::size_t>(i + 1));
    ASSERT_EQ(builds.size(), static_cast<std::size_t>(i + 1));
    EXPECT_EQ(builds.back().instance.instance.uuid, uuid);
    EXPECT_TRUE(builds.back().alternates.empty()) << "a down host offered as an alternate";
  }
  EXPECT_EQ(recorders_["h1"]->count(), 0u);
}

}  // namespace
}  // namespace stratus::core::conductor
