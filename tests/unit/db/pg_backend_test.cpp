// What only the PostgreSQL backend has: migrations applied once by several
// openers, errors of a real server classified, a lost connection
// re-established by the next transaction with nothing of the lost one left,
// and the bound on reconnecting; a transaction whose connection was lost
// before COMMIT run again (bounded), one whose COMMIT answer was lost
// reported; the connection pool. (The repository and race tests run on it
// too: db_pg_test builds them against the test server.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/db/compute_node_repository.h"
#include "core/db/keypair_repository.h"
#include "core/db/migrations.h"
#include "core/db/pg_connection.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using sdk::StatusCode;

class PgBackend : public testing::DbTest {
 protected:
  // A separate session on the test database, for what a test does behind
  // the repositories' back.
  std::unique_ptr<Connection> admin() {
    auto conn = open_pg_connection(connection_, PgOptions{});
    EXPECT_TRUE(conn.ok()) << conn.status();
    return conn.ok() ? std::move(*conn) : nullptr;
  }
  std::unique_ptr<Database> open_with(const DatabaseOptions& options) {
    auto db = Database::open(connection_, dir_.path(), options);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }
  std::int64_t count(const std::string& sql) {
    auto conn = admin();
    if (conn == nullptr) return -1;
    auto st = conn->prepare("count", sql);
    if (!st.ok()) return -1;
    auto row = st->step();
    return row.ok() && *row ? st->int64(0) : -1;
  }
  // Ends every other session on the test database, as a server restart or a
  // network cut would.
  void cut_connections() {
    auto conn = admin();
    ASSERT_NE(conn, nullptr);
    ASSERT_TRUE(conn->exec("terminate sessions",
                           "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                    .ok());
  }
  // A key pair written on the connection a Database::write hands its function.
  static sdk::Status insert_keypair(Connection& c, const std::string& name) {
    return c.exec("insert key pair " + name,
                  "INSERT INTO key_pairs(name, user_id, public_key, fingerprint, type, created_at) "
                  "VALUES (?, 'u1', 'ssh-ed25519 AAAA', 'aa:bb', 'ssh', 'x')",
                  name);
  }
  static KeypairRecord keypair(const std::string& name) {
    KeypairRecord k;
    k.name = name;
    k.user_id = "u1";
    k.public_key = "ssh-ed25519 AAAA";
    k.fingerprint = "aa:bb";
    return k;
  }
};

TEST_F(PgBackend, MigratesToTheLastNumberAndReopensIdempotently) {
  EXPECT_EQ(db_->backend(), "postgresql");
  EXPECT_EQ(db_->schema_version(), builtin_migrations().back().number);
  auto again = open_again();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->schema_version(), builtin_migrations().back().number);
  EXPECT_EQ(count("SELECT COUNT(*) FROM schema_migrations"), static_cast<std::int64_t>(builtin_migrations().size()));
  // The widened types: an IPv4 address as a number and a ratio fit as they are.
  EXPECT_EQ(count("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'ports' AND "
                  "column_name = 'ip_int' AND data_type = 'bigint'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'compute_nodes' AND "
                  "column_name = 'cpu_allocation_ratio' AND data_type = 'double precision'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM roles WHERE length(id) = 32"), 3);
}

TEST_F(PgBackend, SeveralOpenersOfAFreshDatabaseApplyEachMigrationOnce) {
  std::string why;
  auto* server = testing::PgTestServer::shared(&why);
  ASSERT_TRUE(server->create_database("stratus_openers").ok());
  auto fresh = sdk::Result<std::string>(server->url("stratus_openers"));
  std::vector<std::thread> openers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    openers.emplace_back([&] {
      auto db = Database::open(*fresh, dir_.path());
      if (db.ok()) ok.fetch_add(1);
      else ADD_FAILURE() << db.status();
    });
  }
  for (auto& t : openers) t.join();
  EXPECT_EQ(ok.load(), 4);
  auto conn = open_pg_connection(*fresh, PgOptions{});
  ASSERT_TRUE(conn.ok());
  auto st = (*conn)->prepare("count", "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->int64(0), static_cast<std::int64_t>(builtin_migrations().size()));
  EXPECT_EQ(st->int64(1), st->int64(0));
  conn->reset();
  (void)testing::PgTestServer::shared(&why)->drop_database_of(*fresh);
}

TEST_F(PgBackend, ServerErrorsAreClassified) {
  KeypairRepository keys(*db_);
  ASSERT_TRUE(keys.create(keypair("k1")).ok());
  auto dup = keys.create(keypair("k1"));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists) << dup.status();

