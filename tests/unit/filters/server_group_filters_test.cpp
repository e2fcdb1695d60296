// server_group_affinity and server_group_anti_affinity.
#include <gtest/gtest.h>

#include "filter_test_support.h"

namespace stratus::plugins::filters {
namespace {

using testing::host_named;
using testing::make;

sdk::RequestSpec in_group(std::string policy, std::vector<std::string> members = {},
                          std::vector<std::string> hosts = {}, std::int32_t max_per_host = 1) {
  sdk::RequestSpec spec;
  spec.instance_uuid = "new-instance";
  sdk::InstanceGroup group;
  group.uuid = "group-1";
  group.policy = std::move(policy);
  group.members = std::move(members);
  group.hosts = std::move(hosts);
  group.max_server_per_host = max_per_host;
  spec.instance_group = group;
  return spec;
}

sdk::HostState running(std::string name, std::set<std::string> uuids = {}) {
  sdk::HostState h = host_named(std::move(name));
  h.instance_uuids = std::move(uuids);
  return h;
}

TEST(FiltersServerGroupAffinity, NoGroupPasses) {
  auto filter = make(make_server_group_affinity_filter);
  EXPECT_TRUE(filter->host_passes(running("node1"), sdk::RequestSpec{}));
}

TEST(FiltersServerGroupAffinity, OtherPolicyPasses) {
  auto filter = make(make_server_group_affinity_filter);
  EXPECT_TRUE(filter->host_passes(running("node2"), in_group("anti-affinity", {"m1"}, {"node1"})));
  EXPECT_TRUE(filter->host_passes(running("node2"), in_group("soft-affinity", {"m1"}, {"node1"})));
}

TEST(FiltersServerGroupAffinity, GroupWithoutHostsPassesEveryHost) {
  auto filter = make(make_server_group_affinity_filter);
  EXPECT_TRUE(filter->host_passes(running("node1"), in_group("affinity")));
  EXPECT_TRUE(filter->host_passes(running("node2"), in_group("affinity", {"m1"})));
}

TEST(FiltersServerGroupAffinity, HostMustBeOneOfTheGroupsHosts) {
  auto filter = make(make_server_group_affinity_filter);
  const auto spec = in_group("affinity", {"m1", "m2"}, {"node1", "node1"});
  EXPECT_TRUE(filter->host_passes(running("node1", {"m1", "m2"}), spec));
  EXPECT_FALSE(filter->host_passes(running("node2"), spec));
}

TEST(FiltersServerGroupAntiAffinity, NoGroupOrOtherPolicyPasses) {
  auto filter = make(make_server_group_anti_affinity_filter);
  EXPECT_TRUE(filter->host_passes(running("node1", {"m1"}), sdk::RequestSpec{}));
  EXPECT_TRUE(filter->host_passes(running("node1", {"m1"}), in_group("affinity", {"m1"}, {"node1"})));
}

TEST(FiltersServerGroupAntiAffinity, GroupWithoutMembersPasses) {
  auto filter = make(make_server_group_anti_affinity_filter);
  EXPECT_TRUE(filter->host_passes(running("node1", {"someone-else"}), in_group("anti-affinity")));
}

TEST(FiltersServerGroupAntiAffinity, HostRunningAMemberFails) {
  auto filter = make(make_server_group_anti_affinity_filter);
  const auto spec = in_group("anti-affinity", {"m1"}, {"node1"});
  EXPECT_FALSE(filter->host_passes(running("node1", {"m1"}), spec));
  EXPECT_TRUE(filter->host_passes(running("node2", {"not-a-member"}), spec));
}

TEST(FiltersServerGroupAntiAffinity, CountsMembersFromEitherSource) {
  auto filter = make(make_server_group_anti_affinity_filter);
  // Only the group's host list knows (a member placed earlier in this batch).
  EXPECT_FALSE(filter->host_passes(running("node1"), in_group("anti-affinity", {"m1"}, {"node1"})));
  // Only the host's instance list knows.
  EXPECT_FALSE(filter->host_passes(running("node1", {"m1"}), in_group("anti-affinity", {"m1"}, {})));
}

TEST(FiltersServerGroupAntiAffinity, MaxServerPerHostAllowsThatMany) {
  auto filter = make(make_server_group_anti_affinity_filter);
  EXPECT_TRUE(filter->host_passes(running("node1", {"m1"}), in_group("anti-affinity", {"m1", "m2"}, {"node1"}, 2)));
  EXPECT_FALSE(filter->host_passes(running("node1", {"m1", "m2"}),
                                   in_group("anti-affinity", {"m1", "m2"}, {"node1", "node1"}, 2)));
  // Two on the host by the group's host list, even if the host has not reported them yet.
  EXPECT_FALSE(filter->host_passes(running("node1"), in_group("anti-affinity", {"m1", "m2"}, {"node1", "node1"}, 2)));
}

TEST(FiltersServerGroupAntiAffinity, RuleBelowOneActsAsOne) {
  auto filter = make(make_server_group_anti_affinity_filter);
  EXPECT_TRUE(filter->host_passes(running("node2"), in_group("anti-affinity", {"m1"}, {"node1"}, 0)));
  EXPECT_FALSE(filter->host_passes(running("node1", {"m1"}), in_group("anti-affinity", {"m1"}, {"node1"}, 0)));
}

TEST(FiltersServerGroupAntiAffinity, InstanceMayStayOnItsOwnHost) {
  auto filter = make(make_server_group_anti_affinity_filter);
  // A resize of member m1 considers m1's current host.
  auto spec = in_group("anti-affinity", {"m1"}, {"node1"});
  spec.instance_uuid = "m1";
  EXPECT_TRUE(filter->host_passes(running("node1", {"m1"}), spec));
}

TEST(FiltersServerGroupAntiAffinity, BatchEqualsPerHost) {
  auto filter = make(make_server_group_anti_affinity_filter);
  std::vector<sdk::HostState> hosts = {
      running("node1", {"m1", "x"}), running("node2", {"x", "y", "z"}), running("node3"),
      running("node4", {"m2", "m3"}), running("node5", {"m4"}),
  };
  auto ptrs = testing::pointers(hosts);
  ptrs.push_back(nullptr);
  for (std::int32_t max : {1, 2, 3}) {
    const auto spec = in_group("anti-affinity", {"m1", "m2", "m3", "m4", "m5"},
                               {"node1", "node4", "node4", "node5", "node3"}, max);
    const auto batch = filter->filter_all(ptrs, spec);
    EXPECT_EQ(batch, testing::passing_one_by_one(*filter, ptrs, spec)) << "max_server_per_host " << max;
  }
  const auto spec = in_group("anti-affinity", {"m1", "m2", "m3", "m4", "m5"},
                             {"node1", "node4", "node4", "node5", "node3"}, 2);
  EXPECT_EQ(filter->filter_all(ptrs, spec),
            (std::vector<const sdk::HostState*>{&hosts[0], &hosts[1], &hosts[2], &hosts[4]}));
  // Not an anti-affinity request: every non-null host.
  EXPECT_EQ(filter->filter_all(ptrs, sdk::RequestSpec{}).size(), hosts.size());
}

TEST(FiltersServerGroup, RefuseConfigKeys) {
  sdk::PluginConfig config("[filter.server_group_anti_affinity]");
  config.set("max_server_per_host", std::int64_t{2});
  EXPECT_FALSE(make_server_group_anti_affinity_filter(config).ok());
  EXPECT_FALSE(make_server_group_affinity_filter(config).ok());
}

}  // namespace
}  // namespace stratus::plugins::filters
