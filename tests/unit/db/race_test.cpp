// The read-then-write patterns under several writers: threads on separate
// connections (one Database each, as separate processes would have) race
// for the same limit, round after round, and the invariant is checked after
// every round. The patterns are those of docs/database.md ("Race-proof
// patterns"): counted limits under a lock key (instance quota, key pairs,
// server groups, group members), a conflict-free insert retried on a taken address (IPs), a
// conditional UPDATE (claims).
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <set>
#include <thread>
#include <vector>

#include "core/db/allocation_repository.h"
#include "core/db/compute_node_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/keypair_repository.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/quota_repository.h"
#include "core/db/server_group_repository.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using sdk::StatusCode;

constexpr int kConnections = 4;
constexpr int kThreads = 8;
constexpr int kRounds = 12;

class DbRace : public testing::DbTest {
 protected:
  void SetUp() override {
    for (int i = 0; i < kConnections; ++i) {
      auto db = open_again();
      ASSERT_NE(db, nullptr);
      connections_.push_back(std::move(db));
    }
  }

  // Runs attempt(thread, database) on kThreads threads at once (each on one
  // of the connections, round robin); returns how many succeeded. An error
  // other than `refusal` fails the test.
  int race(const std::function<sdk::Status(int, Database&)>& attempt, StatusCode refusal) {
    std::atomic<int> ok{0};
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();  // start together
        auto st = attempt(t, *connections_[static_cast<std::size_t>(t % kConnections)]);
        if (st.ok()) {
          ok.fetch_add(1);
        } else {
          EXPECT_EQ(st.code(), refusal) << st;
        }
      });
    }
    for (auto& th : threads) th.join();
    return ok.load();
  }

  std::vector<std::unique_ptr<Database>> connections_;
};

InstanceRecord instance(const std::string& project, int vcpus) {
  InstanceRecord r;
  r.display_name = "vm";
  r.project_id = project;
  r.user_id = "u";
  r.flavor.id = "1";
  r.flavor.vcpus = vcpus;
  r.flavor.memory_mb = 64;
  return r;
}

TEST_F(DbRace, InstanceQuotaIsNeverExceeded) {
  QuotaRepository quotas(*db_);
  for (int round = 0; round < kRounds; ++round) {
    const std::string project = "p" + std::to_string(round);
    // 5 instances or 7 cores, whichever comes first; creates ask 1 or 2 cores.
    ASSERT_TRUE(quotas.set_limits(project, {{"instances", 5}, {"cores", 7}}).ok());
    race([&](int t, Database& db) {
      return InstanceRepository(db).create({instance(project, 1 + t % 2)}).status();
    }, StatusCode::kConflict);
    auto used = quotas.usage(project);
    ASSERT_TRUE(used.ok());
    EXPECT_LE(used->instances, 5) << "round " << round;
    EXPECT_LE(used->cores, 7) << "round " << round;
    EXPECT_GE(used->cores, 6) << "round " << round << ": a create was refused while there was room";
  }
}

// Users with limits of their own race in one project: each user's own
// limit and the project's hold, whoever wins.
TEST_F(DbRace, PerUserInstanceQuotaIsNeverExceeded) {
  QuotaRepository quotas(*db_);
  for (int round = 0; round < kRounds; ++round) {
    const std::string project = "pu" + std::to_string(round);
    // Two users of 3 instances each, in a project of 5: 8 threads ask for one each.
    ASSERT_TRUE(quotas.set_limits(project, {{"instances", 5}}).ok());
    ASSERT_TRUE(quotas.set_user_limits(project, "a", {{"instances", 3}}).ok());
    ASSERT_TRUE(quotas.set_user_limits(project, "b", {{"instances", 3}}).ok());
    int made = race([&](int t, Database& db) {
      InstanceRecord r = instance(project, 1);
      r.user_id = t % 2 == 0 ? "a" : "b";
      return InstanceRepository(db).create({r}).status();
    }, StatusCode::kConflict);
    EXPECT_EQ(made, 5) << "round " << round << ": a create was refused while there was room";
    EXPECT_LE(quotas.user_usage(project, "a")->instances, 3) << "round " << round;
    EXPECT_LE(quotas.user_usage(project, "b")->instances, 3) << "round " << round;
    EXPECT_EQ(quotas.usage(project)->instances, 5) << "round " << round;
  }
}

