#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "core/db/keypair_repository.h"
#include "core/db/sqlite_connection.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using testing::TempDir;

std::unique_ptr<Connection> open_conn(const TempDir& dir) {
  auto c = open_sqlite_connection((dir.path() / "t.db").string(), {});
  EXPECT_TRUE(c.ok()) << c.status();
  return std::move(*c);
}

TEST(DbSqlite, OpensInWalModeWithForeignKeys) {
  TempDir dir;
  auto c = open_conn(dir);
  auto fk = c->prepare("read foreign_keys", "PRAGMA foreign_keys");
  ASSERT_TRUE(fk.ok());
  ASSERT_TRUE(*fk->step());
  EXPECT_EQ(fk->int64(0), 1);
  auto mode = c->prepare("read journal mode", "PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->text(0), "wal");
}

TEST(DbSqlite, ErrorsNameThePurposeAndSqlitesMessage) {
  TempDir dir;
  auto c = open_conn(dir);
  auto bad = c->prepare("count widgets", "SELECT COUNT(*) FROM widgets");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), sdk::StatusCode::kInternal);
  EXPECT_NE(bad.status().message().find("count widgets"), std::string::npos) << bad.status();
  EXPECT_NE(bad.status().message().find("no such table: widgets"), std::string::npos) << bad.status();
}

TEST(DbSqlite, UniqueViolationIsAlreadyExists) {
  TempDir dir;
  auto c = open_conn(dir);
  ASSERT_TRUE(c->exec_script("create", "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)").ok());
  ASSERT_TRUE(c->exec("insert", "INSERT INTO t VALUES (?, ?)", "a", 1).ok());
  auto dup = c->exec("insert again", "INSERT INTO t VALUES (?, ?)", "a", 2);
  EXPECT_EQ(dup.code(), sdk::StatusCode::kAlreadyExists) << dup;
  EXPECT_NE(dup.message().find("insert again"), std::string::npos);
}

TEST(DbSqlite, BindsAndReadsEveryType) {
  TempDir dir;
  auto c = open_conn(dir);
  ASSERT_TRUE(c->exec_script("create", "CREATE TABLE t (i INTEGER, r REAL, s TEXT, n TEXT)").ok());
  std::optional<std::string> none;
  ASSERT_TRUE(c->exec("insert", "INSERT INTO t VALUES (?, ?, ?, ?)", std::int64_t{1} << 40, 2.5,
                      std::string("h\0i", 3), none)
                  .ok());
  auto st = c->prepare("read", "SELECT i, r, s, n FROM t");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->int64(0), std::int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(st->real(1), 2.5);
  EXPECT_EQ(st->text(2), std::string("h\0i", 3));
  EXPECT_FALSE(st->optional_text(3).has_value());
  EXPECT_FALSE(*st->step());
}

TEST(DbSqlite, BadBindIndexIsReportedAtStep) {
  TempDir dir;
  auto c = open_conn(dir);
  auto st = c->prepare("select one", "SELECT ?");
  ASSERT_TRUE(st.ok());
  st->bind(5, std::int64_t{1});
  auto r = st->step();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("binding parameter 5"), std::string::npos) << r.status();
}

TEST(DbSqlite, RegexpSearchesAndRejectsBadPatterns) {
  TempDir dir;
  auto c = open_conn(dir);
  auto st = c->prepare("match", "SELECT 'web-01' REGEXP 'b-0', 'web-01' REGEXP '^db'");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->int64(0), 1);
  EXPECT_EQ(st->int64(1), 0);
  auto bad = c->prepare("bad match", "SELECT 'x' REGEXP '(('");
  ASSERT_TRUE(bad.ok());
  auto r = bad->step();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid regular expression"), std::string::npos) << r.status();
}

