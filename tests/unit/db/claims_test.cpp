#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "core/db/allocation_repository.h"
#include "core/db/compute_node_repository.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using sdk::StatusCode;

class DbClaims : public testing::DbTest {
 protected:
  void node(const std::string& name, int vcpus, std::int64_t ram, std::int64_t disk, double cpu_ratio = 1.0,
            double ram_ratio = 1.0, double disk_ratio = 1.0) {
    sdk::HostResources r;
    r.hypervisor_hostname = name;
    r.vcpus = vcpus;
    r.memory_mb = ram;
    r.local_gb = disk;
    ASSERT_TRUE(nodes_.upsert("host-" + name, r).ok());
    ASSERT_TRUE(nodes_.set_allocation_ratios(name, cpu_ratio, ram_ratio, disk_ratio).ok());
  }
  ComputeNodeRecord get(const std::string& name) {
    auto n = nodes_.get(name);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : ComputeNodeRecord{};
  }
  ComputeNodeRepository nodes_{*db_};
  AllocationRepository allocs_{*db_};
};

TEST_F(DbClaims, ExactlyFitsPasses) {
  node("n1", 4, 2048, 20);
  ASSERT_TRUE(allocs_.claim("n1", "i1", 4, 2048, 20).ok());
  auto n = get("n1");
  EXPECT_EQ(n.vcpus_used, 4);
  EXPECT_EQ(n.memory_mb_used, 2048);
  EXPECT_EQ(n.local_gb_used, 20);
  EXPECT_EQ(n.running_vms, 1);
}

TEST_F(DbClaims, OneMegabyteOverFailsNamingMemory) {
  node("n1", 4, 2048, 20);
  auto st = allocs_.claim("n1", "i1", 1, 2049, 1);
  ASSERT_EQ(st.code(), StatusCode::kConflict) << st;
  EXPECT_NE(st.message().find("memory_mb"), std::string::npos) << st;
  EXPECT_NE(st.message().find("requested 2049"), std::string::npos) << st;
  EXPECT_EQ(get("n1").memory_mb_used, 0);  // nothing half-claimed
  EXPECT_EQ(get("n1").vcpus_used, 0);
  EXPECT_EQ(allocs_.get("i1").status().code(), StatusCode::kNotFound);
}

