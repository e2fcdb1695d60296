// SchedulerService over an inproc router with a real database: reports in,
// placements out, claims in the allocations table, NoValidHost as its own
// remote type, and a restarted scheduler that loads its cache from the
// database.
#include "core/scheduler/scheduler_service.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "core/db/aggregate_repository.h"
#include "core/db/allocation_repository.h"
#include "core/db/compute_node_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/service_repository.h"
#include "core/rpcapi/scheduler_rpcapi.h"
#include "core/rpcapi/topics.h"
#include "db_test_util.h"
#include "rpc_test_util.h"
#include "scheduler_test_support.h"

namespace stratus::core::scheduler {
namespace {

using namespace std::chrono_literals;
using rpc::testing::eventually;

sdk::RequestContext ctx(const std::string& rid = "req-sched-test") { return {rid, "u", "p", {}}; }

class SchedulerServiceTest : public db::testing::DbTest {
 protected:
  void SetUp() override {
    testing::load_builtin_plugins(registry_);
    io_ = std::make_shared<rpc::IoContext>();
    router_ = std::make_unique<rpc::Router>(
        rpc::testing::fast_router_options(io_, {rpc::testing::unique_inproc("scheduler-service-test")}));
    ASSERT_TRUE(router_->start().ok());
    address_ = router_->endpoints().at(0);
    client_ep_ = &add_endpoint("client");
    ASSERT_TRUE(client_ep_->start().ok());
    ASSERT_TRUE(client_ep_->wait_registered(3s));
    client_ = std::make_unique<rpcapi::SchedulerRpcApi>(*client_ep_, 3000ms);
  }
  void TearDown() override {
    for (auto& e : endpoints_) e->stop();
    endpoints_.clear();
    if (router_) router_->stop();
  }

  rpc::Endpoint& add_endpoint(const std::string& name) {
    auto o = rpc::testing::fast_endpoint_options(io_, address_, name);
    o.workers = 4;
    endpoints_.push_back(std::make_unique<rpc::Endpoint>(o));
    return *endpoints_.back();
  }

  // A scheduler service named `host`, registered and started.
  SchedulerService& start_scheduler(const std::string& host, bool load = false) {
    Config config;
    config.host = host;
    auto created = SchedulerService::create(registry_, config, *db_, clock_.fn());
    EXPECT_TRUE(created.ok()) << created.status();
    services_.push_back(std::move(*created));
    if (load) {
      EXPECT_TRUE(services_.back()->load_from_database().ok());
    }
    auto& ep = add_endpoint(host);
    EXPECT_TRUE(services_.back()->register_on(ep).ok());
    EXPECT_TRUE(ep.start().ok());
    EXPECT_TRUE(ep.wait_registered(3s));
    return *services_.back();
  }

  // The compute node in the database (ratios 1.0, as the reports say).
  void add_node(const std::string& host, std::int64_t memory_mb) {
    auto r = testing::make_report(testing::HostSpec{host, memory_mb});
    ASSERT_TRUE(db::ComputeNodeRepository(*db_).upsert(host, r.resources).ok());
    ASSERT_TRUE(db::ComputeNodeRepository(*db_).set_allocation_ratios(host, 1.0, 1.0, 1.0).ok());
  }

  // What the conductor relays: the report goes to every scheduler.
  void report(const std::string& host, std::int64_t memory_mb) {
    rpcapi::NodeReportMsg msg;
    msg.host = host;
    msg.resources = testing::make_report(testing::HostSpec{host, memory_mb}).resources;
    msg.cpu_allocation_ratio = msg.ram_allocation_ratio = msg.disk_allocation_ratio = 1.0;
    ASSERT_TRUE(client_->update_node(ctx(), msg).ok());
    for (auto& s : services_) {
      ASSERT_TRUE(eventually([&] {
        auto state = s->host_state_cache().get(host, host);
        return state && state->total_usable_ram_mb == memory_mb;
      })) << host << " never reached a scheduler";
    }
  }

