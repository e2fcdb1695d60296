#include "core/scheduler/host_state_cache.h"

#include <gtest/gtest.h>

#include "scheduler_test_support.h"

namespace stratus::core::scheduler {
namespace {

using testing::HostSpec;
using testing::make_flavor;
using testing::make_report;
using testing::ManualClock;

TEST(HostStateCache, ReportBecomesHostState) {
  ManualClock clock;
  HostStateCache cache(std::chrono::seconds(60), clock.fn());
  NodeReport r = make_report({.name = "c1", .memory_mb = 4096, .vcpus = 4, .disk_gb = 40, .memory_mb_used = 1024,
                              .running_vms = 2, .zone = "az1"});
  r.resources.vcpus_used = 3;
  r.resources.local_gb_used = 10;
  r.allocation_ratios = {.cpu = 4.0, .ram = 1.5, .disk = 1.0};
  r.aggregates = {{"ssd", {{"ssd", "true"}}}};
  ASSERT_TRUE(cache.update_from_report(r).ok());

  auto h = cache.get("c1", "c1");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->availability_zone, "az1");
  EXPECT_EQ(h->total_usable_ram_mb, 4096);
  EXPECT_EQ(h->free_ram_mb, 3072);
  EXPECT_EQ(h->total_usable_disk_gb, 40);
  EXPECT_EQ(h->free_disk_mb, 30 * 1024);
  EXPECT_EQ(h->vcpus_total, 4);
  EXPECT_EQ(h->vcpus_used, 3);
  EXPECT_EQ(h->num_instances, 2);
  EXPECT_DOUBLE_EQ(h->cpu_allocation_ratio, 4.0);
  EXPECT_DOUBLE_EQ(h->ram_allocation_ratio, 1.5);
  ASSERT_EQ(h->aggregates.size(), 1u);
  EXPECT_EQ(h->aggregates[0].name, "ssd");
  EXPECT_EQ(h->hypervisor_type, "fake");
  EXPECT_TRUE(h->service_up);
  EXPECT_FALSE(h->service_disabled);
}

TEST(HostStateCache, NodenameDefaultsToHypervisorHostnameThenHost) {
  HostStateCache cache;
  NodeReport r = make_report({.name = "c1"});
  r.nodename.clear();
  r.resources.hypervisor_hostname = "c1.example";
  ASSERT_TRUE(cache.update_from_report(r).ok());
  EXPECT_TRUE(cache.get("c1", "c1.example").has_value());
  r.resources.hypervisor_hostname.clear();
  ASSERT_TRUE(cache.update_from_report(r).ok());
  EXPECT_TRUE(cache.get("c1", "c1").has_value());

  NodeReport nameless = make_report({.name = ""});
  EXPECT_EQ(cache.update_from_report(nameless).code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(cache.node_count(), 2u);
}

TEST(HostStateCache, ConsumeAndReleaseMoveResourcesAndInstanceList) {
  HostStateCache cache;
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "c1", .memory_mb = 4096, .vcpus = 4, .disk_gb = 40})).ok());
  sdk::Flavor f = make_flavor(1024, 2, 5);
  f.ephemeral_gb = 1;
  f.swap_mb = 512;
  ASSERT_TRUE(cache.consume_from_request("c1", "c1", f, "i-1").ok());
  auto h = cache.get("c1", "c1");
  EXPECT_EQ(h->free_ram_mb, 3072);
  EXPECT_EQ(h->free_disk_mb, 40 * 1024 - (6 * 1024 + 512));
  EXPECT_EQ(h->vcpus_used, 2);
  EXPECT_EQ(h->num_instances, 1);
  EXPECT_EQ(h->instance_uuids.count("i-1"), 1u);

  // A report replaces usage but keeps the instance list.
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "c1", .memory_mb = 4096, .vcpus = 4, .disk_gb = 40,
                                                    .memory_mb_used = 1024, .running_vms = 1}))
                  .ok());
  h = cache.get("c1", "c1");
  EXPECT_EQ(h->free_ram_mb, 3072);
  EXPECT_EQ(h->instance_uuids.count("i-1"), 1u);

  EXPECT_TRUE(cache.release_instance("i-1"));
  h = cache.get("c1", "c1");
  EXPECT_EQ(h->free_ram_mb, 4096);
  EXPECT_EQ(h->num_instances, 0);
  EXPECT_EQ(h->instance_uuids.count("i-1"), 0u);
  EXPECT_FALSE(cache.release_instance("i-1"));

  EXPECT_EQ(cache.consume_from_request("nope", "nope", f, "i-2").code(), sdk::StatusCode::kNotFound);
}

TEST(HostStateCache, ConsumingAnInstanceTwiceMovesIt) {
  HostStateCache cache;
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "a", .memory_mb = 4096})).ok());
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "b", .memory_mb = 4096})).ok());
  ASSERT_TRUE(cache.consume_from_request("a", "a", make_flavor(1024), "i-1").ok());
  ASSERT_TRUE(cache.consume_from_request("b", "b", make_flavor(1024), "i-1").ok());
  EXPECT_EQ(cache.get("a", "a")->free_ram_mb, 4096);
  EXPECT_EQ(cache.get("a", "a")->instance_uuids.size(), 0u);
  EXPECT_EQ(cache.get("b", "b")->free_ram_mb, 3072);
}

