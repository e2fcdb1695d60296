// ram, cpu, disk and num_instances weighers: raw weights, multipliers, config.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "stratus/plugins/weighers/weighers.h"

namespace stratus::plugins::weighers {
namespace {

using Factory = WeigherResult (*)(const sdk::PluginConfig&);

std::unique_ptr<sdk::SchedulerWeigher> must(WeigherResult result) {
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return nullptr;
  return std::move(result).value();
}

std::unique_ptr<sdk::SchedulerWeigher> make(Factory factory) { return must(factory(sdk::PluginConfig("[weigher.w]"))); }

std::unique_ptr<sdk::SchedulerWeigher> make_with(Factory factory, sdk::ConfigValue multiplier) {
  sdk::PluginConfig config("[weigher.w]");
  config.set("multiplier", std::move(multiplier));
  return must(factory(config));
}

TEST(WeighersRam, RawIsFreeRamWithTheAllocationRatio) {
  auto weigher = make(make_ram_weigher);
  sdk::HostState h;
  h.total_usable_ram_mb = 1000;
  h.free_ram_mb = 400;
  EXPECT_DOUBLE_EQ(weigher->weigh(h, sdk::RequestSpec{}), 400.0);
  h.ram_allocation_ratio = 1.5;  // limit 1500, used 600
  EXPECT_DOUBLE_EQ(weigher->weigh(h, sdk::RequestSpec{}), 900.0);
  h.free_ram_mb = -200;  // over-committed: used 1200
  EXPECT_DOUBLE_EQ(weigher->weigh(h, sdk::RequestSpec{}), 300.0);
}

TEST(WeighersCpu, RawIsFreeVcpusWithTheAllocationRatio) {
  auto weigher = make(make_cpu_weigher);
  sdk::HostState h;
  h.vcpus_total = 8;
  h.vcpus_used = 3;
  EXPECT_DOUBLE_EQ(weigher->weigh(h, sdk::RequestSpec{}), 5.0);
  h.cpu_allocation_ratio = 2.0;
  EXPECT_DOUBLE_EQ(weigher->weigh(h, sdk::RequestSpec{}), 13.0);
}

TEST(WeighersDisk, RawIsFreeDiskMegabytes) {
  auto weigher = make(make_disk_weigher);
  sdk::HostState h;
  h.total_usable_disk_gb = 100;
  h.free_disk_mb = 2048;
  EXPECT_DOUBLE_EQ(weigher->weigh(h, sdk::RequestSpec{}), 2048.0);
}

TEST(WeighersNumInstances, RawIsTheInstanceCount) {
  auto weigher = make(make_num_instances_weigher);
  sdk::HostState h;
  h.num_instances = 7;
  EXPECT_DOUBLE_EQ(weigher->weigh(h, sdk::RequestSpec{}), 7.0);
}

TEST(WeighersMultiplier, DefaultsAreNovas) {
  EXPECT_DOUBLE_EQ(make(make_ram_weigher)->multiplier(), 1.0);
  EXPECT_DOUBLE_EQ(make(make_cpu_weigher)->multiplier(), 1.0);
  EXPECT_DOUBLE_EQ(make(make_disk_weigher)->multiplier(), 1.0);
  EXPECT_DOUBLE_EQ(make(make_num_instances_weigher)->multiplier(), 0.0);
}

TEST(WeighersMultiplier, ConfiguredValueIsReturned) {
  for (Factory f : {make_ram_weigher, make_cpu_weigher, make_disk_weigher, make_num_instances_weigher}) {
    EXPECT_DOUBLE_EQ(make_with(f, -1.0)->multiplier(), -1.0);
    EXPECT_DOUBLE_EQ(make_with(f, 2.5)->multiplier(), 2.5);
    EXPECT_DOUBLE_EQ(make_with(f, std::int64_t{3})->multiplier(), 3.0);  // integers accepted
  }
}

TEST(WeighersMultiplier, DoesNotChangeTheRawWeight) {
  auto weigher = make_with(make_num_instances_weigher, -1.0);
  sdk::HostState h;
  h.num_instances = 4;
  EXPECT_DOUBLE_EQ(weigher->weigh(h, sdk::RequestSpec{}), 4.0);
}

TEST(WeighersConfig, RefusesWrongTypeWithPluginConfigMessage) {
  sdk::PluginConfig config("[weigher.ram]");
  config.set("multiplier", std::string("high"), "stratus.toml:9");
  auto result = make_ram_weigher(config);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "key 'multiplier' in [weigher.ram] (stratus.toml:9): expected float, got string");
}

TEST(WeighersConfig, RefusesUnknownKey) {
  for (Factory f : {make_ram_weigher, make_cpu_weigher, make_disk_weigher, make_num_instances_weigher}) {
    sdk::PluginConfig config("[weigher.w]");
    config.set("multipler", 2.0);
    auto result = f(config);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().message(), "key 'multipler' in [weigher.w]: unknown key");
  }
}

TEST(WeighersConfig, RefusesNonFiniteMultiplier) {
  sdk::PluginConfig config("[weigher.cpu]");
  config.set("multiplier", std::numeric_limits<double>::infinity());
  auto result = make_cpu_weigher(config);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "key 'multiplier' in [weigher.cpu]: must be finite");
  config.set("multiplier", std::nan(""));
  EXPECT_FALSE(make_cpu_weigher(config).ok());
}

TEST(WeighersBatch, WeighAllEqualsWeighPerHost) {
  std::vector<sdk::HostState> hosts(3);
  for (int i = 0; i < 3; ++i) {
    hosts[i].total_usable_ram_mb = 4096;
    hosts[i].free_ram_mb = 1024 * i;
    hosts[i].vcpus_total = 16;
    hosts[i].vcpus_used = i;
    hosts[i].free_disk_mb = 100 * i;
    hosts[i].num_instances = 10 - i;
  }
  std::vector<const sdk::HostState*> ptrs = {&hosts[0], &hosts[1], &hosts[2]};
  for (Factory f : {make_ram_weigher, make_cpu_weigher, make_disk_weigher, make_num_instances_weigher}) {
    auto weigher = make(f);
    const auto all = weigher->weigh_all(ptrs, sdk::RequestSpec{});
    ASSERT_EQ(all.size(), hosts.size());
    for (std::size_t i = 0; i < hosts.size(); ++i) EXPECT_DOUBLE_EQ(all[i], weigher->weigh(hosts[i], sdk::RequestSpec{}));
  }
}

}  // namespace
}  // namespace stratus::plugins::weighers
