// ram, core and disk filters: the over-commit arithmetic at its boundaries.
#include <gtest/gtest.h>

#include "filter_test_support.h"

namespace stratus::plugins::filters {
namespace {

using testing::host_named;
using testing::make;

sdk::RequestSpec ram_request(std::int64_t memory_mb) {
  sdk::RequestSpec spec;
  spec.flavor.memory_mb = memory_mb;
  return spec;
}

sdk::HostState ram_host(std::int64_t total_mb, std::int64_t free_mb, double ratio = 1.0) {
  sdk::HostState h = host_named("node1");
  h.total_usable_ram_mb = total_mb;
  h.free_ram_mb = free_mb;
  h.ram_allocation_ratio = ratio;
  return h;
}

TEST(FiltersRam, ExactlyEnoughRamPasses) {
  auto filter = make(make_ram_filter);
  EXPECT_TRUE(filter->host_passes(ram_host(2048, 512), ram_request(512)));
}

TEST(FiltersRam, OneMegabyteShortFails) {
  auto filter = make(make_ram_filter);
  EXPECT_FALSE(filter->host_passes(ram_host(2048, 512), ram_request(513)));
}

TEST(FiltersRam, RatioLetsAHostOvercommitExactlyToTheLimit) {
  auto filter = make(make_ram_filter);
  // 1000 MB all used; 1.5 makes the limit 1500, so 500 more fit and 501 do not.
  const sdk::HostState full = ram_host(1000, 0, 1.5);
  EXPECT_TRUE(filter->host_passes(full, ram_request(500)));
  EXPECT_FALSE(filter->host_passes(full, ram_request(501)));
  // Without the ratio the same host takes nothing.
  EXPECT_FALSE(filter->host_passes(ram_host(1000, 0, 1.0), ram_request(1)));
}

TEST(FiltersRam, AlreadyOvercommittedHostCountsWhatIsUsed) {
  auto filter = make(make_ram_filter);
  // Free is negative once a host is over-committed: used 1200 of a 1500 limit.
  const sdk::HostState h = ram_host(1000, -200, 1.5);
  EXPECT_TRUE(filter->host_passes(h, ram_request(300)));
  EXPECT_FALSE(filter->host_passes(h, ram_request(301)));
}

TEST(FiltersRam, RefusesUnknownConfigKeyNamingIt) {
  sdk::PluginConfig config("[filter.ram]");
  config.set("ram_allocation_ratio", 2.0, "/etc/stratus.toml:7");
  auto result = make_ram_filter(config);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "key 'ram_allocation_ratio' in [filter.ram] (/etc/stratus.toml:7): unknown key");
}

sdk::RequestSpec cpu_request(std::int32_t vcpus) {
  sdk::RequestSpec spec;
  spec.flavor.vcpus = vcpus;
  return spec;
}

sdk::HostState cpu_host(std::int32_t total, std::int32_t used, double ratio = 1.0) {
  sdk::HostState h = host_named("node1");
  h.vcpus_total = total;
  h.vcpus_used = used;
  h.cpu_allocation_ratio = ratio;
  return h;
}

TEST(FiltersCore, ExactlyEnoughVcpusPassesOneMoreFails) {
  auto filter = make(make_core_filter);
  EXPECT_TRUE(filter->host_passes(cpu_host(8, 6), cpu_request(2)));
  EXPECT_FALSE(filter->host_passes(cpu_host(8, 6), cpu_request(3)));
}

TEST(FiltersCore, RatioLetsAHostOvercommitExactlyToTheLimit) {
  auto filter = make(make_core_filter);
  // 4 CPUs * 1.5 = 6; 2 used leaves 4.
  EXPECT_TRUE(filter->host_passes(cpu_host(4, 2, 1.5), cpu_request(4)));
  EXPECT_FALSE(filter->host_passes(cpu_host(4, 3, 1.5), cpu_request(4)));
  EXPECT_FALSE(filter->host_passes(cpu_host(4, 2, 1.0), cpu_request(4)));
}

TEST(FiltersCore, InstanceMayNotOvercommitAgainstItself) {
  auto filter = make(make_core_filter);
  // The limit is 16, but a 5-vCPU guest on 4 physical CPUs is refused.
  EXPECT_FALSE(filter->host_passes(cpu_host(4, 0, 4.0), cpu_request(5)));
  EXPECT_TRUE(filter->host_passes(cpu_host(4, 0, 4.0), cpu_request(4)));
}

TEST(FiltersCore, UnknownCpuCountPasses) {
  auto filter = make(make_core_filter);
  EXPECT_TRUE(filter->host_passes(cpu_host(0, 0), cpu_request(64)));
}

TEST(FiltersCore, RefusesAnyConfigKey) {
  sdk::PluginConfig config("[filter.core]");
  config.set("cpu_allocation_ratio", 16.0);
  EXPECT_FALSE(make_core_filter(config).ok());
}

sdk::RequestSpec disk_request(std::int64_t root_gb, std::int64_t ephemeral_gb = 0, std::int64_t swap_mb = 0) {
  sdk::RequestSpec spec;
  spec.flavor.root_gb = root_gb;
  spec.flavor.ephemeral_gb = ephemeral_gb;
  spec.flavor.swap_mb = swap_mb;
  return spec;
}

sdk::HostState disk_host(std::int64_t total_gb, std::int64_t free_mb, double ratio = 1.0) {
  sdk::HostState h = host_named("node1");
  h.total_usable_disk_gb = total_gb;
  h.free_disk_mb = free_mb;
  h.disk_allocation_ratio = ratio;
  return h;
}

TEST(FiltersDisk, RootAndEphemeralExactlyFit) {
  auto filter = make(make_disk_filter);
  const sdk::HostState h = disk_host(10, 2048);
  EXPECT_TRUE(filter->host_passes(h, disk_request(1, 1)));
  EXPECT_TRUE(filter->host_passes(h, disk_request(2)));
  EXPECT_FALSE(filter->host_passes(h, disk_request(2, 1)));
}

TEST(FiltersDisk, SwapCountsInMegabytes) {
  auto filter = make(make_disk_filter);
  const sdk::HostState h = disk_host(10, 2048);
  EXPECT_TRUE(filter->host_passes(h, disk_request(1, 0, 1024)));
  EXPECT_FALSE(filter->host_passes(h, disk_request(1, 0, 1025)));
  EXPECT_FALSE(filter->host_passes(h, disk_request(1, 1, 1)));
}

TEST(FiltersDisk, RatioLetsAHostOvercommitExactlyToTheLimit) {
  auto filter = make(make_disk_filter);
  // 10 GB all used; 1.5 makes the limit 15 GB, so 5 GB more fit.
  const sdk::HostState full = disk_host(10, 0, 1.5);
  EXPECT_TRUE(filter->host_passes(full, disk_request(5)));
  EXPECT_TRUE(filter->host_passes(full, disk_request(3, 1, 1024)));
  EXPECT_FALSE(filter->host_passes(full, disk_request(5, 0, 1)));
  EXPECT_FALSE(filter->host_passes(disk_host(10, 0, 1.0), disk_request(1)));
}

TEST(FiltersDisk, RefusesAnyConfigKey) {
  sdk::PluginConfig config("[filter.disk]");
  config.set("x", true);
  EXPECT_FALSE(make_disk_filter(config).ok());
}

}  // namespace
}  // namespace stratus::plugins::filters