TEST_F(DbRace, AddressesAreUniqueAndLowestFirst) {
  for (int round = 0; round < kRounds; ++round) {
    NetworkRecord n;
    n.name = "n" + std::to_string(round);
    n.cidr = "10.7." + std::to_string(round) + ".0/28";  // .1 gateway: .2 to .14, 13 addresses
    auto net = NetworkRepository(*db_).create(n);
    ASSERT_TRUE(net.ok()) << net.status();
    // 8 threads x 2 ports = 16 wanted, 13 there.
    int made = race([&](int t, Database& db) {
      PortRepository ports(db);
      for (int i = 0; i < 2; ++i) {
        auto p = ports.create(net->uuid, "vm-" + std::to_string(t));
        if (!p.ok()) return p.status();
      }
      return sdk::Status::OK();
    }, StatusCode::kConflict);
    EXPECT_GE(made, 5) << "round " << round;
    auto on_net = PortRepository(*db_).list_by_network(net->uuid);
    ASSERT_TRUE(on_net.ok());
    ASSERT_EQ(on_net->size(), 13u) << "round " << round;
    std::set<std::string> distinct;
    for (const auto& p : *on_net) distinct.insert(p.ip_address);
    EXPECT_EQ(distinct.size(), 13u) << "round " << round << ": an address was given twice";
    EXPECT_EQ(distinct.count("10.7." + std::to_string(round) + ".1"), 0u) << "the gateway was handed out";
  }
}

TEST_F(DbRace, KeyPairQuotaIsNeverExceeded) {
  for (int round = 0; round < kRounds; ++round) {
    const std::string user = "u" + std::to_string(round);
    int made = race([&](int t, Database& db) {
      KeypairRecord k{"k" + std::to_string(t), user, "ssh-ed25519 AAAA", "aa", "ssh", ""};
      return KeypairRepository(db).create(k, /*max_per_user=*/3).status();
    }, StatusCode::kConflict);
    EXPECT_EQ(made, 3) << "round " << round;
    EXPECT_EQ(KeypairRepository(*db_).list(user)->size(), 3u) << "round " << round;
  }
}

TEST_F(DbRace, ServerGroupMemberQuotaIsNeverExceeded) {
  ServerGroupRepository groups(*db_);
  for (int round = 0; round < kRounds; ++round) {
    ServerGroupRecord g;
    g.name = "g";
    g.project_id = "p";
    g.user_id = "u";
    g.policy = "anti-affinity";
    auto group = groups.create(g);
    ASSERT_TRUE(group.ok()) << group.status();
    int made = race([&](int t, Database& db) {
      return ServerGroupRepository(db).add_members(group->uuid, {"i-" + std::to_string(t)}, /*max_members=*/3);
    }, StatusCode::kConflict);
    EXPECT_EQ(made, 3) << "round " << round;
    EXPECT_EQ(groups.get(group->uuid)->members.size(), 3u) << "round " << round;
  }
}

TEST_F(DbRace, ServerGroupQuotaIsNeverExceeded) {
  for (int round = 0; round < kRounds; ++round) {
    const std::string project = "p" + std::to_string(round);
    int made = race([&](int t, Database& db) {
      ServerGroupRecord g;
      g.name = "g" + std::to_string(t);
      g.project_id = project;
      g.user_id = "u";
      g.policy = "affinity";
      return ServerGroupRepository(db).create(g, /*max_per_project=*/2).status();
    }, StatusCode::kConflict);
    EXPECT_EQ(made, 2) << "round " << round;
    EXPECT_EQ(ServerGroupRepository(*db_).list(project)->size(), 2u) << "round " << round;
  }
}

TEST_F(DbRace, ClaimsNeverOverfillANode) {
  ComputeNodeRepository nodes(*db_);
  AllocationRepository allocs(*db_);
  for (int round = 0; round < kRounds; ++round) {
    const std::string name = "n" + std::to_string(round);
    sdk::HostResources r;
    r.hypervisor_hostname = name;
    r.vcpus = 5;
    r.memory_mb = 4096;
    r.local_gb = 100;
    ASSERT_TRUE(nodes.upsert("host-" + name, r).ok());
    ASSERT_TRUE(nodes.set_allocation_ratios(name, 1.0, 1.0, 1.0).ok());
    int made = race([&](int t, Database& db) {
      return AllocationRepository(db).claim(name, name + "-i" + std::to_string(t), 1, 128, 1);
    }, StatusCode::kConflict);
    EXPECT_EQ(made, 5) << "round " << round;
    auto node = nodes.get(name);
    ASSERT_TRUE(node.ok());
    EXPECT_EQ(node->vcpus_used, 5) << "round " << round;
    EXPECT_EQ(allocs.list_for_node(name)->size(), 5u) << "round " << round;
  }
}

}  // namespace
}  // namespace stratus::core::db
