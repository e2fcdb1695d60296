// Subnets in the database: validation, pools, allocation across a network's
// subnets, and a network created with a bad first subnet leaving nothing.
#include <gtest/gtest.h>

#include "../db/db_test_util.h"
#include "core/db/ipv4_address.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/subnet_repository.h"

namespace stratus::core::db {
namespace {

using sdk::StatusCode;

class Subnets : public testing::DbTest {
 protected:
  using Subnet = sdk::Result<SubnetRecord>;
  std::string network(const std::string& name) {
    NetworkRecord n;
    n.name = name;
    auto r = NetworkRepository(*db_).create(n);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->uuid : "";
  }
  Subnet subnet_on(const std::string& net, const std::string& cidr, const std::string& start = "",
                   const std::string& end = "") {
    SubnetRecord s;
    s.network_uuid = net;
    s.cidr = cidr;
    s.pool_start = start;
    s.pool_end = end;
    return SubnetRepository(*db_).create(s);
  }
  PortRepository ports_{*db_};
};

TEST(Ipv4, CidrArithmetic) {
  auto c = parse_ipv4_cidr("192.168.1.77/28");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->to_string(), "192.168.1.64/28");
  EXPECT_EQ(format_ipv4(c->first_host()), "192.168.1.65");
  EXPECT_EQ(format_ipv4(c->last_host()), "192.168.1.78");
  EXPECT_TRUE(c->overlaps(*parse_ipv4_cidr("192.168.1.0/24")));
  EXPECT_FALSE(c->overlaps(*parse_ipv4_cidr("192.168.1.80/28")));
  for (const char* bad : {"", "1.2.3.4", "1.2.3/24", "1.2.3.4/", "1.2.3.4/31", "1.2.3.4/0", "1.2.3.4/-1",
                          "a.b.c.d/8", "1.2.3.4/24 ", "256.1.1.1/8"}) {
    auto r = parse_ipv4_cidr(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(std::string("'") + bad + "'"), std::string::npos) << r.status();
  }
  for (const char* bad : {"1.2.3", "1.2.3.4.5", "1.2.3.1000", "-1.2.3.4", " 1.2.3.4"}) {
    EXPECT_FALSE(parse_ipv4(bad).ok()) << bad;
  }
}

// The edges Boost.Asio's parser (inet_pton) and our prefix check decide.
TEST(Ipv4, StrictParsingEdges) {
  EXPECT_EQ(*parse_ipv4("0.0.0.0"), 0u);
  EXPECT_EQ(*parse_ipv4("255.255.255.255"), 0xFFFFFFFFu);
  EXPECT_EQ(*parse_ipv4("10.0.0.1"), 0x0A000001u);
  // Leading zeros read as octal in some tools; refused rather than guessed.
  const std::string bad_addresses[] = {"010.0.0.1", "10.0.0.01", "1.2.3.4 ",   "1..2.3",
                                       "1.2.3.4.",  "0x1.2.3.4", "1.2.3.+4",   "4294967295",
                                       "1.2.3.4/24", std::string("1.2.3.4\0junk", 12)};
  for (const std::string& bad : bad_addresses) {
    auto r = parse_ipv4(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  // A prefix that would wrap around in a 32-bit read, leading zeros, signs.
  const std::string bad_cidrs[] = {"10.0.0.0/4294967320", "10.0.0.0/024", "10.0.0.0/+8",
                                   "10.0.0.0/8/8",        "10.0.0.0//8",  "010.0.0.0/8",
                                   std::string("10.0.0.0/8\0", 11), "10.0.0.0/32"};
  for (const std::string& bad : bad_cidrs) {
    auto r = parse_ipv4_cidr(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_NE(parse_ipv4_cidr("10.0.0.0/31").status().message().find("prefix must be 1..30"), std::string::npos);
  EXPECT_NE(parse_ipv4_cidr("10.0.0.0").status().message().find("no /prefix"), std::string::npos);
  EXPECT_NE(parse_ipv4_cidr("10.0.0/8").status().message().find("bad address"), std::string::npos);
  EXPECT_NE(parse_ipv4_cidr("10.0.0.0/x").status().message().find("bad prefix"), std::string::npos);
}

TEST(Ipv4, HostRangesAtTheEdges) {
  // /30: two hosts between the network and broadcast address.
  auto c = parse_ipv4_cidr("10.9.9.6/30");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->to_string(), "10.9.9.4/30");
  EXPECT_EQ(format_ipv4(c->broadcast()), "10.9.9.7");
  EXPECT_EQ(format_ipv4(c->first_host()), "10.9.9.5");
  EXPECT_EQ(format_ipv4(c->last_host()), "10.9.9.6");
  EXPECT_FALSE(c->is_host(*parse_ipv4("10.9.9.4")));
  EXPECT_TRUE(c->is_host(*parse_ipv4("10.9.9.5")));
  EXPECT_TRUE(c->is_host(*parse_ipv4("10.9.9.6")));
  EXPECT_FALSE(c->is_host(*parse_ipv4("10.9.9.7")));
  EXPECT_TRUE(c->contains(*parse_ipv4("10.9.9.4")));
  EXPECT_TRUE(c->contains(*parse_ipv4("10.9.9.7")));
  EXPECT_FALSE(c->contains(*parse_ipv4("10.9.9.8")));
  EXPECT_FALSE(c->contains(*parse_ipv4("10.9.9.3")));
  // /1 covers half the address space; its last host is 127.255.255.254.
  auto half = parse_ipv4_cidr("100.1.2.3/1");
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->to_string(), "0.0.0.0/1");
  EXPECT_EQ(format_ipv4(half->first_host()), "0.0.0.1");
  EXPECT_EQ(format_ipv4(half->last_host()), "127.255.255.254");
  auto top = parse_ipv4_cidr("255.255.255.255/1");
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(format_ipv4(top->broadcast()), "255.255.255.255");
  EXPECT_FALSE(top->is_host(0xFFFFFFFFu));
  // Overlap: the same network, one inside the other (either way), neighbours.
  EXPECT_TRUE(c->overlaps(*c));
  EXPECT_TRUE(half->overlaps(*c));
  EXPECT_TRUE(c->overlaps(*half));
  EXPECT_FALSE(top->overlaps(*half));
  EXPECT_FALSE(c->overlaps(*parse_ipv4_cidr("10.9.9.8/30")));
}

TEST_F(Subnets, PoolsAreShownSplitAroundAGatewayInside) {
  SubnetRecord s;
  s.cidr = "10.0.0.0/24";
  s.gateway = "10.0.0.100";
  s.pool_start = "10.0.0.1";
  s.pool_end = "10.0.0.254";
  auto pools = allocation_pools(s);
  ASSERT_EQ(pools.size(), 2u);
  EXPECT_EQ(pools[0], std::make_pair(std::string("10.0.0.1"), std::string("10.0.0.99")));
  EXPECT_EQ(pools[1], std::make_pair(std::string("10.0.0.101"), std::string("10.0.0.254")));
}

TEST_F(Subnets, AllocationUsesThePoolThenTheNextSubnet) {
  auto net = network("n");
  auto first = subnet_on(net, "10.1.0.0/24", "10.1.0.10", "10.1.0.11");
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = subnet_on(net, "10.2.0.0/29");
  ASSERT_TRUE(second.ok()) << second.status();
  std::vector<std::pair<std::string, std::string>> got;
  for (int i = 0; i < 3; ++i) {
    auto p = ports_.create(net, "vm");
    ASSERT_TRUE(p.ok()) << p.status();
    got.emplace_back(p->ip_address, p->subnet_uuid);
  }
  EXPECT_EQ(got[0], std::make_pair(std::string("10.1.0.10"), first->uuid));
  EXPECT_EQ(got[1], std::make_pair(std::string("10.1.0.11"), first->uuid));
  EXPECT_EQ(got[2], std::make_pair(std::string("10.2.0.2"), second->uuid));  // .1 is its gateway

  // A fixed IP outside the pool but inside a subnet is fine, and records its subnet.
  auto fixed = ports_.create(net, "vm", std::string("10.1.0.200"));
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  EXPECT_EQ(fixed->subnet_uuid, first->uuid);
  auto outside = ports_.create(net, "vm", std::string("10.3.0.5"));
  EXPECT_EQ(outside.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(outside.status().message().find("10.1.0.0/24, 10.2.0.0/29"), std::string::npos) << outside.status();

  // A subnet with ports cannot go; one without can.
  EXPECT_EQ(SubnetRepository(*db_).remove(first->uuid).code(), StatusCode::kInvalidState);
  auto third = subnet_on(net, "10.3.0.0/24");
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(SubnetRepository(*db_).remove(third->uuid).ok());
  EXPECT_EQ(SubnetRepository(*db_).get(third->uuid).status().code(), StatusCode::kNotFound);
}

TEST_F(Subnets, ANetworkWithoutASubnetCannotTakePorts) {
  auto net = network("empty");
  auto p = ports_.create(net, "vm");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message(), "Network " + net + " requires a subnet in order to boot instances on.");
}

TEST_F(Subnets, OverlapsAndBadAddressesAreRefused) {
  auto net = network("n");
  ASSERT_TRUE(subnet_on(net, "10.5.0.0/16").ok());
  auto overlap = subnet_on(net, "10.5.7.0/24");
  EXPECT_EQ(overlap.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(overlap.status().message().find("overlaps"), std::string::npos);
  // The same range on another network is fine (networks are separate).
  EXPECT_TRUE(subnet_on(network("other"), "10.5.7.0/24").ok());
  EXPECT_EQ(subnet_on("no-such-network", "10.6.0.0/24").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(subnet_on(net, "10.6.0.0/24", "10.6.0.5", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(subnet_on(net, "10.6.0.0/24", "10.6.0.5", "10.7.0.9").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(subnet_on(net, "10.6.0.0/24", "10.6.0.0", "10.6.0.9").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(Subnets, ANetworkWithABadFirstSubnetIsNotCreated) {
  NetworkRecord n;
  n.name = "half";
  SubnetRecord s;
  s.cidr = "10.0.0.0/24";
  s.gateway = "10.9.9.9";
  auto r = NetworkRepository(*db_).create(n, s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("gateway 10.9.9.9 is not a host address of 10.0.0.0/24"), std::string::npos)
      << r.status();
  EXPECT_TRUE(NetworkRepository(*db_).list()->empty());
  EXPECT_TRUE(SubnetRepository(*db_).list()->empty());

  s.gateway = "";
  s.dns_nameservers = {"1.1.1.1", "8.8.8.8"};
  auto ok = NetworkRepository(*db_).create(n, s);
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_EQ(ok->subnet_ids.size(), 1u);
  EXPECT_EQ(ok->cidr, "10.0.0.0/24");
  EXPECT_EQ(ok->gateway, "10.0.0.1");
  auto sub = SubnetRepository(*db_).get(ok->subnet_ids[0]);
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->dns_nameservers, (std::vector<std::string>{"1.1.1.1", "8.8.8.8"}));
  EXPECT_EQ(sub->project_id, "");
  // Deleting the network takes its subnet.
  EXPECT_TRUE(NetworkRepository(*db_).remove(ok->uuid).ok());
  EXPECT_TRUE(SubnetRepository(*db_).list()->empty());
}

}  // namespace
}  // namespace stratus::core::db
