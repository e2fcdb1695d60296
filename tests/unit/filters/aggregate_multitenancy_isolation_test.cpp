// The aggregate_multitenancy_isolation filter.
#include <gtest/gtest.h>

#include "filter_test_support.h"

namespace stratus::plugins::filters {
namespace {

using testing::host_named;
using testing::make;

sdk::HostState in_aggregates(std::string name, std::vector<std::map<std::string, std::string>> metadata) {
  sdk::HostState h = host_named(std::move(name));
  int i = 0;
  for (auto& m : metadata) h.aggregates.push_back(sdk::Aggregate{"agg" + std::to_string(i++), std::move(m)});
  return h;
}

sdk::RequestSpec for_project(std::string project) {
  sdk::RequestSpec spec;
  spec.project_id = std::move(project);
  return spec;
}

TEST(FiltersAggregateMultiTenancyIsolation, HostWithoutTenantMetadataTakesAnyProject) {
  auto filter = make(make_aggregate_multitenancy_isolation_filter);
  EXPECT_TRUE(filter->host_passes(host_named("n1"), for_project("p1")));
  EXPECT_TRUE(filter->host_passes(in_aggregates("n2", {{{"ssd", "true"}}}), for_project("p1")));
}

TEST(FiltersAggregateMultiTenancyIsolation, ListedProjectsOnly) {
  auto filter = make(make_aggregate_multitenancy_isolation_filter);
  const auto h = in_aggregates("n1", {{{"filter_tenant_id", "p1, p2"}}});
  EXPECT_TRUE(filter->host_passes(h, for_project("p1")));
  EXPECT_TRUE(filter->host_passes(h, for_project("p2")));
  EXPECT_FALSE(filter->host_passes(h, for_project("p3")));
  EXPECT_FALSE(filter->host_passes(h, for_project("")));
}

TEST(FiltersAggregateMultiTenancyIsolation, PrefixedKeysAndSeveralAggregatesAddUp) {
  auto filter = make(make_aggregate_multitenancy_isolation_filter);
  const auto h = in_aggregates("n1", {{{"filter_tenant_id", "p1"}, {"filter_tenant_id2", "p2"}},
                                      {{"filter_tenant_id", "p3"}, {"other", "p4"}}});
  EXPECT_TRUE(filter->host_passes(h, for_project("p2")));
  EXPECT_TRUE(filter->host_passes(h, for_project("p3")));
  EXPECT_FALSE(filter->host_passes(h, for_project("p4")));
}

}  // namespace
}  // namespace stratus::plugins::filters