TEST_F(DbClaims, EachResourceIsNamed) {
  node("n1", 2, 1024, 10);
  EXPECT_NE(allocs_.claim("n1", "a", 3, 1, 1).message().find("vcpus"), std::string::npos);
  EXPECT_NE(allocs_.claim("n1", "b", 1, 1, 11).message().find("disk_gb"), std::string::npos);
  EXPECT_EQ(allocs_.claim("n9", "c", 1, 1, 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(allocs_.claim("n1", "d", -1, 1, 1).code(), StatusCode::kInvalidArgument);
}

TEST_F(DbClaims, AllocationRatiosScaleCapacity) {
  node("n1", 2, 1000, 10, /*cpu*/ 4.0, /*ram*/ 1.5, /*disk*/ 2.0);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(allocs_.claim("n1", "i" + std::to_string(i), 1, 10, 1).ok()) << i;
  auto ninth = allocs_.claim("n1", "i8", 1, 10, 1);  // 9 vcpus > 2 x 4
  EXPECT_EQ(ninth.code(), StatusCode::kConflict);
  EXPECT_NE(ninth.message().find("vcpus"), std::string::npos) << ninth;
  ASSERT_TRUE(allocs_.claim("n1", "big-ram", 0, 1500 - 80, 0).ok());  // ram 1000 x 1.5
  EXPECT_NE(allocs_.claim("n1", "more-ram", 0, 1, 0).message().find("memory_mb"), std::string::npos);
  ASSERT_TRUE(allocs_.claim("n1", "big-disk", 0, 0, 20 - 8).ok());  // disk 10 x 2
  EXPECT_NE(allocs_.claim("n1", "more-disk", 0, 0, 1).message().find("disk_gb"), std::string::npos);
}

TEST_F(DbClaims, ReclaimingTheSameInstanceDoesNotDoubleCount) {
  node("n1", 4, 2048, 20);
  ASSERT_TRUE(allocs_.claim("n1", "i1", 2, 1024, 10).ok());
  ASSERT_TRUE(allocs_.claim("n1", "i1", 2, 1024, 10).ok());
  auto n = get("n1");
  EXPECT_EQ(n.vcpus_used, 2);
  EXPECT_EQ(n.memory_mb_used, 1024);
  EXPECT_EQ(n.running_vms, 1);
  // The rest still fits exactly, which it would not if i1 counted twice.
  EXPECT_TRUE(allocs_.claim("n1", "i2", 2, 1024, 10).ok());
}

TEST_F(DbClaims, ClaimElsewhereMovesAndAFailedMoveKeepsTheOld) {
  node("n1", 4, 2048, 20);
  node("n2", 1, 512, 5);
  ASSERT_TRUE(allocs_.claim("n1", "i1", 1, 512, 5).ok());
  ASSERT_TRUE(allocs_.claim("n2", "i1", 1, 512, 5).ok());  // reschedule
  EXPECT_EQ(get("n1").memory_mb_used, 0);
  EXPECT_EQ(get("n2").memory_mb_used, 512);
  EXPECT_EQ(allocs_.get("i1")->node, "n2");
  EXPECT_EQ(allocs_.claim("n2", "i1", 1, 1024, 5).code(), StatusCode::kConflict);  // resize too big
  EXPECT_EQ(get("n2").memory_mb_used, 512);
  EXPECT_EQ(allocs_.get("i1")->memory_mb, 512);
}

TEST_F(DbClaims, ReleaseGivesBackAndIsIdempotent) {
  node("n1", 4, 2048, 20);
  ASSERT_TRUE(allocs_.claim("n1", "i1", 4, 2048, 20).ok());
  ASSERT_TRUE(allocs_.release("i1").ok());
  ASSERT_TRUE(allocs_.release("i1").ok());
  auto n = get("n1");
  EXPECT_EQ(n.vcpus_used, 0);
  EXPECT_EQ(n.memory_mb_used, 0);
  EXPECT_EQ(n.local_gb_used, 0);
  EXPECT_EQ(n.running_vms, 0);
  EXPECT_TRUE(allocs_.claim("n1", "i2", 4, 2048, 20).ok());
  EXPECT_EQ(allocs_.list_for_node("n1")->size(), 1u);
}

// Many claimers, capacity for exactly `capacity` claims of 512 MB: exactly
// that many succeed, and the node's usage is their sum.
void check_totals(DbClaims& t, ComputeNodeRepository& nodes, AllocationRepository& allocs, int capacity,
                  int successes) {
  (void)t;
  EXPECT_EQ(successes, capacity);
  auto n = nodes.get("n1");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->memory_mb_used, 512 * capacity);
  EXPECT_LE(n->memory_mb_used, n->memory_mb);
  EXPECT_EQ(n->running_vms, capacity);
  EXPECT_EQ(allocs.list_for_node("n1")->size(), static_cast<std::size_t>(capacity));
}

void race(const std::vector<Database*>& dbs, int attempts_per_thread, std::atomic<int>& ok) {
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      AllocationRepository allocs(*dbs[t % dbs.size()]);
      for (int i = 0; i < attempts_per_thread; ++i) {
        auto st = allocs.claim("n1", "t" + std::to_string(t) + "-" + std::to_string(i), 1, 512, 1);
        if (st.ok()) {
          ++ok;
        } else {
          EXPECT_EQ(st.code(), StatusCode::kConflict) << st;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
}

TEST_F(DbClaims, FourThreadsNeverOverfill) {
  node("n1", 64, 512 * 20, 1000);
  std::atomic<int> ok{0};
  race({db_.get()}, 15, ok);
  check_totals(*this, nodes_, allocs_, 20, ok.load());
}

TEST_F(DbClaims, TwoSchedulersOnSeparateConnectionsNeverOverfill) {
  node("n1", 64, 512 * 25, 1000);
  auto other = open_again();
  ASSERT_NE(other, nullptr);
  std::atomic<int> ok{0};
  race({db_.get(), other.get()}, 20, ok);
  check_totals(*this, nodes_, allocs_, 25, ok.load());
}

TEST_F(DbClaims, TwoProcessesNeverOverfill) {
  node("n1", 64, 512 * 30, 1000);
  auto claim_loop = [&](const char* who) {
    auto db = Database::open(connection_, dir_.path());
    if (!db.ok()) return -1;
    AllocationRepository allocs(**db);
    int ok = 0;
    for (int i = 0; i < 25; ++i) {
      auto st = allocs.claim("n1", std::string(who) + std::to_string(i), 1, 512, 1);
      if (st.ok()) ++ok;
      else if (!st.is(StatusCode::kConflict)) return -1;
    }
    return ok;
  };
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(claim_loop("child-"));
  int parent_ok = claim_loop("parent-");
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  int child_ok = WEXITSTATUS(status);
  ASSERT_GE(parent_ok, 0);
  ASSERT_LT(child_ok, 255);  // -1 would read as 255: an unexpected error
  check_totals(*this, nodes_, allocs_, 30, parent_ok + child_ok);
}

}  // namespace
}  // namespace stratus::core::db