TEST(DbSqlite, CachedStatementsAreReusedAndNestedUseGetsItsOwn) {
  TempDir dir;
  auto c = open_conn(dir);
  ASSERT_TRUE(c->exec_script("create", "CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2);").ok());
  auto outer = c->prepare("outer", "SELECT v FROM t ORDER BY v");
  ASSERT_TRUE(outer.ok());
  ASSERT_TRUE(*outer->step());
  {
    auto inner = c->prepare("inner", "SELECT v FROM t ORDER BY v");  // same SQL while outer is live
    ASSERT_TRUE(inner.ok());
    ASSERT_TRUE(*inner->step());
    EXPECT_EQ(inner->int64(0), 1);
  }
  ASSERT_TRUE(*outer->step());
  EXPECT_EQ(outer->int64(0), 2);
}

// The Database on SQLite: one writer, read transactions on read-only
// connections of their own.
class DbSqliteReaders : public ::testing::Test {
 protected:
  void SetUp() override {
    DatabaseOptions options;
    options.pool_size = 2;
    options.pool_wait_ms = 300;  // a read that queued behind the writer would fail, not hang
    auto db = Database::open(dir_.path(), options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  static KeypairRecord key(const std::string& name) { return {name, "u", "ssh-ed25519 AAAA", "aa", "ssh", ""}; }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(DbSqliteReaders, AReadDoesNotWaitForTheWriterAndSeesTheLastCommit) {
  ASSERT_TRUE(KeypairRepository(*db_).create(key("committed")).ok());
  auto writer = db_->begin_write("held write");
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE(KeypairRepository(*writer).create(key("uncommitted")).ok());
  // Another thread (a transaction per thread): with one connection for all,
  // it would wait for the writer and give up after pool_wait_ms.
  auto seen = std::async(std::launch::async, [&] { return KeypairRepository(*db_).list("u"); }).get();
  ASSERT_TRUE(seen.ok()) << seen.status();
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ(seen->at(0).name, "committed");
  ASSERT_TRUE(writer->commit().ok());
  auto after = KeypairRepository(*db_).list("u");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->size(), 2u);  // a new read transaction sees the new commit
}

TEST_F(DbSqliteReaders, AWriteInAReadTransactionIsRefusedAndChangesNothing) {
  {
    auto reader = db_->begin_read("read");
    ASSERT_TRUE(reader.ok()) << reader.status();
    auto created = KeypairRepository(*reader).create(key("sneaky"));
    ASSERT_FALSE(created.ok());
    EXPECT_NE(created.status().message().find("readonly"), std::string::npos) << created.status();
  }  // rolled back
  auto keys = KeypairRepository(*db_).list("u");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(keys->empty());
}

TEST_F(DbSqliteReaders, ReadersAreBoundedByThePoolAndTheWriterStaysOne) {
  // Three threads each hold a read transaction: two get the pool's
  // connections, the third waits pool_wait_ms and names pool_size.
  std::promise<void> release_readers;
  std::shared_future<void> released = release_readers.get_future().share();
  std::vector<std::future<sdk::Status>> held;
  std::atomic<int> reading{0};
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::async(std::launch::async, [&]() -> sdk::Status {
      auto tx = db_->begin_read("hold a reader");
      if (!tx.ok()) return tx.status();
      if (auto l = KeypairRepository(*tx).list("u"); !l.ok()) return l.status();
      ++reading;
      released.wait();
      return tx->commit();
    }));
  }
  for (int i = 0; i < 500 && reading.load() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_EQ(reading.load(), 2);
  auto third = std::async(std::launch::async, [&] { return db_->begin_read("a third reader").status(); }).get();
  EXPECT_EQ(third.code(), sdk::StatusCode::kUnavailable) << third;
  EXPECT_NE(third.message().find("no free read connection"), std::string::npos) << third;
  EXPECT_NE(third.message().find("pool_size"), std::string::npos) << third;
  // The writer is not one of them: writes go on while the readers are held.
  EXPECT_TRUE(KeypairRepository(*db_).create(key("written")).ok());
  release_readers.set_value();
  for (auto& f : held) EXPECT_TRUE(f.get().ok());
  EXPECT_EQ(db_->connections_opened(), 3);  // the writer and two readers
}

}  // namespace
}  // namespace stratus::core::db
