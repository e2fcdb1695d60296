// A small cloud in one process for the conductor tests: an inproc router, a
// real database in a temp dir, a real SchedulerService (built-in filters and
// weighers, a manual liveness clock), a real ConductorService, fake compute
// hosts that record the builds cast to them, and an "API" endpoint with the
// typed conductor client.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/conductor/conductor_service.h"
#include "core/db/allocation_repository.h"
#include "core/db/compute_node_repository.h"
#include "core/db/image_repository.h"
#include "core/db/instance_action_repository.h"
#include "core/db/instance_fault_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/service_repository.h"
#include "core/rpcapi/conductor_rpcapi.h"
#include "core/rpcapi/topics.h"
#include "core/scheduler/scheduler_service.h"
#include "db_test_util.h"
#include "rpc_test_util.h"
#include "scheduler_test_support.h"

namespace stratus::core::conductor::testing {

using namespace std::chrono_literals;
using rpc::testing::eventually;

// What one fake compute host received.
class BuildRecorder {
 public:
  void add(rpcapi::BuildAndRunRequest r) {
    std::lock_guard lock(mu_);
    builds_.push_back(std::move(r));
    cv_.notify_all();
  }
  // Waits (bounded) until at least n builds arrived; returns them all.
  std::vector<rpcapi::BuildAndRunRequest> wait_for(std::size_t n, std::chrono::milliseconds timeout = 5000ms) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return builds_.size() >= n; });
    return builds_;
  }
  std::size_t count() {
    std::lock_guard lock(mu_);
    return builds_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<rpcapi::BuildAndRunRequest> builds_;
};

class ConductorTest : public db::testing::DbTest {
 protected:
  static constexpr std::chrono::seconds kDownTime{10};

  void SetUp() override {
    scheduler::testing::load_builtin_plugins(registry_);
    io_ = std::make_shared<rpc::IoContext>();
    router_ = std::make_unique<rpc::Router>(
        rpc::testing::fast_router_options(io_, {rpc::testing::unique_inproc("conductor-test")}));
    ASSERT_TRUE(router_->start().ok());
    address_ = router_->endpoints().at(0);

    Config config;
    config.host = "sched-1";
    config.service_down_time = static_cast<double>(kDownTime.count());
    auto sched = scheduler::SchedulerService::create(registry_, config, *db_, clock_.fn());
    ASSERT_TRUE(sched.ok()) << sched.status();
    scheduler_ = std::move(*sched);
    rpc::Endpoint& sched_ep = add_endpoint("scheduler");
    ASSERT_TRUE(scheduler_->register_on(sched_ep).ok());

    rpc::Endpoint& cond_ep = add_endpoint("conductor", 4);
    ConductorOptions options;
    options.call_timeout = 3000ms;
    options.max_attempts = 3;
    options.service_down_time = kDownTime;
    options.host = "cond-1";
    conductor_ = std::make_unique<ConductorService>(*db_, cond_ep, options);
    ASSERT_TRUE(conductor_->register_on(cond_ep).ok());

    api_ep_ = &add_endpoint("api");
    api_ = std::make_unique<rpcapi::ConductorRpcApi>(*api_ep_, 3000ms);

    for (auto& e : endpoints_) {
      ASSERT_TRUE(e->start().ok());
      ASSERT_TRUE(e->wait_registered(3s));
    }
    seed_image_and_network();
  }

  void TearDown() override {
    for (auto& e : endpoints_) e->stop();
    endpoints_.clear();
    if (router_) router_->stop();
  }

  rpc::Endpoint& add_endpoint(const std::string& name, std::size_t workers = 2) {
    auto o = rpc::testing::fast_endpoint_options(io_, address_, name);
    o.workers = workers;
    endpoints_.push_back(std::make_unique<rpc::Endpoint>(o));
    return *endpoints_.back();
  }

  // A fake compute host serving compute.<host>: records the builds, and
  // reports to the conductor as a compute service would.
  BuildRecorder& add_compute_host(const std::string& host, std::int64_t memory_mb = 4096) {
    auto& recorder = recorders_[host];
    recorder = std::make_unique<BuildRecorder>();
    rpc::Dispatcher d;
    BuildRecorder* r = recorder.get();
    EXPECT_TRUE(d.add_typed<rpcapi::BuildAndRunRequest>(
                     std::string(rpcapi::compute_method::kBuildAndRunInstance), rpcapi::kComputeVersion,
                     [r](const rpc::CallInfo&, rpcapi::BuildAndRunRequest req) -> rpc::Result<rpc::Payload> {
                       r->add(std::move(req));
                       return rpc::Payload();
                     })
                    .ok());
    serve_compute_host(host, std::move(d), memory_mb);
    return *r;
  }