  sdk::Result<std::vector<rpcapi::SelectionMsg>> select(const std::vector<std::string>& uuids,
                                                        std::int64_t memory_mb = 1024) {
    auto spec = testing::make_spec(testing::make_flavor(memory_mb));
    return client_->select_destinations(ctx(), rpcapi::SelectDestinationsRequest{spec, uuids, 0});
  }

  PluginRegistry registry_;
  testing::ManualClock clock_;
  std::shared_ptr<rpc::IoContext> io_;
  std::unique_ptr<rpc::Router> router_;
  std::string address_;
  std::vector<std::unique_ptr<rpc::Endpoint>> endpoints_;
  std::vector<std::unique_ptr<SchedulerService>> services_;
  rpc::Endpoint* client_ep_ = nullptr;
  std::unique_ptr<rpcapi::SchedulerRpcApi> client_;
};

TEST_F(SchedulerServiceTest, ReportThenScheduleRecordsTheClaimInAllocations) {
  start_scheduler("sched-1");
  add_node("h1", 4096);
  add_node("h2", 2048);
  report("h1", 4096);
  report("h2", 2048);

  auto selected = select({"i-1"});
  ASSERT_TRUE(selected.ok()) << selected.status();
  ASSERT_EQ(selected->size(), 1u);
  EXPECT_EQ(selected->at(0).destination, (rpcapi::DestinationMsg{"h1", "h1"}));  // more free RAM
  ASSERT_EQ(selected->at(0).alternates.size(), 1u);
  EXPECT_EQ(selected->at(0).alternates[0].host, "h2");

  auto a = db::AllocationRepository(*db_).get("i-1");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->node, "h1");
  EXPECT_EQ(a->memory_mb, 1024);

