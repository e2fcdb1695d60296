#include "core/scheduler/filter_chain.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "scheduler_test_support.h"

namespace stratus::core::scheduler {
namespace {

using testing::HostSpec;
using testing::make_flavor;
using testing::make_report;
using testing::make_spec;

class FilterChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::load_builtin_plugins(registry_);
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(cache_.update_from_report(make_report({.name = "c" + std::to_string(i), .memory_mb = 1024})).ok());
    }
  }
  PluginRegistry registry_;
  HostStateCache cache_;
};

TEST_F(FilterChainTest, DefaultConfigBuildsEveryBuiltInFilter) {
  Config config;
  auto chain = FilterChain::from_config(registry_, config);
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_EQ(chain->names(), config.scheduler.enabled_filters);
  HostSnapshot snap = cache_.snapshot();
  FilterRun run = chain->run(snap.hosts(), make_spec(make_flavor(512)));
  EXPECT_EQ(run.hosts.size(), 3u);
  EXPECT_EQ(run.steps.size(), config.scheduler.enabled_filters.size());
  EXPECT_TRUE(run.failure_reason().empty());
  EXPECT_TRUE(run.emptied_by().empty());
}

TEST_F(FilterChainTest, NamesTheFilterThatRemovedTheLastHosts) {
  auto chain = FilterChain::create(registry_, {"compute", "ram", "core"}, {});
  ASSERT_TRUE(chain.ok()) << chain.status();
  HostSnapshot snap = cache_.snapshot();
  FilterRun run = chain->run(snap.hosts(), make_spec(make_flavor(2048)));
  EXPECT_TRUE(run.hosts.empty());
  EXPECT_EQ(run.emptied_by(), "ram");
  ASSERT_EQ(run.steps.size(), 2u);  // core never ran
  EXPECT_EQ(run.failure_reason(), "Filter ram removed the last 3 hosts (compute: 0 removed, ram: 3 removed)");
}

TEST_F(FilterChainTest, CountsWhatEachFilterRemoved) {
  cache_.set_disabled("c0", true);
  ASSERT_TRUE(cache_.update_from_report(make_report({.name = "big", .memory_mb = 8192})).ok());
  auto chain = FilterChain::create(registry_, {"compute", "ram"}, {});
  ASSERT_TRUE(chain.ok());
  HostSnapshot snap = cache_.snapshot();
  FilterRun run = chain->run(snap.hosts(), make_spec(make_flavor(2048)));
  ASSERT_EQ(run.hosts.size(), 1u);
  EXPECT_EQ(run.hosts[0]->host, "big");
  EXPECT_EQ(run.hosts_in, 4u);
  EXPECT_EQ(run.steps[0].removed, 1u);
  EXPECT_EQ(run.steps[1].removed, 2u);
}

TEST_F(FilterChainTest, UnknownOrRepeatedFilterIsRefused) {
  auto missing = FilterChain::create(registry_, {"compute", "no_such_filter"}, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no_such_filter"), std::string::npos) << missing.status();
  auto twice = FilterChain::create(registry_, {"ram", "ram"}, {});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), sdk::StatusCode::kInvalidArgument);
}

TEST_F(FilterChainTest, PluginConfigReachesTheFilter) {
  testing::ConfigTables tables;
  tables.set(sdk::PluginKind::kSchedulerFilter, "num_instances", "max_instances_per_host", std::int64_t{0});
  auto bad = FilterChain::create(registry_, {"num_instances"}, tables.lookup());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("max_instances_per_host"), std::string::npos) << bad.status();
}

// A test double put in place of a real plugin name through the registry.
class ThrowingFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState&, const sdk::RequestSpec&) const override {
    throw std::runtime_error("boom");
  }
};

class NameFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& h, const sdk::RequestSpec&) const override { return h.host != "c1"; }
};

TEST_F(FilterChainTest, InProcessOverrideAndAThrowingFilter) {
  auto named = registry_.override_factory<sdk::SchedulerFilter>(
      "ram", [](const sdk::PluginConfig&) -> sdk::Result<std::unique_ptr<sdk::SchedulerFilter>> {
        return std::unique_ptr<sdk::SchedulerFilter>(std::make_unique<NameFilter>());
      });
  auto throwing = registry_.override_factory<sdk::SchedulerFilter>(
      "thrower", [](const sdk::PluginConfig&) -> sdk::Result<std::unique_ptr<sdk::SchedulerFilter>> {
        return std::unique_ptr<sdk::SchedulerFilter>(std::make_unique<ThrowingFilter>());
      });
  auto chain = FilterChain::create(registry_, {"ram", "thrower"}, {});
  ASSERT_TRUE(chain.ok()) << chain.status();
  HostSnapshot snap = cache_.snapshot();
  FilterRun run = chain->run(snap.hosts(), make_spec(make_flavor(1 << 20)));
  EXPECT_TRUE(run.hosts.empty());
  EXPECT_EQ(run.failure_reason(), "Filter thrower removed the last 2 hosts (ram: 1 removed, thrower: 2 removed)");
}

}  // namespace
}  // namespace stratus::core::scheduler