  auto conn = admin();
  ASSERT_NE(conn, nullptr);
  auto fk = conn->exec("add a port on no network",
                       "INSERT INTO ports(uuid, network_id, mac_address, ip_address, ip_int, created_at, updated_at) "
                       "VALUES ('p', 4242, 'm', '10.0.0.2', 167772162, 'x', 'x')");
  EXPECT_EQ(fk.code(), StatusCode::kInvalidArgument) << fk;
  EXPECT_NE(fk.message().find("add a port on no network: "), std::string::npos) << fk;
  auto syntax = conn->exec("nonsense", "SELEC 1");
  EXPECT_EQ(syntax.code(), StatusCode::kInternal) << syntax;
}

TEST_F(PgBackend, AWriterWaitingForARowLockGivesUpAfterTheLockTimeout) {
  sdk::HostResources res;
  res.hypervisor_hostname = "n1";
  res.vcpus = 4;
  res.memory_mb = 4096;
  res.local_gb = 40;
  ASSERT_TRUE(ComputeNodeRepository(*db_).upsert("n1", res).ok());
  DatabaseOptions quick;
  quick.busy_timeout_ms = 200;
  auto other = Database::open(connection_, dir_.path(), quick);
  ASSERT_TRUE(other.ok()) << other.status();
  auto holder = db_->begin_write("hold the row");
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE(holder->connection().exec("lock n1", "UPDATE compute_nodes SET updated_at = 'x' WHERE host = 'n1'").ok());
  auto blocked = ComputeNodeRepository(**other).set_allocation_ratios("n1", 2.0, 1.0, 1.0);
  EXPECT_EQ(blocked.code(), StatusCode::kUnavailable) << blocked;
  ASSERT_TRUE(holder->commit().ok());
  EXPECT_TRUE(ComputeNodeRepository(**other).set_allocation_ratios("n1", 2.0, 1.0, 1.0).ok());
}

TEST_F(PgBackend, ALostConnectionLeavesNothingHalfWrittenAndTheNextTransactionReconnects) {
  KeypairRepository keys(*db_);
  ASSERT_TRUE(keys.create(keypair("before")).ok());
  {
    auto tx = db_->begin_write("create two key pairs");
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(KeypairRepository(*tx).create(keypair("lost-1")).ok());
    cut_connections();
    auto second = KeypairRepository(*tx).create(keypair("lost-2"));
    EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status();
    auto commit = tx->commit();
    EXPECT_EQ(commit.code(), StatusCode::kUnavailable) << commit;
  }
  auto listed = keys.list("u1");  // a new transaction: reconnects first
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "before");
  EXPECT_TRUE(keys.create(keypair("after")).ok());  // prepared statements are made again
  EXPECT_EQ(count("SELECT COUNT(*) FROM key_pairs"), 2);
}

TEST_F(PgBackend, ReconnectingIsBoundedAndSaysWhy) {
  DatabaseOptions few;
  few.reconnect_attempts = 2;
  auto db = Database::open(connection_, dir_.path(), few);
  ASSERT_TRUE(db.ok()) << db.status();
  db_.reset();
  std::string why;
  // The database goes away for good: every reconnection fails.
  ASSERT_TRUE(testing::PgTestServer::shared(&why)->drop_database_of(connection_).ok());
  auto listed = KeypairRepository(**db).list("u1");
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), StatusCode::kUnavailable) << listed.status();
  EXPECT_NE(listed.status().message().find("2 tries to reconnect failed"), std::string::npos) << listed.status();
}

TEST_F(PgBackend, AWriteWhoseConnectionIsLostBeforeCommitRunsAgainOnAFreshConnection) {
  int runs = 0;
  auto st = db_->write("create two key pairs, the connection cut once", [&](Connection& c) -> sdk::Status {
    ++runs;
    auto first = insert_keypair(c, "replayed-1");
    if (!first.ok()) return first;
    if (runs == 1) cut_connections();  // a server restart between two statements
    return insert_keypair(c, "replayed-2");
  });
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(db_->replays(), 1u);
  // Once each: the lost run's first insert went with its session.
  EXPECT_EQ(count("SELECT COUNT(*) FROM key_pairs"), 2);
}

