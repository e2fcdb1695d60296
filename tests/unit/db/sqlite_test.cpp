#include <gtest/gtest.h>

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

}  // namespace
}  // namespace stratus::core::db
