#include "core/scheduler/weigher_chain.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>

#include "scheduler_test_support.h"

namespace stratus::core::scheduler {
namespace {

using testing::make_flavor;
using testing::make_report;
using testing::make_spec;

TEST(Normalize, NovaSemantics) {
  EXPECT_TRUE(normalize(std::vector<double>{}).empty());
  EXPECT_EQ(normalize(std::vector<double>{42.0}), (std::vector<double>{0.0}));
  EXPECT_EQ(normalize(std::vector<double>{3.0, 3.0, 3.0}), (std::vector<double>{0.0, 0.0, 0.0}));
  EXPECT_EQ(normalize(std::vector<double>{1.0, 3.0, 2.0}), (std::vector<double>{0.0, 1.0, 0.5}));
  EXPECT_EQ(normalize(std::vector<double>{-10.0, 10.0}), (std::vector<double>{0.0, 1.0}));
}

TEST(Normalize, NonFiniteValuesCountAsTheMinimum) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(normalize(std::vector<double>{nan, 1.0, 3.0}), (std::vector<double>{0.0, 0.0, 1.0}));
  EXPECT_EQ(normalize(std::vector<double>{inf, 5.0, 5.0}), (std::vector<double>{0.0, 0.0, 0.0}));
  EXPECT_EQ(normalize(std::vector<double>{nan, nan}), (std::vector<double>{0.0, 0.0}));
}

class CountingWeigher final : public sdk::SchedulerWeigher {
 public:
  explicit CountingWeigher(std::atomic<int>* calls) : calls_(calls) {}
  double weigh(const sdk::HostState& h, const sdk::RequestSpec&) const override {
    ++*calls_;
    return static_cast<double>(h.free_ram_mb);
  }

 private:
  std::atomic<int>* calls_;
};

class WeigherChainTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::load_builtin_plugins(registry_); }
  PluginRegistry registry_;
  HostStateCache cache_;
};

TEST_F(WeigherChainTest, DefaultConfigRanksByFreeRam) {
  for (auto [name, mem] : {std::pair{"a", 2048}, {"b", 8192}, {"c", 4096}}) {
    ASSERT_TRUE(cache_.update_from_report(make_report({.name = name, .memory_mb = mem})).ok());
  }
  auto chain = WeigherChain::from_config(registry_, Config{});
  ASSERT_TRUE(chain.ok()) << chain.status();
  HostSnapshot snap = cache_.snapshot();
  auto ranked = chain->weigh(snap.hosts(), make_spec(make_flavor(512)));
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].host->host, "b");
  EXPECT_EQ(ranked[1].host->host, "c");
  EXPECT_EQ(ranked[2].host->host, "a");
  // ram weigher 1.0 * normalised; cpu and disk are equal everywhere, so 0.
  EXPECT_DOUBLE_EQ(ranked[0].weight, 1.0);
  EXPECT_NEAR(ranked[1].weight, 2048.0 / 6144.0, 1e-12);
  EXPECT_DOUBLE_EQ(ranked[2].weight, 0.0);
}

TEST_F(WeigherChainTest, OneHostIsNotWeighedAndEqualHostsKeepTheirOrder) {
  std::atomic<int> calls{0};
  auto handle = registry_.override_factory<sdk::SchedulerWeigher>(
      "counting", [&calls](const sdk::PluginConfig&) -> sdk::Result<std::unique_ptr<sdk::SchedulerWeigher>> {
        return std::unique_ptr<sdk::SchedulerWeigher>(std::make_unique<CountingWeigher>(&calls));
      });
  auto chain = WeigherChain::create(registry_, {"counting"}, {});
  ASSERT_TRUE(chain.ok()) << chain.status();

  ASSERT_TRUE(cache_.update_from_report(make_report({.name = "only"})).ok());
  {
    HostSnapshot snap = cache_.snapshot();
    auto ranked = chain->weigh(snap.hosts(), make_spec(make_flavor(512)));
    ASSERT_EQ(ranked.size(), 1u);
    EXPECT_EQ(ranked[0].weight, 0.0);
    EXPECT_EQ(calls.load(), 0);
  }
  for (const char* name : {"b", "c", "a"}) ASSERT_TRUE(cache_.update_from_report(make_report({.name = name})).ok());
  HostSnapshot snap = cache_.snapshot();
  auto ranked = chain->weigh(snap.hosts(), make_spec(make_flavor(512)));
  ASSERT_EQ(ranked.size(), 4u);
  EXPECT_EQ(calls.load(), 4);
  const char* expected[] = {"a", "b", "c", "only"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(ranked[i].host->host, expected[i]);
    EXPECT_EQ(ranked[i].weight, 0.0);
  }
}

TEST_F(WeigherChainTest, MultipliersScaleNormalisedWeights) {
  testing::ConfigTables tables;
  tables.set(sdk::PluginKind::kSchedulerWeigher, "ram", "multiplier", 2.0);
  tables.set(sdk::PluginKind::kSchedulerWeigher, "num_instances", "multiplier", -1.0);
  ASSERT_TRUE(cache_.update_from_report(make_report({.name = "a", .memory_mb = 4096, .running_vms = 0})).ok());
  ASSERT_TRUE(cache_.update_from_report(make_report({.name = "b", .memory_mb = 8192, .running_vms = 10})).ok());
  auto chain = WeigherChain::create(registry_, {"ram", "num_instances"}, tables.lookup());
  ASSERT_TRUE(chain.ok()) << chain.status();
  HostSnapshot snap = cache_.snapshot();
  auto ranked = chain->weigh(snap.hosts(), make_spec(make_flavor(512)));
  // b: 2 * 1 + -1 * 1 = 1; a: 2 * 0 + -1 * 0 = 0.
  EXPECT_EQ(ranked[0].host->host, "b");
  EXPECT_DOUBLE_EQ(ranked[0].weight, 1.0);
  EXPECT_DOUBLE_EQ(ranked[1].weight, 0.0);
}

TEST_F(WeigherChainTest, UnknownOrRepeatedWeigherIsRefused) {
  auto missing = WeigherChain::create(registry_, {"no_such_weigher"}, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no_such_weigher"), std::string::npos) << missing.status();
  EXPECT_EQ(WeigherChain::create(registry_, {"ram", "ram"}, {}).status().code(), sdk::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stratus::core::scheduler