  // Serves `d` as compute.<host> on an endpoint of its own, and reports the
  // host to the conductor as a compute service would.
  void serve_compute_host(const std::string& host, rpc::Dispatcher d, std::int64_t memory_mb = 4096) {
    auto& ep = add_endpoint("compute-" + host);
    EXPECT_TRUE(ep.serve(std::string(rpcapi::kComputeTopic), host, std::move(d)).ok());
    EXPECT_TRUE(ep.start().ok());
    EXPECT_TRUE(ep.wait_registered(3s));
    report(host, memory_mb);
  }

  // compute_node_update through the conductor, and wait until the
  // scheduler's cache has the node.
  void report(const std::string& host, std::int64_t memory_mb) {
    rpcapi::NodeReportMsg msg;
    msg.host = host;
    msg.resources = scheduler::testing::make_report(scheduler::testing::HostSpec{host, memory_mb}).resources;
    ASSERT_TRUE(api_->compute_node_update(ctx(), msg).ok());
    ASSERT_TRUE(eventually([&] {
      auto state = scheduler_->host_state_cache().get(host, host);
      return state && state->total_usable_ram_mb == memory_mb && state->service_up;
    })) << "the scheduler never saw " << host;
  }

  void seed_image_and_network() {
    db::ImageRecord image;
    image.id = "img-1";
    image.name = "cirros";
    image.disk_format = "qcow2";
    image.container_format = "bare";
    ASSERT_TRUE(db::ImageRepository(*db_).create(image).ok());
    db::NetworkRecord net;
    net.name = "private";
    net.cidr = "10.0.0.0/24";
    net.shared = true;
    auto created = db::NetworkRepository(*db_).create(net);
    ASSERT_TRUE(created.ok()) << created.status();
    network_uuid_ = created->uuid;
  }

  static sdk::Flavor flavor(std::int64_t memory_mb = 1024) {
    sdk::Flavor f;
    f.id = "2";
    f.name = "m1.test";
    f.vcpus = 1;
    f.memory_mb = memory_mb;
    f.root_gb = 1;
    return f;
  }

  // An instance as the API records it (building/scheduling), with a create
  // action for `request_id` and a port on the network.
  std::string create_instance(const sdk::Flavor& f, const std::string& request_id = "req-create") {
    db::InstanceRecord r;
    r.display_name = "vm";
    r.project_id = "p1";
    r.user_id = "u1";
    r.flavor = f;
    r.image_ref = "img-1";
    r.vm_state = "building";
    r.task_state = "scheduling";
    r.availability_zone = "nova";
    r.reservation_id = "r-test0001";
    auto created = db::InstanceRepository(*db_).create({r}, db::InstanceQuotaCheck{false});
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) return "";
    const std::string uuid = created->front().uuid;
    EXPECT_TRUE(db::InstanceActionRepository(*db_).start(uuid, "create", request_id, "u1", "p1").ok());
    EXPECT_TRUE(db::PortRepository(*db_).create(network_uuid_, uuid).ok());
    return uuid;
  }

  sdk::RequestSpec spec_for(const sdk::Flavor& f) {
    sdk::RequestSpec spec;
    spec.project_id = "p1";
    spec.user_id = "u1";
    spec.flavor = f;
    spec.image.id = "img-1";
    return spec;
  }

  static sdk::RequestContext ctx(const std::string& request_id = "req-create") {
    return sdk::RequestContext{request_id, "u1", "p1", {"admin"}};
  }

  db::InstanceRecord instance(const std::string& uuid) {
    auto r = db::InstanceRepository(*db_).get(uuid, true);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : db::InstanceRecord{};
  }

  // Waits (bounded) until the instance's vm_state is `state`.
  bool wait_vm_state(const std::string& uuid, const std::string& state) {
    return eventually([&] {
      auto r = db::InstanceRepository(*db_).get(uuid, true);
      return r.ok() && r->vm_state == state;
    }, 5000ms);
  }

  std::optional<db::AllocationRecord> allocation(const std::string& uuid) {
    auto a = db::AllocationRepository(*db_).get(uuid);
    if (!a.ok()) return std::nullopt;
    return *a;
  }

  PluginRegistry registry_;
  scheduler::testing::ManualClock clock_;
  std::shared_ptr<rpc::IoContext> io_;
  std::unique_ptr<rpc::Router> router_;
  std::string address_;
  std::vector<std::unique_ptr<rpc::Endpoint>> endpoints_;
  std::unique_ptr<scheduler::SchedulerService> scheduler_;
  std::unique_ptr<ConductorService> conductor_;
  rpc::Endpoint* api_ep_ = nullptr;
  std::unique_ptr<rpcapi::ConductorRpcApi> api_;
  std::map<std::string, std::unique_ptr<BuildRecorder>> recorders_;
  std::string network_uuid_;
};

}  // namespace stratus::core::conductor::testing