TEST_F(PgBackend, ReplayIsBounded) {
  DatabaseOptions once;
  once.replay_attempts = 1;
  auto db = open_with(once);
  ASSERT_NE(db, nullptr);
  int runs = 0;
  auto st = db->write("create a key pair, the connection cut every time", [&](Connection& c) -> sdk::Status {
    ++runs;
    auto first = insert_keypair(c, "never-" + std::to_string(runs));
    if (!first.ok()) return first;
    cut_connections();
    return insert_keypair(c, "never-b" + std::to_string(runs));
  });
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st;
  EXPECT_EQ(runs, 2);  // the first run and one replay
  EXPECT_EQ(count("SELECT COUNT(*) FROM key_pairs"), 0);
}

TEST_F(PgBackend, ACommitWhoseAnswerIsLostIsReportedNeverReplayed) {
  int runs = 0;
  auto st = db_->write("create a key pair, the connection cut before COMMIT", [&](Connection& c) -> sdk::Status {
    ++runs;
    auto created = insert_keypair(c, "unknown");
    if (!created.ok()) return created;
    cut_connections();  // nothing notices until COMMIT is sent
    return sdk::Status::OK();
  });
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st;
  EXPECT_NE(st.message().find("whether the transaction committed is unknown"), std::string::npos) << st;
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(db_->replays(), 0u);
  // (Here the session died before COMMIT arrived: nothing was written.)
  EXPECT_EQ(count("SELECT COUNT(*) FROM key_pairs"), 0);
  EXPECT_TRUE(KeypairRepository(*db_).list("u1").ok());  // and the next transaction reconnects
}

TEST_F(PgBackend, APoolLendsOneConnectionPerTransactionAndBoundsTheWait) {
  DatabaseOptions two;
  two.pool_size = 2;
  two.pool_wait_ms = 200;
  auto db = open_with(two);
  ASSERT_NE(db, nullptr);
  // Two threads hold a write transaction at once, each on its own connection.
  auto first = db->begin_write("first");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(KeypairRepository(*first).create(keypair("pool-1")).ok());
  std::atomic<bool> second_ok{false};
  std::thread second([&] {
    auto tx = db->begin_write("second");
    if (!tx.ok()) return;
    second_ok = KeypairRepository(*tx).create(keypair("pool-2")).ok() && tx->commit().ok();
  });
  second.join();
  EXPECT_TRUE(second_ok.load());
  EXPECT_EQ(db->connections_opened(), 2);
  // Both lent: a third waits pool_wait_ms and says why.
  std::thread holder_two;
  std::atomic<int> stage{0};
  holder_two = std::thread([&] {
    auto tx = db->begin_write("held");
    stage = tx.ok() ? 1 : -1;
    while (stage.load() == 1) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  for (int i = 0; i < 400 && stage.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(stage.load(), 1);
  sdk::Status third;
  std::thread waiter([&] { third = KeypairRepository(*db).list("u1").status(); });
  waiter.join();
  EXPECT_EQ(third.code(), StatusCode::kUnavailable) << third;
  EXPECT_NE(third.message().find("pool_size"), std::string::npos) << third;
  stage = 2;
  holder_two.join();
  ASSERT_TRUE(first->commit().ok());
  EXPECT_EQ(db->connections_opened(), 2);  // never more than the pool
  EXPECT_EQ(count("SELECT COUNT(*) FROM key_pairs"), 2);
}

TEST_F(PgBackend, ManyThreadsOnOnePoolCommitEverything) {
  DatabaseOptions three;
  three.pool_size = 3;
  auto db = open_with(three);
  ASSERT_NE(db, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto tx = db->begin_write("create");
        if (!tx.ok()) {
          ++failures;
          continue;
        }
        KeypairRepository keys(*tx);
        // A failing call in the middle: its savepoint undoes it, the rest commits.
        const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!keys.create(keypair(name)).ok() || keys.create(keypair(name)).ok() ||
            !keys.create(keypair(name + "b")).ok() || !tx->commit().ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(db->connections_opened(), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM key_pairs"), 6 * 10 * 2);
}

}  // namespace
}  // namespace stratus::core::db