TEST(HostStateCache, SnapshotIsUnaffectedByLaterChanges) {
  HostStateCache cache;
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "b", .memory_mb = 4096})).ok());
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "a", .memory_mb = 4096})).ok());
  HostSnapshot before = cache.snapshot();
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before.hosts()[0]->host, "a");  // ordered by host name
  ASSERT_TRUE(cache.consume_from_request("a", "a", make_flavor(1024), "i-1").ok());
  ASSERT_TRUE(cache.remove_node("b", "b").ok());
  EXPECT_EQ(before.hosts()[0]->free_ram_mb, 4096);
  EXPECT_EQ(before.hosts()[1]->host, "b");
  HostSnapshot after = cache.snapshot();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after.hosts()[0]->free_ram_mb, 3072);
  EXPECT_EQ(cache.remove_node("b", "b").code(), sdk::StatusCode::kNotFound);
}

TEST(HostStateCache, HostSilentLongerThanServiceDownTimeIsDown) {
  ManualClock clock;
  HostStateCache cache(std::chrono::seconds(60), clock.fn());
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "a"})).ok());
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "b"})).ok());
  clock.advance(std::chrono::seconds(60));
  EXPECT_TRUE(cache.snapshot().hosts()[0]->service_up);  // exactly service_down_time: still up, as Nova
  clock.advance(std::chrono::seconds(1));
  cache.heartbeat("b");
  HostSnapshot snap = cache.snapshot();
  EXPECT_FALSE(snap.hosts()[0]->service_up);
  EXPECT_TRUE(snap.hosts()[1]->service_up);
  EXPECT_FALSE(cache.get("a", "a")->service_up);
  // A report brings it back.
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "a"})).ok());
  EXPECT_TRUE(cache.snapshot().hosts()[0]->service_up);
}

TEST(HostStateCache, DisabledFlagSurvivesReportsAndMayPrecedeThem) {
  HostStateCache cache;
  cache.set_disabled("a", true);
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "a"})).ok());
  EXPECT_TRUE(cache.snapshot().hosts()[0]->service_disabled);
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "a"})).ok());
  EXPECT_TRUE(cache.get("a", "a")->service_disabled);
  cache.set_disabled("a", false);
  EXPECT_FALSE(cache.snapshot().hosts()[0]->service_disabled);
}

TEST(HostStateCache, SetInstancesReplacesTheList) {
  HostStateCache cache;
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "a"})).ok());
  ASSERT_TRUE(cache.set_instances("a", {"x", "y"}).ok());
  EXPECT_EQ(cache.get("a", "a")->instance_uuids, (std::set<std::string>{"x", "y"}));
  EXPECT_TRUE(cache.release_instance("x"));
  EXPECT_EQ(cache.get("a", "a")->instance_uuids, (std::set<std::string>{"y"}));
  EXPECT_EQ(cache.set_instances("nope", {}).code(), sdk::StatusCode::kNotFound);
}

TEST(HostStateCache, HostAggregatesGiveZonesAndOutliveReports) {
  ManualClock clock;
  HostStateCache cache(std::chrono::seconds(60), clock.fn());
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "c1"})).ok());
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "c2"})).ok());
  auto before = cache.snapshot();

  std::map<std::string, std::vector<sdk::Aggregate>, std::less<>> by_host;
  by_host["c1"] = {{"rack", {{"availability_zone", "az1"}, {"ssd", "true"}}}};
  cache.set_host_aggregates(by_host);
  EXPECT_EQ(cache.get("c1", "c1")->availability_zone, "az1");
  ASSERT_EQ(cache.get("c1", "c1")->aggregates.size(), 1u);
  EXPECT_EQ(cache.get("c2", "c2")->availability_zone, "nova");
  EXPECT_TRUE(cache.get("c2", "c2")->aggregates.empty());
  // A snapshot taken before keeps its view.
  EXPECT_EQ(before.hosts()[0]->availability_zone, "nova");

  // The next report of c1 (which knows no aggregates) keeps them.
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "c1"})).ok());
  EXPECT_EQ(cache.get("c1", "c1")->availability_zone, "az1");

  // Out of every aggregate: back to the default zone.
  cache.set_host_aggregates({});
  EXPECT_EQ(cache.get("c1", "c1")->availability_zone, "nova");
  EXPECT_TRUE(cache.get("c1", "c1")->aggregates.empty());
}

TEST(HostStateCache, UnchangedAggregatesLeaveTheStatesAloneAndAChangedValueIsApplied) {
  ManualClock clock;
  HostStateCache cache(std::chrono::seconds(60), clock.fn());
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "c1"})).ok());
  std::map<std::string, std::vector<sdk::Aggregate>, std::less<>> by_host;
  by_host["c1"] = {{"rack", {{"availability_zone", "az1"}}}};
  cache.set_host_aggregates(by_host);
  const auto first = cache.snapshot();
  ASSERT_EQ(first.size(), 1u);

  // What every select passes when nothing changed: the very same state.
  cache.set_host_aggregates(by_host);
  EXPECT_EQ(cache.snapshot().hosts()[0], first.hosts()[0]);

  // Same aggregate name, another zone: applied.
  by_host["c1"][0].metadata["availability_zone"] = "az2";
  cache.set_host_aggregates(by_host);
  EXPECT_EQ(cache.get("c1", "c1")->availability_zone, "az2");
  EXPECT_EQ(first.hosts()[0]->availability_zone, "az1");

  // A host that reports after the aggregates were set gets them too.
  by_host["c2"] = {{"rack", {{"availability_zone", "az2"}}}};
  cache.set_host_aggregates(by_host);
  ASSERT_TRUE(cache.update_from_report(make_report({.name = "c2"})).ok());
  EXPECT_EQ(cache.get("c2", "c2")->availability_zone, "az2");
}

}  // namespace
}  // namespace stratus::core::scheduler
