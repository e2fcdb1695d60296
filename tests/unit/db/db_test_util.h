// Test helpers: a fresh data directory per test, removed afterwards.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/db/database.h"

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

// A test with a migrated database in its own directory. The database is
// opened in the constructor, so a fixture's members may hold repositories.
class DbTest : public ::testing::Test {
 protected:
  DbTest() : db_(open_or_abort(dir_.path())) {}

  static std::unique_ptr<Database> open_or_abort(const std::filesystem::path& dir) {
    auto opened = Database::open(dir);
    if (!opened.ok()) {
      std::fprintf(stderr, "cannot open test database: %s\n", opened.status().to_string().c_str());
      std::abort();
    }
    return std::move(*opened);
  }
  // A second, independent connection to the same file (another process's view).
  std::unique_ptr<Database> open_again() {
    auto opened = Database::open(dir_.path());
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

}  // namespace stratus::core::db::testing