  // Given back as the conductor does: the database row first, then release
  // (fanout) for the caches.
  ASSERT_TRUE(db::AllocationRepository(*db_).release("i-1").ok());
  ASSERT_TRUE(client_->release(ctx(), "i-1").ok());
  EXPECT_TRUE(eventually([&] { return services_[0]->host_state_cache().get("h1", "h1")->free_ram_mb == 4096; }));
}

// A reschedule releases the claim on the failed host, then claims another;
// the release cast for the caches can arrive after that new claim. It must
// not delete it (it did: CI saw a rescheduled build without its claim).
TEST_F(SchedulerServiceTest, ALateReleaseDoesNotDeleteTheNextClaimOfTheInstance) {
  start_scheduler("sched-1");
  add_node("h1", 4096);
  add_node("h2", 2048);
  report("h1", 4096);
  report("h2", 2048);
  ASSERT_TRUE(select({"i-1"}).ok());
  ASSERT_EQ(db::AllocationRepository(*db_).get("i-1")->node, "h1");

  ASSERT_TRUE(db::AllocationRepository(*db_).release("i-1").ok());
  ASSERT_TRUE(client_->claim(ctx(), rpcapi::ClaimMsg{{"h2", "h2"}, "i-1", testing::make_flavor(1024)}).ok());
  ASSERT_TRUE(client_->release(ctx(), "i-1").ok());  // the late one, for h1
  // The cast has been handled once the cache forgot i-1 (h2 no longer counts it).
  ASSERT_TRUE(eventually([&] { return services_[0]->host_state_cache().get("h2", "h2")->free_ram_mb == 2048; }));

  auto a = db::AllocationRepository(*db_).get("i-1");
  ASSERT_TRUE(a.ok()) << "the new claim was deleted: " << a.status();
  EXPECT_EQ(a->node, "h2");
  EXPECT_EQ(a->memory_mb, 1024);
}

TEST_F(SchedulerServiceTest, AggregateZonesReachTheFiltersOnTheNextRequest) {
  start_scheduler("sched-1");
  add_node("h1", 4096);
  add_node("h2", 2048);
  report("h1", 4096);
  report("h2", 2048);
  ASSERT_TRUE(db::ServiceRepository(*db_).register_service("h2", "stratus-compute", "compute").ok());
  auto agg = db::AggregateRepository(*db_).create("rack", std::string("az1"));
  ASSERT_TRUE(agg.ok()) << agg.status();
  ASSERT_TRUE(db::AggregateRepository(*db_).add_host(agg->id, "h2").ok());

  auto spec = testing::make_spec(testing::make_flavor(1024));
  spec.availability_zone = "az1";
  auto in_zone = client_->select_destinations(ctx(), rpcapi::SelectDestinationsRequest{spec, {"i-1"}, 0});
  ASSERT_TRUE(in_zone.ok()) << in_zone.status();
  EXPECT_EQ(in_zone->at(0).destination.host, "h2");  // h1, with more RAM, is in "nova"
  EXPECT_EQ(services_[0]->host_state_cache().get("h2", "h2")->aggregates.at(0).name, "rack");

  spec.availability_zone = "nova";
  auto in_nova = client_->select_destinations(ctx(), rpcapi::SelectDestinationsRequest{spec, {"i-2"}, 0});
  ASSERT_TRUE(in_nova.ok()) << in_nova.status();
  EXPECT_EQ(in_nova->at(0).destination.host, "h1");
  EXPECT_TRUE(in_nova->at(0).alternates.empty());
}

TEST_F(SchedulerServiceTest, ConcurrentRequestsToTwoSchedulersNeverOverfillAHost) {
  start_scheduler("sched-1");
  start_scheduler("sched-2");
  add_node("h1", 4096);
  report("h1", 4096);

  // 4 threads x 3 requests of 1 GB on a 4 GB host, round robin over two
  // schedulers whose caches never see each other's placements.
  std::atomic<int> placed{0}, no_valid_host{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3; ++i) {
        auto r = select({"i-" + std::to_string(t) + "-" + std::to_string(i)});
        if (r.ok()) {
          ++placed;
        } else if (is_no_valid_host(r.status())) {
          ++no_valid_host;
        } else {
          ++other;
          ADD_FAILURE() << r.status();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(placed.load(), 4);
  EXPECT_EQ(no_valid_host.load(), 8);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get("h1")->memory_mb_used, 4096);
  EXPECT_EQ(db::AllocationRepository(*db_).list_for_node("h1")->size(), 4u);
}

TEST_F(SchedulerServiceTest, NoValidHostIsItsOwnRemoteTypeAndNamesTheFilter) {
  start_scheduler("sched-1");
  add_node("h1", 1024);
  report("h1", 1024);

  auto selected = select({"i-1"}, 2048);
  ASSERT_FALSE(selected.ok());
  EXPECT_TRUE(is_no_valid_host(selected.status())) << selected.status();
  EXPECT_NE(selected.status().message().find("Filter ram removed"), std::string::npos) << selected.status();

  // On the wire: remote type "NoValidHost" with Nova's message.
  auto spec = testing::make_spec(testing::make_flavor(2048));
  auto payload = rpc::Payload::of(rpcapi::SelectDestinationsRequest{spec, {"i-2"}, 0});
  ASSERT_TRUE(payload.ok());
  auto raw = client_ep_->call(rpc::Target{.topic = "scheduler", .version = "1.0"}, "select_destinations",
                              payload.value(), rpc::RequestContext::make(), 3000ms);
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.error().code, rpc::Errc::remote);
  EXPECT_EQ(raw.error().type, "NoValidHost");
  EXPECT_EQ(raw.error().message.rfind("No valid host was found.", 0), 0u) << raw.error().message;
  EXPECT_FALSE(db::AllocationRepository(*db_).get("i-1").ok());
}

TEST_F(SchedulerServiceTest, ClaimForARescheduleConflictsWhenTheHostIsFull) {
  start_scheduler("sched-1");
  add_node("h1", 2048);
  report("h1", 2048);
  const auto f = testing::make_flavor(1024);
  EXPECT_TRUE(client_->claim(ctx(), rpcapi::ClaimMsg{{"h1", "h1"}, "i-1", f}).ok());
  EXPECT_TRUE(client_->claim(ctx(), rpcapi::ClaimMsg{{"h1", "h1"}, "i-2", f}).ok());
  auto full = client_->claim(ctx(), rpcapi::ClaimMsg{{"h1", "h1"}, "i-3", f});
  EXPECT_EQ(full.code(), sdk::StatusCode::kConflict) << full;
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get("h1")->memory_mb_used, 2048);
  EXPECT_EQ(services_[0]->host_state_cache().get("h1", "h1")->free_ram_mb, 0);
}

