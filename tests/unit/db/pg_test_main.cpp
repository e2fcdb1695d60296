// main() of the tests that run on PostgreSQL: starts the test server once
// for the process (pg_test_server.h) and skips every test, saying why, when
// there is none (no PostgreSQL binaries on this machine).
#include <gtest/gtest.h>

#include <string>

#include "pg_test_server.h"

namespace {

class PgEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    std::string why;
    if (stratus::core::db::testing::PgTestServer::shared(&why) == nullptr) {
      GTEST_SKIP() << "PostgreSQL tests skipped: " << why;
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new PgEnvironment);
  return RUN_ALL_TESTS();
}
