// DbClaimer, and two schedulers with their own (stale) host caches sharing
// one database: together they never overfill a host.
#include "core/scheduler/db_claimer.h"

#include <unistd.h>

#include <atomic>
#include <mutex>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "core/db/allocation_repository.h"
#include "core/db/compute_node_repository.h"
#include "pg_test_server.h"
#include "scheduler_test_support.h"

namespace stratus::core::scheduler {
namespace {

namespace fs = std::filesystem;
using testing::HostSpec;

// Each test runs on SQLite (a temporary directory) and on PostgreSQL (a
// fresh database on a server the test process starts, pg_test_server.h;
// skipped, saying why, without the PostgreSQL binaries).
class DbClaimerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stratus-dbclaimer-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    if (GetParam() == "postgresql") {
      std::string why;
      server_ = db::testing::PgTestServer::shared(&why);
      if (server_ == nullptr) GTEST_SKIP() << "PostgreSQL tests skipped: " << why;
      auto url = server_->fresh_database();
      ASSERT_TRUE(url.ok()) << url.status();
      connection_ = *url;
    }
    db_ = open();
    ASSERT_NE(db_, nullptr);
    for (const char* host : {"h1", "h2", "h3"}) add_node(*db_, host);
  }
  void TearDown() override {
    db_.reset();
    if (server_ != nullptr && !connection_.empty()) (void)server_->drop_database_of(connection_);
    fs::remove_all(dir_);
  }
  std::unique_ptr<db::Database> open() {
    auto db = db::Database::open(connection_, dir_);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(db.value()) : nullptr;
  }
  // 8 GB, 8 vcpus, 100 GB; ratios 1.0 so the database and the caches agree.
  static void add_node(db::Database& db, const std::string& host) {
    auto report = testing::make_report(HostSpec{host});
    ASSERT_TRUE(db::ComputeNodeRepository(db).upsert(host, report.resources).ok());
    ASSERT_TRUE(db::ComputeNodeRepository(db).set_allocation_ratios(host, 1.0, 1.0, 1.0).ok());
  }

  // A scheduler with its own host cache and its own claimer on `db`.
  struct SchedulerUnderTest {
    HostStateCache cache{std::chrono::seconds(60)};
    std::unique_ptr<DbClaimer> claimer;
    std::unique_ptr<FilterScheduler> scheduler;
  };
  static void make_scheduler(PluginRegistry& registry, SchedulerUnderTest& s, db::Database& db,
                             const SchedulerOptions& options) {
    s.claimer = std::make_unique<DbClaimer>(db);
    auto made = FilterScheduler::from_config(registry, Config{}, s.cache, *s.claimer, options);
    ASSERT_TRUE(made.ok()) << made.status();
    s.scheduler = std::move(made.value());
  }

  fs::path dir_;
  db::testing::PgTestServer* server_ = nullptr;
  std::string connection_;  // "" for SQLite in dir_
  std::unique_ptr<db::Database> db_;
};

TEST_P(DbClaimerTest, ClaimsAreIdempotentAndConflictsNameTheResource) {
  DbClaimer claimer(*db_);
  ClaimRequest r{"h1", "h1", "i-1", 2, 4096, 10};
  ASSERT_TRUE(claimer.claim(r).ok());
  EXPECT_TRUE(claimer.claim(r).ok());  // the very same claim again
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get("h1")->memory_mb_used, 4096);

  ClaimRequest elsewhere{"h2", "h2", "i-1", 2, 4096, 10};
  EXPECT_EQ(claimer.claim(elsewhere).code(), sdk::StatusCode::kAlreadyExists);

  ClaimRequest too_big{"h1", "h1", "i-2", 1, 4097, 1};
  auto s = claimer.claim(too_big);
  EXPECT_EQ(s.code(), sdk::StatusCode::kConflict);
  EXPECT_NE(s.message().find("memory_mb"), std::string::npos) << s;

  ClaimRequest unknown{"h9", "h9", "i-3", 1, 1, 1};
  EXPECT_EQ(claimer.claim(unknown).code(), sdk::StatusCode::kNotFound);

  ASSERT_TRUE(claimer.release("i-1").ok());
  EXPECT_TRUE(claimer.release("i-1").ok());  // idempotent
  EXPECT_EQ(db::ComputeNodeRepository(*db_).get("h1")->memory_mb_used, 0);
  EXPECT_TRUE(claimer.claim(elsewhere).ok());
}

