// Security groups, their rules, port membership and floating IPs in the
// database, and what the drivers get from them (port_security_for_instance).
#include <gtest/gtest.h>

#include "core/db/floating_ip_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/security_group_repository.h"
#include "core/db/seed.h"
#include "core/network/floating_ip_allocation.h"
#include "core/network/port_security.h"
#include "core/network/security_group_rule_check.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

class SecurityGroups : public testing::DbTest {
 protected:
  void SetUp() override { ASSERT_TRUE(seed_defaults(*db_).ok()); }

  std::string instance(const std::string& project) {
    InstanceRecord r;
    r.project_id = project;
    r.user_id = "u";
    r.display_name = "vm";
    auto created = InstanceRepository(*db_).create({r});
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->front().uuid : "";
  }
  PortRecord port_of(const std::string& instance_uuid, std::vector<std::string> groups) {
    auto port = PortRepository(*db_).create(kDefaultNetworkUuid, instance_uuid);
    EXPECT_TRUE(port.ok()) << port.status();
    EXPECT_TRUE(repo.set_port_groups(port->uuid, groups).ok());
    return *port;
  }
  SecurityGroupRecord group(const std::string& project, const std::string& name) {
    SecurityGroupRecord g;
    g.project_id = project;
    g.name = name;
    auto created = repo.create(g);
    EXPECT_TRUE(created.ok()) << created.status();
    return *created;
  }
  SecurityGroupRuleRecord rule(const std::string& group_id, const std::string& protocol, std::int64_t from,
                               std::int64_t to) {
    SecurityGroupRuleRecord r;
    r.security_group_id = group_id;
    r.project_id = "p1";
    r.direction = "ingress";
    r.ethertype = "IPv4";
    r.protocol = protocol;
    r.port_range_min = from;
    r.port_range_max = to;
    return r;
  }

  SecurityGroupRepository repo{*db_};
};

