// compute, availability_zone, num_instances, same_host and different_host.
#include <gtest/gtest.h>

#include "filter_test_support.h"

namespace stratus::plugins::filters {
namespace {

using testing::host_named;
using testing::make;

TEST(FiltersCompute, UpAndEnabledPasses) {
  auto filter = make(make_compute_filter);
  EXPECT_TRUE(filter->host_passes(host_named("node1"), sdk::RequestSpec{}));
}

TEST(FiltersCompute, DownOrDisabledFails) {
  auto filter = make(make_compute_filter);
  sdk::HostState down = host_named("node1");
  down.service_up = false;
  sdk::HostState disabled = host_named("node2");
  disabled.service_disabled = true;
  EXPECT_FALSE(filter->host_passes(down, sdk::RequestSpec{}));
  EXPECT_FALSE(filter->host_passes(disabled, sdk::RequestSpec{}));
}

TEST(FiltersCompute, RefusesAnyConfigKey) {
  sdk::PluginConfig config("[filter.compute]");
  config.set("enabled", true);
  auto result = make_compute_filter(config);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "key 'enabled' in [filter.compute]: unknown key");
}

TEST(FiltersAvailabilityZone, NoRequestedZonePassesEveryZone) {
  auto filter = make(make_availability_zone_filter);
  sdk::HostState h = host_named("node1");
  h.availability_zone = "az2";
  EXPECT_TRUE(filter->host_passes(h, sdk::RequestSpec{}));
}

TEST(FiltersAvailabilityZone, RequestedZoneMustEqualHostZone) {
  auto filter = make(make_availability_zone_filter);
  sdk::HostState h = host_named("node1");
  h.availability_zone = "az1";
  sdk::RequestSpec spec;
  spec.availability_zone = "az1";
  EXPECT_TRUE(filter->host_passes(h, spec));
  spec.availability_zone = "az2";
  EXPECT_FALSE(filter->host_passes(h, spec));
  spec.availability_zone = "AZ1";
  EXPECT_FALSE(filter->host_passes(h, spec));
}

sdk::HostState with_instances(std::int32_t n) {
  sdk::HostState h = host_named("node1");
  h.num_instances = n;
  return h;
}

TEST(FiltersNumInstances, DefaultLimitIsFifty) {
  auto filter = make(make_num_instances_filter);
  EXPECT_TRUE(filter->host_passes(with_instances(49), sdk::RequestSpec{}));
  EXPECT_FALSE(filter->host_passes(with_instances(50), sdk::RequestSpec{}));
}

TEST(FiltersNumInstances, ConfiguredLimit) {
  sdk::PluginConfig config("[filter.num_instances]");
  config.set("max_instances_per_host", std::int64_t{3});
  auto filter = testing::must(make_num_instances_filter(config));
  EXPECT_TRUE(filter->host_passes(with_instances(2), sdk::RequestSpec{}));
  EXPECT_FALSE(filter->host_passes(with_instances(3), sdk::RequestSpec{}));
}

TEST(FiltersNumInstances, RefusesWrongTypeWithPluginConfigMessage) {
  sdk::PluginConfig config("[filter.num_instances]");
  config.set("max_instances_per_host", std::string("ten"), "stratus.toml:3");
  auto result = make_num_instances_filter(config);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "key 'max_instances_per_host' in [filter.num_instances] (stratus.toml:3): expected integer, got string");
}

TEST(FiltersNumInstances, RefusesLimitBelowOne) {
  sdk::PluginConfig config("[filter.num_instances]");
  config.set("max_instances_per_host", std::int64_t{0});
  auto result = make_num_instances_filter(config);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "key 'max_instances_per_host' in [filter.num_instances]: must be at least 1, got 0");
}

TEST(FiltersNumInstances, RefusesUnknownKey) {
  sdk::PluginConfig config("[filter.num_instances]");
  config.set("max_instances", std::int64_t{10});
  auto result = make_num_instances_filter(config);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "key 'max_instances' in [filter.num_instances]: unknown key");
}

sdk::HostState running(std::string name, std::set<std::string> uuids) {
  sdk::HostState h = host_named(std::move(name));
  h.instance_uuids = std::move(uuids);
  return h;
}

sdk::RequestSpec hinted(const std::string& key, std::vector<std::string> uuids) {
  sdk::RequestSpec spec;
  spec.scheduler_hints[key] = std::move(uuids);
  return spec;
}

TEST(FiltersSameHost, NoHintPasses) {
  auto filter = make(make_same_host_filter);
  EXPECT_TRUE(filter->host_passes(running("node1", {}), sdk::RequestSpec{}));
  EXPECT_TRUE(filter->host_passes(running("node1", {}), hinted("same_host", {})));
}

TEST(FiltersSameHost, HostWithAnyHintedInstancePasses) {
  auto filter = make(make_same_host_filter);
  const auto spec = hinted("same_host", {"uuid-a", "uuid-b"});
  EXPECT_TRUE(filter->host_passes(running("node1", {"uuid-b", "uuid-x"}), spec));
  EXPECT_FALSE(filter->host_passes(running("node2", {"uuid-x"}), spec));
  EXPECT_FALSE(filter->host_passes(running("node3", {}), spec));
}

TEST(FiltersSameHost, IgnoresTheOtherHint) {
  auto filter = make(make_same_host_filter);
  EXPECT_TRUE(filter->host_passes(running("node1", {}), hinted("different_host", {"uuid-a"})));
}

TEST(FiltersDifferentHost, NoHintPasses) {
  auto filter = make(make_different_host_filter);
  EXPECT_TRUE(filter->host_passes(running("node1", {"uuid-a"}), sdk::RequestSpec{}));
  EXPECT_TRUE(filter->host_passes(running("node1", {"uuid-a"}), hinted("different_host", {})));
}

TEST(FiltersDifferentHost, HostWithAnyHintedInstanceFails) {
  auto filter = make(make_different_host_filter);
  const auto spec = hinted("different_host", {"uuid-a", "uuid-b"});
  EXPECT_FALSE(filter->host_passes(running("node1", {"uuid-b", "uuid-x"}), spec));
  EXPECT_TRUE(filter->host_passes(running("node2", {"uuid-x"}), spec));
  EXPECT_TRUE(filter->host_passes(running("node3", {}), spec));
}

TEST(FiltersDifferentHost, IgnoresTheOtherHint) {
  auto filter = make(make_different_host_filter);
  EXPECT_TRUE(filter->host_passes(running("node1", {"uuid-a"}), hinted("same_host", {"uuid-a"})));
}

TEST(FiltersBatch, DefaultFilterAllEqualsPerHostAndSkipsNull) {
  auto filter = make(make_different_host_filter);
  std::vector<sdk::HostState> hosts = {running("a", {"u1"}), running("b", {}), running("c", {"u2"}), running("d", {})};
  auto ptrs = testing::pointers(hosts);
  ptrs.insert(ptrs.begin() + 1, nullptr);
  const auto spec = hinted("different_host", {"u1", "u2"});
  const auto batch = filter->filter_all(ptrs, spec);
  EXPECT_EQ(batch, testing::passing_one_by_one(*filter, ptrs, spec));
  EXPECT_EQ(batch, (std::vector<const sdk::HostState*>{&hosts[1], &hosts[3]}));
}

}  // namespace
}  // namespace stratus::plugins::filters
