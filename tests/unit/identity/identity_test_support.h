// Shared set-up for the identity tests: a migrated database in a fresh
// temporary directory, removed afterwards.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <gtest/gtest.h>

#include "../db/db_test_util.h"
#include "core/db/database.h"

namespace stratus::core::identity::testing {

class IdentityDbTest : public ::testing::Test {
 protected:
  IdentityDbTest() : db_(open(dir_.path())) {}

  static std::unique_ptr<db::Database> open(const std::filesystem::path& dir) {
    auto opened = db::Database::open(dir);
    if (!opened.ok()) {
      std::fprintf(stderr, "cannot open test database: %s\n", opened.status().to_string().c_str());
      std::abort();
    }
    return std::move(*opened);
  }

  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> db_;
};

}  // namespace stratus::core::identity::testing