TEST_F(SecurityGroups, DefaultGroupIsMadeOnceWithNeutronsRules) {
  auto first = repo.ensure_default("p1");
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = repo.ensure_default("p1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->uuid, again->uuid);
  EXPECT_EQ(first->name, "default");
  EXPECT_TRUE(first->is_default);
  ASSERT_EQ(first->rules.size(), 4u);
  int ingress_from_self = 0;
  int egress_anywhere = 0;
  for (const auto& r : first->rules) {
    if (r.direction == "ingress" && r.remote_group_id == first->uuid && !r.remote_ip_prefix) ++ingress_from_self;
    if (r.direction == "egress" && !r.remote_group_id && !r.remote_ip_prefix && !r.protocol) ++egress_anywhere;
  }
  EXPECT_EQ(ingress_from_self, 2);  // IPv4 and IPv6
  EXPECT_EQ(egress_anywhere, 2);
  EXPECT_EQ(repo.list("p1")->size(), 1u);
  EXPECT_EQ(repo.list("p2")->size(), 0u);
}

TEST_F(SecurityGroups, NewGroupsGetEgressRulesAndDuplicateRulesAreRefused) {
  auto g = group("p1", "web");
  ASSERT_EQ(g.rules.size(), 2u);
  for (const auto& r : g.rules) EXPECT_EQ(r.direction, "egress");
  auto added = repo.add_rule(rule(g.uuid, "tcp", 80, 80));
  ASSERT_TRUE(added.ok()) << added.status();
  auto dup = repo.add_rule(rule(g.uuid, "tcp", 80, 80));
  ASSERT_TRUE(dup.status().is(sdk::StatusCode::kAlreadyExists));
  EXPECT_EQ(dup.status().message(), added->uuid);
  EXPECT_TRUE(repo.add_rule(rule(g.uuid, "tcp", 80, 81)).ok());
  EXPECT_EQ(repo.get(g.uuid)->rules.size(), 4u);
  EXPECT_EQ(*repo.count_rules("p1"), 4);
  EXPECT_TRUE(repo.remove_rule(added->uuid).ok());
  EXPECT_TRUE(repo.remove_rule(added->uuid).is(sdk::StatusCode::kNotFound));
}

TEST_F(SecurityGroups, GroupInUseCannotGoAndPeerRulesGoWithTheirGroup) {
  auto a = group("p1", "a");
  auto b = group("p1", "b");
  auto r = rule(a.uuid, "tcp", 22, 22);
  r.remote_group_id = b.uuid;
  ASSERT_TRUE(repo.add_rule(r).ok());
  auto vm = instance("p1");
  auto port = port_of(vm, {b.uuid});
  EXPECT_TRUE(repo.remove(b.uuid).is(sdk::StatusCode::kInvalidState));
  ASSERT_TRUE(repo.set_port_groups(port.uuid, {}).ok());
  ASSERT_TRUE(repo.remove(b.uuid).ok());
  EXPECT_EQ(repo.get(a.uuid)->rules.size(), 2u);  // the rule naming b went with it
  // Freeing the port frees its memberships.
  port_of(vm, {a.uuid});
  ASSERT_TRUE(PortRepository(*db_).remove_by_device(vm).ok());
  EXPECT_TRUE(repo.remove(a.uuid).ok());
}

TEST_F(SecurityGroups, PortSecurityExpandsRemoteGroupsIntoMemberAddresses) {
  auto def = repo.ensure_default("p1");
  ASSERT_TRUE(def.ok());
  auto web = group("p1", "web");
  ASSERT_TRUE(repo.add_rule(rule(web.uuid, "6", 80, 80)).ok());  // a number comes out as the name
  auto icmp = rule(web.uuid, "icmp", 0, 0);
  icmp.port_range_min.reset();
  icmp.port_range_max.reset();
  icmp.remote_ip_prefix = "192.0.2.0/24";
  ASSERT_TRUE(repo.add_rule(icmp).ok());

  auto vm1 = instance("p1");
  auto vm2 = instance("p1");
  auto p1 = port_of(vm1, {def->uuid, web.uuid});
  auto p2 = port_of(vm2, {def->uuid});

  auto security = network::port_security_for_instance(*db_, vm1);
  ASSERT_TRUE(security.ok()) << security.status();
  ASSERT_EQ(security->size(), 1u);
  const auto& ps = security->front();
  EXPECT_EQ(ps.port_id, p1.uuid);
  EXPECT_EQ(ps.mac_address, p1.mac_address);
  EXPECT_EQ(ps.fixed_ips, std::vector<std::string>{p1.ip_address});
  std::vector<std::string> from_default;
  int egress = 0;
  bool http = false;
  bool ping = false;
  for (const auto& r : ps.rules) {
    if (r.direction == "egress") {
      ++egress;
      EXPECT_EQ(r.protocol, "");
      EXPECT_EQ(r.remote_ip_prefix, "");
      EXPECT_EQ(r.port_range_min, -1);
    } else if (r.protocol == "tcp") {
      http = r.port_range_min == 80 && r.port_range_max == 80 && r.remote_ip_prefix.empty();
    } else if (r.protocol == "icmp") {
      ping = r.remote_ip_prefix == "192.0.2.0/24" && r.port_range_min == -1;
    } else {
      // The default group's ingress-from-members rules, one per member address
      // of the rule's ethertype: IPv4 only here, so the IPv6 rule adds nothing.
      EXPECT_EQ(r.ethertype, "IPv4");
      from_default.push_back(r.remote_ip_prefix);
    }
  }
  EXPECT_EQ(egress, 4);  // IPv4 and IPv6 from each of the two groups
  EXPECT_TRUE(http);
  EXPECT_TRUE(ping);
  std::sort(from_default.begin(), from_default.end());
  std::vector<std::string> want = {p1.ip_address + "/32", p2.ip_address + "/32"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(from_default, want);

  // Who needs a refresh when a group changes: web's change touches vm1 only;
  // default's touches both members (and nothing names web as remote).
  EXPECT_EQ(*repo.instances_depending_on({web.uuid}), std::vector<std::string>{vm1});
  auto both = std::vector<std::string>{vm1, vm2};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(*repo.instances_depending_on({def->uuid}), both);
  // A rule of web naming a peer group makes web's members depend on the peer.
  auto peer = group("p1", "peer");
  auto from_peer = rule(web.uuid, "tcp", 22, 22);
  from_peer.remote_group_id = peer.uuid;
  ASSERT_TRUE(repo.add_rule(from_peer).ok());
  EXPECT_EQ(*repo.instances_depending_on({peer.uuid}), std::vector<std::string>{vm1});
  // A member joining or leaving changes only the rules naming its group as
  // remote: default names itself (both members), web is named by no rule,
  // peer by web's (vm1).
  EXPECT_EQ(*repo.instances_with_peers_in({def->uuid}), both);
  EXPECT_TRUE(repo.instances_with_peers_in({web.uuid})->empty());
  EXPECT_EQ(*repo.instances_with_peers_in({peer.uuid}), std::vector<std::string>{vm1});

  // One reader for several instances answers as a fresh read for each, and
  // keeps what it read: a member added later shows in a new reader only.
  network::PortSecurityReader reader(*db_);
  for (const auto& vm : {vm1, vm2}) {
    auto fresh = network::port_security_for_instance(*db_, vm);
    auto shared = reader.for_instance(vm);
    ASSERT_TRUE(fresh.ok() && shared.ok());
    ASSERT_EQ(fresh->size(), shared->size());
    for (std::size_t i = 0; i < fresh->size(); ++i) {
      EXPECT_EQ((*fresh)[i].port_id, (*shared)[i].port_id);
      EXPECT_EQ((*fresh)[i].rules.size(), (*shared)[i].rules.size());
    }
  }
  const auto rules_of_vm2 = reader.for_instance(vm2)->front().rules.size();
  port_of(instance("p1"), {def->uuid});
  EXPECT_EQ(reader.for_instance(vm2)->front().rules.size(), rules_of_vm2);
  EXPECT_EQ(network::PortSecurityReader(*db_).for_instance(vm2)->front().rules.size(), rules_of_vm2 + 1);

  // A port in no group has no rule at all.
  auto vm3 = instance("p1");
  port_of(vm3, {});
  auto bare = network::port_security_for_instance(*db_, vm3);
  ASSERT_TRUE(bare.ok());
  ASSERT_EQ(bare->size(), 1u);
  EXPECT_TRUE(bare->front().rules.empty());
}

TEST_F(SecurityGroups, RuleChecksAreNeutrons) {
  auto check = [](SecurityGroupRuleRecord r) { return network::check_rule(r); };
  SecurityGroupRuleRecord ok;
  ok.direction = "ingress";
  ok.protocol = "TCP";
  ok.port_range_min = 22;
  ok.port_range_max = 22;
  ok.remote_ip_prefix = "10.0.0.1";
  EXPECT_FALSE(network::check_rule(ok));
  EXPECT_EQ(*ok.protocol, "tcp");
  EXPECT_EQ(*ok.remote_ip_prefix, "10.0.0.1/32");
  EXPECT_EQ(ok.ethertype, "IPv4");

  auto bad = ok;
  bad.direction = "sideways";
  EXPECT_EQ(check(bad)->status, 400);
  bad = ok;
  bad.protocol = "tcpx";
  EXPECT_EQ(check(bad)->type, "SecurityGroupRuleInvalidProtocol");
  bad = ok;
  bad.port_range_min = 23;
  EXPECT_EQ(check(bad)->type, "SecurityGroupInvalidPortRange");
  bad = ok;
  bad.protocol.reset();
  EXPECT_EQ(check(bad)->type, "SecurityGroupProtocolRequiredWithPorts");
  bad = ok;
  bad.protocol = "icmp";
  bad.port_range_min = 256;
  bad.port_range_max = 0;
  EXPECT_EQ(check(bad)->type, "SecurityGroupInvalidIcmpValue");
  bad = ok;
  bad.remote_group_id = "g";
  EXPECT_EQ(check(bad)->type, "SecurityGroupRemoteGroupAndRemoteIpPrefix");
  bad = ok;
  bad.remote_ip_prefix = "2001:db8::/64";
  EXPECT_EQ(check(bad)->type, "SecurityGroupRuleParameterConflict");
  bad = ok;
  bad.remote_ip_prefix = "10.0.0.300/8";
  EXPECT_EQ(check(bad)->status, 400);
  bad = ok;
  bad.protocol = "gre";
  EXPECT_EQ(check(bad)->type, "SecurityGroupInvalidProtocolForPort");
  EXPECT_EQ(network::sdk_protocol("gre", "IPv4"), "47");
  EXPECT_EQ(network::sdk_protocol("ipv6-icmp", "IPv6"), "icmp");
  EXPECT_EQ(network::sdk_protocol("17", "IPv4"), "udp");
}

TEST_F(SecurityGroups, FloatingIpsComeFromTheExternalNetworkAndFollowTheirPort) {
  auto vm = instance("p1");
  auto port = port_of(vm, {});
  auto fip = network::allocate_floating_ip(*db_, kPublicNetworkUuid, "p1", std::nullopt, "");
  ASSERT_TRUE(fip.ok()) << fip.status();
  EXPECT_EQ(fip->floating_ip_address, "172.24.4.2");
  EXPECT_EQ(fip->floating_network_name, "public");
  EXPECT_EQ(fip->status(), "DOWN");
  // Not from a network that is not external.
  EXPECT_TRUE(network::allocate_floating_ip(*db_, kDefaultNetworkUuid, "p1", std::nullopt, "")
                  .status()
                  .is(sdk::StatusCode::kInvalidArgument));

  FloatingIpRepository fips(*db_);
  auto associated = fips.associate(fip->uuid, port.uuid);
  ASSERT_TRUE(associated.ok()) << associated.status();
  EXPECT_EQ(associated->status(), "ACTIVE");
  EXPECT_EQ(associated->fixed_ip_address, port.ip_address);
  EXPECT_EQ(associated->instance_id, vm);
  EXPECT_EQ(fips.list_by_ports({port.uuid})->size(), 1u);
  // One floating IP per port.
  auto other = network::allocate_floating_ip(*db_, kPublicNetworkUuid, "p1", std::nullopt, "");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->floating_ip_address, "172.24.4.3");
  EXPECT_TRUE(fips.associate(other->uuid, port.uuid).status().is(sdk::StatusCode::kAlreadyExists));
  // The guest's port going disassociates; releasing frees the address.
  ASSERT_TRUE(PortRepository(*db_).remove_by_device(vm).ok());
  EXPECT_EQ(fips.get(fip->uuid)->status(), "DOWN");
  ASSERT_TRUE(fips.remove(fip->uuid).ok());
  EXPECT_TRUE(fips.get(fip->uuid).status().is(sdk::StatusCode::kNotFound));
  auto again = network::allocate_floating_ip(*db_, kPublicNetworkUuid, "p1", std::nullopt, "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->floating_ip_address, "172.24.4.2");
  EXPECT_EQ(*fips.count("p1"), 2);
}

}  // namespace
}  // namespace stratus::core::db
