#include <gtest/gtest.h>

#include "core/db/migrations.h"
#include "core/db/sqlite.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using testing::TempDir;

// The number of this build's last migration; the tests add the ones after it.
int latest() { return static_cast<int>(builtin_migrations().size()); }
std::string str(int n) { return std::to_string(n); }

TEST(DbMigrations, FreshDatabaseIsAtTheLatestVersion) {
  TempDir dir;
  auto db = Database::open(dir.path() / "nested" / "data");  // directory created on demand
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->schema_version(), static_cast<int>(builtin_migrations().size()));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "nested" / "data" / "stratus.db"));
}

TEST(DbMigrations, ReopenIsIdempotent) {
  TempDir dir;
  { ASSERT_TRUE(Database::open(dir.path()).ok()); }
  auto again = Database::open(dir.path());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->schema_version(), latest());
  auto rows = (*again)->read("count migrations", [](Connection& c) -> sdk::Result<std::int64_t> {
    auto st = c.prepare("count", "SELECT COUNT(*) FROM schema_migrations");
    if (!st.ok()) return st.status();
    auto r = st->step();
    if (!r.ok()) return r.status();
    return st->int64(0);
  });
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, latest());
}

TEST(DbMigrations, AppliesNewMigrationsOnReopen) {
  TempDir dir;
  { ASSERT_TRUE(Database::open(dir.path()).ok()); }
  std::vector<Migration> next = builtin_migrations();
  next.push_back({latest() + 1, "add widgets", "CREATE TABLE widgets (id INTEGER PRIMARY KEY);"});
  DatabaseOptions opts;
  opts.migrations = &next;
  auto db = Database::open(dir.path(), opts);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->schema_version(), latest() + 1);
  auto st = (*db)->write("use widgets", [](Connection& c) { return c.exec("insert widget", "INSERT INTO widgets DEFAULT VALUES"); });
  EXPECT_TRUE(st.ok()) << st;
}

TEST(DbMigrations, RefusesADatabaseNewerThanTheCode) {
  TempDir dir;
  {
    std::vector<Migration> newer = builtin_migrations();
    newer.push_back({latest() + 1, "from the future", "CREATE TABLE future (x);"});
    DatabaseOptions opts;
    opts.migrations = &newer;
    ASSERT_TRUE(Database::open(dir.path(), opts).ok());
  }
  auto db = Database::open(dir.path());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), sdk::StatusCode::kInvalidState);
  EXPECT_NE(db.status().message().find("schema version " + str(latest() + 1) + " is newer than this Stratus supports (" + str(latest()) + ")"), std::string::npos)
      << db.status();
}

TEST(DbMigrations, AFailingMigrationLeavesTheLastGoodVersion) {
  TempDir dir;
  std::vector<Migration> broken = builtin_migrations();
  broken.push_back({latest() + 1, "half done", "CREATE TABLE half (x); CREATE TABLE instances (x);"});
  DatabaseOptions opts;
  opts.migrations = &broken;
  auto db = Database::open(dir.path(), opts);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("migration " + str(latest() + 1) + " (half done)"), std::string::npos) << db.status();
  auto good = Database::open(dir.path());
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ((*good)->schema_version(), latest());
  // The half-created table was rolled back with the rest of the migration.
  auto st = (*good)->read("probe", [](Connection& c) { return c.exec("probe", "SELECT * FROM half"); });
  EXPECT_FALSE(st.ok());
}

TEST(DbMigrations, RejectsAGappedList) {
  TempDir dir;
  std::vector<Migration> gapped = {{1, "a", "CREATE TABLE a (x);"}, {3, "c", "CREATE TABLE c (x);"}};
  DatabaseOptions opts;
  opts.migrations = &gapped;
  auto db = Database::open(dir.path(), opts);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), sdk::StatusCode::kInvalidArgument);
}

TEST(DbMigrations, UnwritableDataDirectoryIsAClearError) {
  TempDir dir;
  auto file = dir.path() / "not-a-dir";
  { std::FILE* f = std::fopen(file.c_str(), "w"); ASSERT_NE(f, nullptr); std::fclose(f); }
  auto db = Database::open(file / "data");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("data directory"), std::string::npos) << db.status();
}

}  // namespace
}  // namespace stratus::core::db
