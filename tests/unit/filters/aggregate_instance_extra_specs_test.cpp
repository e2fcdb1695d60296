// extra_specs_ops and the aggregate_instance_extra_specs filter.
#include <gtest/gtest.h>

#include "filter_test_support.h"
#include "stratus/plugins/filters/extra_specs_ops.h"

namespace stratus::plugins::filters {
namespace {

using testing::host_named;
using testing::make;

struct OpCase {
  const char* value;
  const char* requirement;
  bool matches;
};

void expect_cases(const std::vector<OpCase>& cases) {
  for (const OpCase& c : cases) {
    EXPECT_EQ(extra_specs_match(c.value, c.requirement), c.matches)
        << "value '" << c.value << "' requirement '" << c.requirement << "'";
  }
}

TEST(FiltersExtraSpecsOps, LiteralWithoutOperator) {
  expect_cases({{"true", "true", true},
                {"True", "true", false},
                {"a b", "a b", true},     // not an operator: compared whole
                {"a", " a", false},       // ... spaces and all
                {"", "", true},
                {"ssd", "hdd", false}});
}

TEST(FiltersExtraSpecsOps, EqualsSignMeansAtLeast) {
  expect_cases({{"2", "= 1", true}, {"1", "= 1", true}, {"0.5", "= 1", false}, {"x", "= 1", false}});
}

TEST(FiltersExtraSpecsOps, NumericComparisons) {
  expect_cases({{"1", "== 1", true},    {"1.0", "== 1", true},  {"2", "== 1", false},  {"one", "== 1", false},
                {"2", "!= 1", true},    {"1", "!= 1.0", false}, {"abc", "!= 1", false},
                {"2", ">= 2", true},    {"1.9", ">= 2", false}, {"+3", ">= 2", true},
                {"2", "<= 2", true},    {"2.1", "<= 2", false}, {" 1 ", "<= 2", true},
                {"1e3", ">= 999", true}, {"10", ">= 9", true},  {"10abc", ">= 9", false}});
}

TEST(FiltersExtraSpecsOps, StringComparisons) {
  expect_cases({{"abc", "s== abc", true}, {"abd", "s== abc", false},
                {"abd", "s!= abc", true}, {"abc", "s!= abc", false},
                {"abc", "s< abd", true},  {"abd", "s< abd", false},
                {"abd", "s<= abd", true}, {"abe", "s<= abd", false},
                {"abe", "s> abd", true},  {"abd", "s> abd", false},
                {"abd", "s>= abd", true}, {"abc", "s>= abd", false},
                {"10", "s< 9", true}});  // strings, not numbers
}

TEST(FiltersExtraSpecsOps, InAllInAndOr) {
  expect_cases({{"abcdef", "<in> cde", true},
                {"abc", "<in> x", false},
                {"avx avx2 sse4", "<all-in> avx sse4", true},
                {"avx", "<all-in> avx sse4", false},
                {"b", "<or> a <or> b <or> c", true},
                {"a", "<or> a", true},
                {"d", "<or> a <or> b <or> c", false},
                {"<or>", "<or> a <or> b", false}});
}

TEST(FiltersExtraSpecsOps, OperatorWithoutOperandNeverMatches) {
  expect_cases({{"1", "==", false}, {"x", "<in>", false}, {"x", "<all-in>", false},
                {"x", "<or>", false}, {"", "s==", false}});
}

sdk::HostState in_aggregates(std::string name, std::vector<std::map<std::string, std::string>> metadata) {
  sdk::HostState h = host_named(std::move(name));
  int i = 0;
  for (auto& m : metadata) h.aggregates.push_back(sdk::Aggregate{"agg" + std::to_string(i++), std::move(m)});
  return h;
}

sdk::RequestSpec flavor_with(std::map<std::string, std::string> extra_specs) {
  sdk::RequestSpec spec;
  spec.flavor.extra_specs = std::move(extra_specs);
  return spec;
}

TEST(FiltersAggregateInstanceExtraSpecs, FlavorWithoutExtraSpecsPasses) {
  auto filter = make(make_aggregate_instance_extra_specs_filter);
  EXPECT_TRUE(filter->host_passes(host_named("node1"), sdk::RequestSpec{}));
}

TEST(FiltersAggregateInstanceExtraSpecs, UnscopedKeyMustMatchAggregate) {
  auto filter = make(make_aggregate_instance_extra_specs_filter);
  const auto spec = flavor_with({{"ssd", "true"}});
  EXPECT_TRUE(filter->host_passes(in_aggregates("n1", {{{"ssd", "true"}}}), spec));
  EXPECT_FALSE(filter->host_passes(in_aggregates("n2", {{{"ssd", "false"}}}), spec));
  EXPECT_FALSE(filter->host_passes(in_aggregates("n3", {{{"gpu", "true"}}}), spec));
  EXPECT_FALSE(filter->host_passes(host_named("n4"), spec));
}

TEST(FiltersAggregateInstanceExtraSpecs, OwnScopeIsStripped) {
  auto filter = make(make_aggregate_instance_extra_specs_filter);
  const auto spec = flavor_with({{"aggregate_instance_extra_specs:ssd", "true"}});
  EXPECT_TRUE(filter->host_passes(in_aggregates("n1", {{{"ssd", "true"}}}), spec));
  EXPECT_FALSE(filter->host_passes(in_aggregates("n2", {{{"ssd", "false"}}}), spec));
  EXPECT_FALSE(filter->host_passes(host_named("n3"), spec));
}

TEST(FiltersAggregateInstanceExtraSpecs, OtherScopesAreIgnored) {
  auto filter = make(make_aggregate_instance_extra_specs_filter);
  const auto spec = flavor_with({{"hw:cpu_policy", "dedicated"}, {"capabilities:hypervisor_type", "s== QEMU"}});
  EXPECT_TRUE(filter->host_passes(host_named("n1"), spec));
}

TEST(FiltersAggregateInstanceExtraSpecs, EveryRelevantSpecMustMatch) {
  auto filter = make(make_aggregate_instance_extra_specs_filter);
  const auto spec = flavor_with({{"ssd", "true"}, {"aggregate_instance_extra_specs:cores", ">= 16"}});
  EXPECT_TRUE(filter->host_passes(in_aggregates("n1", {{{"ssd", "true"}, {"cores", "32"}}}), spec));
  EXPECT_FALSE(filter->host_passes(in_aggregates("n2", {{{"ssd", "true"}, {"cores", "8"}}}), spec));
  EXPECT_FALSE(filter->host_passes(in_aggregates("n3", {{{"cores", "32"}}}), spec));
}

TEST(FiltersAggregateInstanceExtraSpecs, CommaSeparatedAndSeveralAggregatesGiveValueSets) {
  auto filter = make(make_aggregate_instance_extra_specs_filter);
  const sdk::HostState h = in_aggregates("n1", {{{"tier", "gold, silver"}}, {{"tier", "bronze"}}});
  EXPECT_TRUE(filter->host_passes(h, flavor_with({{"tier", "silver"}})));
  EXPECT_TRUE(filter->host_passes(h, flavor_with({{"tier", "bronze"}})));
  EXPECT_TRUE(filter->host_passes(h, flavor_with({{"tier", "<or> platinum <or> gold"}})));
  EXPECT_FALSE(filter->host_passes(h, flavor_with({{"tier", "gold, silver"}})));
  EXPECT_FALSE(filter->host_passes(h, flavor_with({{"tier", "platinum"}})));
}

TEST(FiltersAggregateInstanceExtraSpecs, EachOperatorThroughTheFilter) {
  auto filter = make(make_aggregate_instance_extra_specs_filter);
  const sdk::HostState h = in_aggregates("n1", {{{"cores", "16"}, {"cpu", "avx avx2 sse4"}, {"model", "epyc"}}});
  const std::vector<std::pair<std::string, bool>> cases = {
      {"= 16", true},      {"= 17", false},     {"== 16", true},    {"== 15", false},  {"!= 15", true},
      {"!= 16", false},    {">= 16", true},     {">= 17", false},   {"<= 16", true},   {"<= 15", false},
      {"s== 16", true},    {"s!= 16", false},   {"s< 2", true},     {"s<= 16", true},  {"s> 2", false},
      {"s>= 16", true},    {"<in> 1", true},    {"<in> 3", false},  {"<or> 8 <or> 16", true},
      {"<or> 8 <or> 32", false},
  };
  for (const auto& [requirement, passes] : cases) {
    EXPECT_EQ(filter->host_passes(h, flavor_with({{"cores", requirement}})), passes) << requirement;
  }
  EXPECT_TRUE(filter->host_passes(h, flavor_with({{"cpu", "<all-in> avx2 sse4"}})));
  EXPECT_FALSE(filter->host_passes(h, flavor_with({{"cpu", "<all-in> avx512 sse4"}})));
  EXPECT_TRUE(filter->host_passes(h, flavor_with({{"model", "epyc"}})));
}

TEST(FiltersAggregateInstanceExtraSpecs, BatchEqualsPerHost) {
  auto filter = make(make_aggregate_instance_extra_specs_filter);
  std::vector<sdk::HostState> hosts = {
      in_aggregates("n1", {{{"ssd", "true"}, {"cores", "32"}}}),
      in_aggregates("n2", {{{"ssd", "false"}, {"cores", "32"}}}),
      host_named("n3"),
      in_aggregates("n4", {{{"ssd", "true"}}, {{"cores", "8,64"}}}),
  };
  auto ptrs = testing::pointers(hosts);
  ptrs.push_back(nullptr);
  const auto spec = flavor_with({{"aggregate_instance_extra_specs:ssd", "true"}, {"cores", ">= 16"}, {"hw:x", "y"}});
  const auto batch = filter->filter_all(ptrs, spec);
  EXPECT_EQ(batch, testing::passing_one_by_one(*filter, ptrs, spec));
  EXPECT_EQ(batch, (std::vector<const sdk::HostState*>{&hosts[0], &hosts[3]}));
}

TEST(FiltersAggregateInstanceExtraSpecs, RefusesAnyConfigKey) {
  sdk::PluginConfig config("[filter.aggregate_instance_extra_specs]");
  config.set("scope", std::string("x"));
  EXPECT_FALSE(make_aggregate_instance_extra_specs_filter(config).ok());
}

}  // namespace
}  // namespace stratus::plugins::filters
