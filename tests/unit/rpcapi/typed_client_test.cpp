// The typed clients over a real inproc router: the right topic, server and
// method, decoded replies, and failures as sdk::Status.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <vector>

#include "../rpc/rpc_test_util.h"
#include "core/rpcapi/compute_rpcapi.h"
#include "core/rpcapi/conductor_rpcapi.h"
#include "core/rpcapi/rpc_status.h"
#include "core/rpcapi/scheduler_rpcapi.h"
#include "core/rpcapi/topics.h"

namespace stratus::core::rpcapi {
namespace {

using namespace std::chrono_literals;
using rpc::testing::Cluster;

std::unique_ptr<rpc::Endpoint> start_endpoint(Cluster& cluster, const std::string& name, const std::string& topic,
                                              const std::string& server, rpc::Dispatcher d) {
  auto e = std::make_unique<rpc::Endpoint>(rpc::testing::fast_endpoint_options(cluster.io(), cluster.address(), name));
  EXPECT_TRUE(e->serve(topic, server, std::move(d)).ok());
  EXPECT_TRUE(e->start().ok());
  EXPECT_TRUE(e->wait_registered(3s));
  return e;
}

TEST(TypedClients, ConductorInstanceUpdateRoundTripAndGuardError) {
  Cluster cluster;
  rpc::Dispatcher d;
  ASSERT_TRUE(d.add_typed<InstanceUpdateMsg>(
                   std::string(conductor_method::kInstanceUpdate), kConductorVersion,
                   [](const rpc::CallInfo& info, InstanceUpdateMsg u) -> rpc::Result<rpc::Payload> {
                     if (!u.expected_task_state.empty() && u.expected_task_state[0] == "spawning") {
                       return to_rpc_error(sdk::Status::InvalidState("task_state is deleting, not spawning"));
                     }
                     InstanceMsg m;
                     m.instance.uuid = u.instance_uuid;
                     m.vm_state = u.vm_state.value_or("building");
                     m.instance.display_name = info.context.request_id;  // echo the request id back
                     return rpc::Payload::of(m);
                   })
                  .ok());
  auto conductor = start_endpoint(cluster, "conductor", std::string(kConductorTopic), "c1", std::move(d));
  rpc::Endpoint& caller = cluster.add("compute");
  ConductorRpcApi api(caller, 2s);

  InstanceUpdateMsg u;
  u.instance_uuid = "abc";
  u.vm_state = "active";
  auto ok = api.instance_update(sdk::RequestContext{"req-42", "", "", {}}, u);
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ(ok->instance.uuid, "abc");
  EXPECT_EQ(ok->vm_state, "active");
  EXPECT_EQ(ok->instance.display_name, "req-42");

  u.expected_task_state = {"spawning"};
  auto refused = api.instance_update(sdk::RequestContext{}, u);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().is(sdk::StatusCode::kInvalidState)) << refused.status().to_string();
  EXPECT_NE(refused.status().message().find("not spawning"), std::string::npos);
  conductor->stop();
}

TEST(TypedClients, ComputeCastsGoToTheInstancesHostAndRefuseWithoutOne) {
  Cluster cluster;
  std::mutex mu;
  std::vector<std::string> seen;
  std::condition_variable cv;
  auto recording = [&](std::string host) {
    rpc::Dispatcher d;
    EXPECT_TRUE(d.add_typed<RebootRequest>(std::string(compute_method::kRebootInstance), kComputeVersion,
                                           [&, host](const rpc::CallInfo&, RebootRequest r) -> rpc::Result<rpc::Payload> {
                                             std::lock_guard lock(mu);
                                             seen.push_back(host + " " + r.instance.instance.uuid + " " +
                                                            r.reboot_type);
                                             cv.notify_all();
                                             return rpc::Payload();
                                           })
                    .ok());
    return d;
  };
  auto host1 = start_endpoint(cluster, "compute-1", std::string(kComputeTopic), "host-1", recording("host-1"));
  auto host2 = start_endpoint(cluster, "compute-2", std::string(kComputeTopic), "host-2", recording("host-2"));
  rpc::Endpoint& caller = cluster.add("api");
  ComputeRpcApi api(caller, 2s);

  InstanceMsg inst;
  inst.instance.uuid = "i-1";
  inst.instance.host = "host-2";
  ASSERT_TRUE(api.reboot_instance({}, inst, "HARD").ok());
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 3s, [&] { return !seen.empty(); }));
    EXPECT_EQ(seen[0], "host-2 i-1 HARD");
  }
  inst.instance.host.clear();
  EXPECT_TRUE(api.stop_instance({}, inst).is(sdk::StatusCode::kInvalidState));
  host2->stop();
  host1->stop();
  EXPECT_EQ(seen.size(), 1u);  // host-1 got nothing
}

TEST(TypedClients, CallToAHostThatIsNotThereIsUnavailable) {
  Cluster cluster;
  rpc::Endpoint& caller = cluster.add("api");
  ComputeRpcApi api(caller, 1s);
  InstanceMsg inst;
  inst.instance.uuid = "i-1";
  inst.instance.host = "nowhere";
  auto out = api.get_console_output({}, inst, 10);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.status().is(sdk::StatusCode::kUnavailable)) << out.status().to_string();
  EXPECT_NE(out.status().message().find("compute.nowhere.get_console_output"), std::string::npos)
      << out.status().message();
}

TEST(TypedClients, SchedulerNoValidHostArrivesAsNoValidHost) {
  Cluster cluster;
  rpc::Dispatcher d;
  ASSERT_TRUE(d.add_typed<SelectDestinationsRequest>(
                   std::string(scheduler_method::kSelectDestinations), kSchedulerVersion,
                   [](const rpc::CallInfo&, SelectDestinationsRequest r) -> rpc::Result<rpc::Payload> {
                     if (r.instance_uuids.size() > 1) {
                       return to_rpc_error(sdk::Status(sdk::StatusCode::kNotFound,
                                                       "No valid host was found. Filter ram removed the last 2 hosts",
                                                       sdk::StatusReason::kNoValidHost));
                     }
                     return rpc::Payload::of(std::vector<SelectionMsg>{{{"h1", "h1"}, {{"h2", "h2"}}}});
                   })
                  .ok());
  auto scheduler = start_endpoint(cluster, "scheduler", std::string(kSchedulerTopic), "s1", std::move(d));
  rpc::Endpoint& caller = cluster.add("conductor");
  SchedulerRpcApi api(caller, 2s);
  SelectDestinationsRequest one;
  one.instance_uuids = {"a"};
  auto placed = api.select_destinations({}, one);
  ASSERT_TRUE(placed.ok()) << placed.status().to_string();
  ASSERT_EQ(placed->size(), 1u);
  EXPECT_EQ(placed->at(0).destination.host, "h1");
  EXPECT_EQ(placed->at(0).alternates.at(0).host, "h2");

  SelectDestinationsRequest two = one;
  two.instance_uuids = {"a", "b"};
  auto refused = api.select_destinations({}, two);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().is(sdk::StatusCode::kNotFound));
  EXPECT_EQ(refused.status().message().rfind("No valid host was found.", 0), 0u) << refused.status().message();
  scheduler->stop();
}

}  // namespace
}  // namespace stratus::core::rpcapi
