// Test helpers: a fresh database per test (a data directory removed
// afterwards, or a database on the test PostgreSQL server).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/db/database.h"
#ifdef STRATUS_DB_TEST_POSTGRES
#include "pg_test_server.h"
#endif

namespace stratus::core::db::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "stratus-db-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Where this executable's tests keep their databases: "" for SQLite in the
// test's directory (db_test), or a fresh database on the test PostgreSQL
// server per call (db_pg_test, built with STRATUS_DB_TEST_POSTGRES; its main
// starts the server and skips every test when it cannot).
inline std::string test_connection() {
#ifdef STRATUS_DB_TEST_POSTGRES
  std::string why;
  PgTestServer* server = PgTestServer::shared(&why);
  if (server == nullptr) {
    std::fprintf(stderr, "no test PostgreSQL server: %s\n", why.c_str());
    std::abort();
  }
  auto url = server->fresh_database();
  if (!url.ok()) {
    std::fprintf(stderr, "cannot create a test database: %s\n", url.status().to_string().c_str());
    std::abort();
  }
  return *url;
#else
  return {};
#endif
}

// A test with a migrated database of its own (a directory for SQLite, a
// database for PostgreSQL). The database is opened in the constructor, so a
// fixture's members may hold repositories.
class DbTest : public ::testing::Test {
 protected:
  DbTest() : connection_(test_connection()), db_(open_or_abort(connection_, dir_.path())) {}
  ~DbTest() override {
    db_.reset();
#ifdef STRATUS_DB_TEST_POSTGRES
    std::string why;
    if (PgTestServer* server = PgTestServer::shared(&why)) (void)server->drop_database_of(connection_);
#endif
  }

  static std::unique_ptr<Database> open_or_abort(const std::string& connection, const std::filesystem::path& dir) {
    auto opened = Database::open(connection, dir);
    if (!opened.ok()) {
      std::fprintf(stderr, "cannot open test database: %s\n", opened.status().to_string().c_str());
      std::abort();
    }
    return std::move(*opened);
  }
  // A second, independent connection to the same database (another process's view).
  std::unique_ptr<Database> open_again() {
    auto opened = Database::open(connection_, dir_.path());
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? std::move(*opened) : nullptr;
  }
  bool on_postgres() const { return !connection_.empty(); }

  TempDir dir_;
  std::string connection_;  // "" for SQLite in dir_
  std::unique_ptr<Database> db_;
};

}  // namespace stratus::core::db::testing
