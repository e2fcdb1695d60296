#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <regex>

#include "core/db/migrations.h"
#include "core/db/connection.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using testing::TempDir;

// The number of this build's last migration; the tests add the ones after it.

TEST(DbMigrations, FreshDatabaseIsAtTheLatestVersion) {
  TempDir dir;
  auto db = Database::open(dir.path() / "nested" / "data");  // directory created on demand
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->schema_version(), builtin_migrations().back().number);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "nested" / "data" / "stratus.db"));
}

TEST(DbMigrations, ReopenIsIdempotent) {
  TempDir dir;
  { ASSERT_TRUE(Database::open(dir.path()).ok()); }
  auto again = Database::open(dir.path());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->schema_version(), builtin_migrations().back().number);
  const auto latest = static_cast<std::int64_t>(builtin_migrations().size());
  auto rows = (*again)->read("count migrations", [](Connection& c) -> sdk::Result<std::int64_t> {
    auto st = c.prepare("count", "SELECT COUNT(*) FROM schema_migrations");
    if (!st.ok()) return st.status();
    auto r = st->step();
    if (!r.ok()) return r.status();
    return st->int64(0);
  });
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, latest);
}

TEST(DbMigrations, AppliesNewMigrationsOnReopen) {
  TempDir dir;
  { ASSERT_TRUE(Database::open(dir.path()).ok()); }
  std::vector<Migration> next = builtin_migrations();
  const int number = next.back().number + 1;
  next.push_back({number, "add widgets", "CREATE TABLE widgets (id INTEGER PRIMARY KEY);"});
  DatabaseOptions opts;
  opts.migrations = &next;
  auto db = Database::open(dir.path(), opts);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->schema_version(), number);
  auto st = (*db)->write("use widgets", [](Connection& c) { return c.exec("insert widget", "INSERT INTO widgets DEFAULT VALUES"); });
  EXPECT_TRUE(st.ok()) << st;
}

TEST(DbMigrations, RefusesADatabaseNewerThanTheCode) {
  TempDir dir;
  {
    std::vector<Migration> newer = builtin_migrations();
    newer.push_back({newer.back().number + 1, "from the future", "CREATE TABLE future (x);"});
    DatabaseOptions opts;
    opts.migrations = &newer;
    ASSERT_TRUE(Database::open(dir.path(), opts).ok());
  }
  auto db = Database::open(dir.path());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), sdk::StatusCode::kInvalidState);
  const auto known = builtin_migrations().back().number;
  EXPECT_NE(db.status().message().find("schema version " + std::to_string(known + 1) +
                                       " is newer than this Stratus supports (" + std::to_string(known) + ")"),
            std::string::npos)
      << db.status();
}

// Migrations are numbered on branches merged in any order: numbers only
// increase, gaps are allowed, and a migration missing from a database is
// applied even when a higher one already is.
TEST(DbMigrations, NumbersMayLeaveGapsFilledLater) {
  TempDir dir;
  // A list with a gap (no 101), as a merge of two branches can leave one.
  std::vector<Migration> gapped = builtin_migrations();
  gapped.push_back(Migration{102, "merged first", "CREATE TABLE merged_first (x INTEGER);"});
  DatabaseOptions opts;
  opts.migrations = &gapped;
  { ASSERT_TRUE(Database::open(dir.path(), opts).ok()); }
  // The other branch's 101 arrives later: it is applied although 102 is.
  std::vector<Migration> filled = gapped;
  filled.insert(filled.end() - 1, Migration{101, "merged later", "CREATE TABLE merged_later (x INTEGER);"});
  opts.migrations = &filled;
  auto db = Database::open(dir.path(), opts);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->schema_version(), 102);
  auto st = (*db)->read("probe", [](Connection& c) {
    return c.exec("probe", "SELECT COUNT(*) FROM merged_later JOIN merged_first ON 1 = 0");
  });
  EXPECT_TRUE(st.ok()) << st;

  std::vector<Migration> backwards = {{2, "two", "CREATE TABLE two (x);"}, {1, "one", "CREATE TABLE one (x);"}};
  opts.migrations = &backwards;
  TempDir other;
  auto refused = Database::open(other.path(), opts);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("migration numbers must increase"), std::string::npos) << refused.status();
}

TEST(DbMigrations, AFailingMigrationLeavesTheLastGoodVersion) {
  TempDir dir;
  std::vector<Migration> broken = builtin_migrations();
  const int number = broken.back().number + 1;
  broken.push_back({number, "half done", "CREATE TABLE half (x); CREATE TABLE instances (x);"});
  DatabaseOptions opts;
  opts.migrations = &broken;
  auto db = Database::open(dir.path(), opts);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("migration " + std::to_string(number) + " (half done)"), std::string::npos)
      << db.status();
  auto good = Database::open(dir.path());
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ((*good)->schema_version(), broken[broken.size() - 2].number);
  // The half-created table was rolled back with the rest of the migration.
  auto st = (*good)->read("probe", [](Connection& c) { return c.exec("probe", "SELECT * FROM half"); });
  EXPECT_FALSE(st.ok());
}

// The subnets migration on a database written before it: each network's
// cidr and gateway become its one subnet, and its ports point at it.
TEST(DbMigrations, SubnetsMigrationMovesNetworkAddressesIntoSubnets) {
  TempDir dir;
  const std::vector<Migration> first(builtin_migrations().begin(), builtin_migrations().begin() + 1);
  {
    DatabaseOptions opts;
    opts.migrations = &first;
    auto old = Database::open(dir.path(), opts);
    ASSERT_TRUE(old.ok()) << old.status();
    auto st = (*old)->write("old rows", [](Connection& c) {
      return c.exec_script("old rows",
                           "INSERT INTO networks(uuid, name, cidr, gateway, project_id, shared, created_at, updated_at) "
                           "VALUES ('net-1', 'blue', '10.9.0.0/24', '10.9.0.1', 'p1', 0, 't', 't');"
                           "INSERT INTO ports(uuid, network_id, mac_address, ip_address, ip_int, device_id, created_at, "
                           "updated_at) VALUES ('port-1', 1, 'fa:16:3e:00:00:01', '10.9.0.2', 168361986, 'vm', 't', 't');");
    });
    ASSERT_TRUE(st.ok()) << st;
  }
  auto db = Database::open(dir.path());
  ASSERT_TRUE(db.ok()) << db.status();
  auto rows = (*db)->read("read", [](Connection& c) -> sdk::Result<std::string> {
    auto st = c.prepare("read",
                        "SELECT s.uuid || ' ' || s.name || ' ' || s.cidr || ' ' || s.gateway || ' ' || s.project_id || "
                        "' ' || (SELECT COUNT(*) FROM ports p WHERE p.subnet_id = s.id) FROM subnets s");
    if (!st.ok()) return st.status();
    auto r = st->step();
    if (!r.ok()) return r.status();
    return st->text(0);
  });
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_TRUE(std::regex_match(*rows, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} "
                                                 "blue-subnet 10\\.9\\.0\\.0/24 10\\.9\\.0\\.1 p1 1")))
      << *rows;
}

// Gaps are allowed (NumbersMayLeaveGapsFilledLater); a repeated number is not.
TEST(DbMigrations, RejectsARepeatedNumber) {
  TempDir dir;
  std::vector<Migration> repeated = {{1, "a", "CREATE TABLE a (x);"}, {1, "c", "CREATE TABLE c (x);"}};
  DatabaseOptions opts;
  opts.migrations = &repeated;
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