// Two schedulers, each with its own connection to the database and its own
// host cache that never sees the other's placements, race to place 1 GB
// instances on three 8 GB hosts: exactly 24 fit, and no host goes over.
TEST_P(DbClaimerTest, TwoSchedulersNeverOverfillAHost) {
  PluginRegistry registry;
  testing::load_builtin_plugins(registry);
  auto second_db = open();
  ASSERT_NE(second_db, nullptr);

  SchedulerUnderTest a, b;
  for (SchedulerUnderTest* s : {&a, &b}) {
    for (const char* host : {"h1", "h2", "h3"}) ASSERT_TRUE(s->cache.update_from_report(testing::make_report(HostSpec{host})).ok());
  }
  make_scheduler(registry, a, *db_, testing::options(2, 3, 7));
  make_scheduler(registry, b, *second_db, testing::options(2, 3, 7));

  std::atomic<int> placed{0}, refused{0}, other{0};
  auto run = [&](SchedulerUnderTest& s, const std::string& prefix) {
    auto spec = testing::make_spec(testing::make_flavor(1024, 1, 1));
    for (int i = 0; i < 20; ++i) {
      auto result = s.scheduler->select_destinations(spec, {prefix + "-" + std::to_string(i)});
      if (result.ok()) {
        ++placed;
      } else if (is_no_valid_host(result.status())) {
        ++refused;
      } else {
        ++other;
      }
    }
  };
  std::thread ta(run, std::ref(a), "a");
  std::thread tb(run, std::ref(b), "b");
  ta.join();
  tb.join();

  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(placed.load(), 24);
  EXPECT_EQ(refused.load(), 16);
  std::int64_t used = 0;
  for (const char* host : {"h1", "h2", "h3"}) {
    auto node = db::ComputeNodeRepository(*db_).get(host);
    ASSERT_TRUE(node.ok());
    EXPECT_LE(node->memory_mb_used, node->memory_mb) << host;
    EXPECT_EQ(static_cast<std::int64_t>(db::AllocationRepository(*db_).list_for_node(host)->size()) * 1024,
              node->memory_mb_used)
        << host;
    used += node->memory_mb_used;
  }
  EXPECT_EQ(used, 24 * 1024);
}

// The last slot of a host, fought over by two schedulers on separate
// connections, round after round: both caches say the host is empty (a
// fresh report each round, the stalest view there is), both claim at the
// same moment, and exactly one gets it every time.
TEST_P(DbClaimerTest, TwoSchedulersRaceForTheLastSlotOfAHostManyTimes) {
  PluginRegistry registry;
  testing::load_builtin_plugins(registry);
  auto second_db = open();
  ASSERT_NE(second_db, nullptr);
  DbClaimer filler(*db_);
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(filler.claim(ClaimRequest{"h1", "h1", "filler-" + std::to_string(i), 1, 1024, 1}).ok());
  }

  SchedulerUnderTest a, b;
  make_scheduler(registry, a, *db_, testing::options(1, 1, 7));
  make_scheduler(registry, b, *second_db, testing::options(1, 1, 7));
  constexpr int kRounds = 40;
  int one_winner = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (SchedulerUnderTest* s : {&a, &b}) ASSERT_TRUE(s->cache.update_from_report(testing::make_report(HostSpec{"h1"})).ok());
    std::atomic<int> ready{0}, placed{0}, refused{0}, other{0};
    std::string winner;
    std::mutex winner_mu;
    auto run = [&](SchedulerUnderTest& s, const std::string& instance) {
      ready.fetch_add(1);
      while (ready.load() < 2) std::this_thread::yield();  // start together
      auto spec = testing::make_spec(testing::make_flavor(1024, 1, 1));
      auto result = s.scheduler->select_destinations(spec, {instance});
      if (result.ok()) {
        ++placed;
        std::lock_guard lock(winner_mu);
        winner = instance;
      } else if (is_no_valid_host(result.status())) {
        ++refused;
      } else {
        ++other;
        ADD_FAILURE() << result.status();
      }
    };
    const std::string r = std::to_string(round);
    std::thread ta(run, std::ref(a), "a-" + r);
    std::thread tb(run, std::ref(b), "b-" + r);
    ta.join();
    tb.join();
    ASSERT_EQ(other.load(), 0) << "round " << round;
    ASSERT_EQ(placed.load(), 1) << "round " << round;
    ASSERT_EQ(refused.load(), 1) << "round " << round;
    auto node = db::ComputeNodeRepository(*db_).get("h1");
    ASSERT_TRUE(node.ok());
    ASSERT_EQ(node->memory_mb_used, 8 * 1024) << "round " << round;
    ASSERT_EQ(db::AllocationRepository(*db_).list_for_node("h1")->size(), 8u) << "round " << round;
    ++one_winner;
    ASSERT_TRUE(db::AllocationRepository(*db_).release(winner).ok());  // the slot is free again
  }
  EXPECT_EQ(one_winner, kRounds);
}

INSTANTIATE_TEST_SUITE_P(Backends, DbClaimerTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) { return backend.param; });

}  // namespace
}  // namespace stratus::core::scheduler
