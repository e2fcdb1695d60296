// Transaction and Scope: a caller's transaction spans several repository
// calls, commits whole or rolls back whole; a failing call inside it undoes
// only its own statements.
#include <gtest/gtest.h>

#include "core/db/keypair_repository.h"
#include "core/db/sqlite_connection.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using sdk::StatusCode;

class DbTransaction : public testing::DbTest {
 protected:
  static KeypairRecord key(const std::string& name) { return {name, "u", "ssh-ed25519 AAAA", "aa", "ssh", ""}; }
  std::size_t keys() { return KeypairRepository(*db_).list("u")->size(); }
};

TEST_F(DbTransaction, CommittedCallsAreAllThere) {
  auto tx = db_->begin_write("two keys");
  ASSERT_TRUE(tx.ok()) << tx.status();
  KeypairRepository repo(*tx);
  ASSERT_TRUE(repo.create(key("a")).ok());
  ASSERT_TRUE(repo.create(key("b")).ok());
  EXPECT_EQ(repo.list("u")->size(), 2u);  // the transaction sees its own writes
  ASSERT_TRUE(tx->commit().ok());
  EXPECT_FALSE(tx->active());
  EXPECT_EQ(keys(), 2u);
  EXPECT_EQ(tx->commit().code(), StatusCode::kInvalidState);
}

TEST_F(DbTransaction, AnUncommittedTransactionRollsBackWhole) {
  {
    auto tx = db_->begin_write("two keys");
    ASSERT_TRUE(tx.ok());
    KeypairRepository repo(*tx);
    ASSERT_TRUE(repo.create(key("a")).ok());
    ASSERT_TRUE(repo.create(key("b")).ok());
  }  // no commit
  EXPECT_EQ(keys(), 0u);
}

TEST_F(DbTransaction, AFailedCallUndoesOnlyItselfAndTheTransactionGoesOn) {
  auto tx = db_->begin_write("keys");
  ASSERT_TRUE(tx.ok());
  KeypairRepository repo(*tx);
  ASSERT_TRUE(repo.create(key("a")).ok());
  // Counts 1 under the lock key, refuses: its lock-key upsert is rolled back to the savepoint.
  EXPECT_EQ(repo.create(key("b"), /*max_per_user=*/1).status().code(), StatusCode::kConflict);
  EXPECT_EQ(repo.create(key("a")).status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(repo.create(key("c")).ok());
  ASSERT_TRUE(tx->commit().ok());
  auto all = KeypairRepository(*db_).list("u");
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at(0).name, "a");
  EXPECT_EQ(all->at(1).name, "c");
}

TEST_F(DbTransaction, UsingTheDatabaseWhileHoldingATransactionIsRefusedNotADeadlock) {
  auto tx = db_->begin_write("held");
  ASSERT_TRUE(tx.ok());
  auto inner = KeypairRepository(*db_).list("u");
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.status().code(), StatusCode::kInternal);
  EXPECT_NE(inner.status().message().find("already holds a transaction"), std::string::npos) << inner.status();
  ASSERT_TRUE(tx->commit().ok());
  EXPECT_TRUE(KeypairRepository(*db_).list("u").ok());  // released
}

TEST_F(DbTransaction, ARepositoryCallOverTheDatabaseCountsItsStatements) {
  // The first read may open a read connection (SQLite), whose set-up
  // prepares statements of its own: not counted here.
  ASSERT_TRUE(KeypairRepository(*db_).list("u").ok());
  const auto before = db_->statements_prepared();
  ASSERT_TRUE(KeypairRepository(*db_).list("u").ok());
  // BEGIN, the SELECT, COMMIT.
  EXPECT_EQ(db_->statements_prepared() - before, 3u);
}

TEST(DbDialect, ExpandsTheIdentityColumnOfMigrations) {
  const auto& d = sqlite_dialect();
  EXPECT_EQ(d.name, "sqlite");
  EXPECT_EQ(d.expand("CREATE TABLE t (id {identity}, u {identity})"),
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, u INTEGER PRIMARY KEY AUTOINCREMENT)");
  EXPECT_EQ(d.expand("no token"), "no token");
}

}  // namespace
}  // namespace stratus::core::db