TEST_F(SchedulerServiceTest, DisabledAndSilentHostsAreNotScheduledTo) {
  auto& service = start_scheduler("sched-1");
  add_node("h1", 4096);
  report("h1", 4096);

  ASSERT_TRUE(client_->service_set_disabled(ctx(), rpcapi::ServiceMsg{"h1", "stratus-compute", "compute", true}).ok());
  ASSERT_TRUE(eventually([&] { return service.host_state_cache().get("h1", "h1")->service_disabled; }));
  auto refused = select({"i-1"});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("Filter compute"), std::string::npos) << refused.status();

  ASSERT_TRUE(client_->service_set_disabled(ctx(), rpcapi::ServiceMsg{"h1", "stratus-compute", "compute", false}).ok());
  ASSERT_TRUE(eventually([&] { return !service.host_state_cache().get("h1", "h1")->service_disabled; }));
  EXPECT_TRUE(select({"i-2"}).ok());

  // Silent past service_down_time (60 s by default): down; a heartbeat brings it back.
  clock_.advance(std::chrono::seconds(61));
  EXPECT_FALSE(select({"i-3"}).ok());
  ASSERT_TRUE(client_->service_heartbeat(ctx(), rpcapi::ServiceMsg{"h1", "stratus-compute", "compute", false}).ok());
  ASSERT_TRUE(eventually([&] { return service.host_state_cache().get("h1", "h1")->service_up; }));
  EXPECT_TRUE(select({"i-4"}).ok());
}

TEST_F(SchedulerServiceTest, ARestartedSchedulerLoadsItsCacheFromTheDatabase) {
  for (const char* host : {"h1", "h2", "h3", "h4"}) add_node(host, 4096);
  db::ServiceRepository services(*db_);
  for (const char* host : {"h1", "h2", "h3"}) {
    ASSERT_TRUE(services.register_service(host, "stratus-compute", "compute").ok());
    ASSERT_TRUE(services.heartbeat(host, "stratus-compute").ok());
  }
  ASSERT_TRUE(services.set_disabled("h2", "stratus-compute", true).ok());
  // h3 last beat long ago; h4 has no service record at all.
  ASSERT_TRUE(db_->write("age h3", [](db::Connection& c) {
                  return c.exec("age h3", "UPDATE services SET last_seen_up = '2000-01-01T00:00:00.000000' "
                                          "WHERE host = 'h3'");
                }).ok());
  // An instance already on h1, with its claim.
  db::InstanceRecord rec;
  rec.project_id = "p";
  rec.user_id = "u";
  rec.flavor = testing::make_flavor(1024);
  rec.host = "h1";
  rec.node = "h1";
  auto created = db::InstanceRepository(*db_).create({rec}, db::InstanceQuotaCheck{false});
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string uuid = created->front().uuid;
  ASSERT_TRUE(db::AllocationRepository(*db_).claim("h1", uuid, 1, 1024, 1).ok());

  auto& service = start_scheduler("sched-1", /*load=*/true);
  auto& cache = service.host_state_cache();
  auto h1 = cache.get("h1", "h1");
  ASSERT_TRUE(h1.has_value());
  EXPECT_TRUE(h1->service_up);
  EXPECT_EQ(h1->free_ram_mb, 3072);
  EXPECT_EQ(h1->instance_uuids, std::set<std::string>{uuid});
  EXPECT_DOUBLE_EQ(h1->ram_allocation_ratio, 1.0);
  auto h2 = cache.get("h2", "h2");
  ASSERT_TRUE(h2.has_value());
  EXPECT_TRUE(h2->service_disabled);
  EXPECT_FALSE(cache.get("h3", "h3").has_value());
  EXPECT_FALSE(cache.get("h4", "h4").has_value());

  // It schedules before any report arrives: only h1 qualifies.
  auto selected = select({"i-new"});
  ASSERT_TRUE(selected.ok()) << selected.status();
  EXPECT_EQ(selected->at(0).destination.host, "h1");
  EXPECT_TRUE(selected->at(0).alternates.empty());
}

