#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using sdk::StatusCode;

class DbPortAllocation : public testing::DbTest {
 protected:
  std::string network(const std::string& cidr, const std::string& gateway = "") {
    NetworkRecord n;
    n.name = "n";
    n.cidr = cidr;
    n.gateway = gateway;
    auto r = NetworkRepository(*db_).create(n);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->uuid : "";
  }
  PortRepository ports_{*db_};
};

TEST_F(DbPortAllocation, ASlash29HasFiveAddressesAfterNetworkBroadcastAndGateway) {
  auto net = network("10.1.0.0/29");  // .0 network, .1 gateway, .7 broadcast
  std::vector<std::string> ips;
  for (int i = 0; i < 5; ++i) {
    auto p = ports_.create(net, "vm-" + std::to_string(i));
    ASSERT_TRUE(p.ok()) << p.status();
    ips.push_back(p->ip_address);
  }
  EXPECT_EQ(ips, (std::vector<std::string>{"10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5", "10.1.0.6"}));
  auto full = ports_.create(net, "vm-x");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), StatusCode::kConflict);
  EXPECT_NE(full.status().message().find("no more IP addresses available"), std::string::npos) << full.status();
  EXPECT_NE(full.status().message().find("10.1.0.0/29"), std::string::npos);

  // A freed address is handed out again, lowest first.
  auto on_net = ports_.list_by_network(net);
  ASSERT_TRUE(on_net.ok());
  ASSERT_TRUE(ports_.remove((*on_net)[2].uuid).ok());
  auto again = ports_.create(net, "vm-y");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ip_address, "10.1.0.4");
}

TEST_F(DbPortAllocation, GatewayInTheMiddleIsSkipped) {
  auto net = network("10.2.0.0/29", "10.2.0.3");
  std::vector<std::string> ips;
  for (int i = 0; i < 5; ++i) ips.push_back(ports_.create(net, "d")->ip_address);
  EXPECT_EQ(ips, (std::vector<std::string>{"10.2.0.1", "10.2.0.2", "10.2.0.4", "10.2.0.5", "10.2.0.6"}));
}

TEST_F(DbPortAllocation, FixedIps) {
  auto net = network("10.3.0.0/24");
  auto p = ports_.create(net, "vm", std::string("10.3.0.50"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->ip_address, "10.3.0.50");
  EXPECT_EQ(p->status, "DOWN");
  auto taken = ports_.create(net, "vm2", std::string("10.3.0.50"));
  EXPECT_EQ(taken.status().code(), StatusCode::kConflict);
  EXPECT_NE(taken.status().message().find("already allocated"), std::string::npos) << taken.status();
  for (const char* bad : {"10.3.0.1", "10.3.0.0", "10.3.0.255", "10.4.0.9", "not-an-ip"}) {
    EXPECT_EQ(ports_.create(net, "vm3", std::string(bad)).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ports_.create("no-such-net", "vm").status().code(), StatusCode::kNotFound);
}

TEST_F(DbPortAllocation, PortsOfADeviceAndNetworkDeletion) {
  auto net = network("10.5.0.0/24");
  ASSERT_TRUE(ports_.create(net, "vm-a").ok());
  ASSERT_TRUE(ports_.create(net, "vm-a").ok());
  auto b = ports_.create(net, "vm-b");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(std::regex_match(b->mac_address, std::regex("fa:16:3e(:[0-9a-f]{2}){3}")));
  EXPECT_EQ(ports_.list_by_device("vm-a")->size(), 2u);
  ASSERT_TRUE(ports_.set_status(b->uuid, "ACTIVE").ok());
  EXPECT_EQ(ports_.get(b->uuid)->status, "ACTIVE");
  NetworkRepository nets(*db_);
  EXPECT_EQ(nets.remove(net).code(), StatusCode::kInvalidState);
  EXPECT_EQ(*ports_.remove_by_device("vm-a"), 2);
  EXPECT_TRUE(ports_.remove(b->uuid).ok());
  EXPECT_EQ(ports_.remove(b->uuid).code(), StatusCode::kNotFound);
  EXPECT_TRUE(nets.remove(net).ok());
}

// Every thread allocates from the same network; no address may repeat, and
// the ones allocated must be exactly the lowest ones.
void race(const std::vector<Database*>& dbs, const std::string& net, int per_thread, std::set<std::string>& seen,
          int& duplicates) {
  std::mutex mu;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      PortRepository ports(*dbs[t % dbs.size()]);
      for (int i = 0; i < per_thread; ++i) {
        auto p = ports.create(net, "vm-" + std::to_string(t));
        ASSERT_TRUE(p.ok()) << p.status();
        std::lock_guard lock(mu);
        if (!seen.insert(p->ip_address).second) ++duplicates;
      }
    });
  }
  for (auto& t : threads) t.join();
}

TEST_F(DbPortAllocation, NoDuplicatesUnderFourThreads) {
  auto net = network("10.6.0.0/24");
  std::set<std::string> seen;
  int duplicates = 0;
  race({db_.get()}, net, 40, seen, duplicates);
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(seen.size(), 160u);
  EXPECT_EQ(ports_.list_by_network(net)->back().ip_address, "10.6.0.161");  // .2 .. .161, no gaps
}

TEST_F(DbPortAllocation, NoDuplicatesAcrossTwoConnections) {
  auto net = network("10.7.0.0/24");
  auto other = open_again();
  ASSERT_NE(other, nullptr);
  std::set<std::string> seen;
  int duplicates = 0;
  race({db_.get(), other.get()}, net, 30, seen, duplicates);
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(seen.size(), 120u);
}

}  // namespace
}  // namespace stratus::core::db