// Issue #21: the driver capabilities stored with each node (migration 13)
// come back with a restarted scheduler, so a boot that needs a config drive
// goes to the host that can make one before any report arrives.
TEST_F(SchedulerServiceTest, ARestartedSchedulerLoadsTheDriverCapabilitiesToo) {
  db::ServiceRepository services(*db_);
  for (const char* host : {"plain", "drive"}) {
    auto r = testing::make_report(testing::HostSpec{host, host == std::string("plain") ? 65536 : 4096});
    sdk::DriverCapabilities caps;
    caps.supports_config_drive = host == std::string("drive");
    ASSERT_TRUE(db::ComputeNodeRepository(*db_).upsert(host, r.resources, caps).ok());
    ASSERT_TRUE(services.register_service(host, "stratus-compute", "compute").ok());
    ASSERT_TRUE(services.heartbeat(host, "stratus-compute").ok());
  }
  auto& service = start_scheduler("sched-caps", /*load=*/true);
  ASSERT_TRUE(service.host_state_cache().get("drive", "drive")->capabilities.supports_config_drive);
  EXPECT_FALSE(service.host_state_cache().get("plain", "plain")->capabilities.supports_config_drive);

  auto spec = testing::make_spec(testing::make_flavor(512));
  spec.image.properties["img_config_drive"] = "mandatory";
  auto selected = client_->select_destinations(ctx(), rpcapi::SelectDestinationsRequest{spec, {"i-cd"}, 0});
  ASSERT_TRUE(selected.ok()) << selected.status();
  EXPECT_EQ(selected->at(0).destination.host, "drive") << "plain has more RAM but no config drive";
}

// Found by the chaos test (#15): a restarted scheduler loaded nodes without
// their supported instances, so the ImagePropertiesFilter refused every image
// that names an architecture until each host reported again.
TEST_F(SchedulerServiceTest, ARestartedSchedulerLoadsTheSupportedInstancesToo) {
  db::ServiceRepository services(*db_);
  auto r = testing::make_report(testing::HostSpec{"arm", 4096});
  r.resources.supported_instances = {{"aarch64", "qemu", "hvm"}, {"x86_64", "qemu", "hvm"}};
  ASSERT_TRUE(db::ComputeNodeRepository(*db_).upsert("arm", r.resources).ok());
  ASSERT_TRUE(services.register_service("arm", "stratus-compute", "compute").ok());
  ASSERT_TRUE(services.heartbeat("arm", "stratus-compute").ok());

  auto& service = start_scheduler("sched-si", /*load=*/true);
  const auto state = service.host_state_cache().get("arm", "arm");
  ASSERT_TRUE(state.has_value());
  ASSERT_EQ(state->supported_instances.size(), 2u);
  EXPECT_EQ(state->supported_instances[0].arch, "aarch64");
  EXPECT_EQ(state->supported_instances[1].arch, "x86_64");
  EXPECT_EQ(state->supported_instances[1].hv_type, "qemu");
  EXPECT_EQ(state->supported_instances[1].vm_mode, "hvm");
}

}  // namespace
}  // namespace stratus::core::scheduler
