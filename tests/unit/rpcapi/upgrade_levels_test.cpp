// [upgrade_levels]: settings checked against the APIs this code speaks, and
// the "auto" cap: the lowest version the live services of a topic report.
#include "core/rpcapi/upgrade_levels.h"

#include <thread>

#include <gtest/gtest.h>

#include "../db/db_test_util.h"
#include "core/db/service_repository.h"
#include "core/db/service_version_repository.h"
#include "core/rpcapi/topics.h"

namespace stratus::core::rpcapi {
namespace {

using namespace std::chrono_literals;

TEST(UpgradeLevels, SettingsAreCheckedAgainstTheApi) {
  for (const char* ok : {"", "auto", "1.0", "1.1", "1", "1.9"}) {
    EXPECT_TRUE(check_upgrade_level(kComputeTopic, ok).ok()) << ok;
  }
  auto major = check_upgrade_level(kComputeTopic, "2.0");
  ASSERT_FALSE(major.ok());
  EXPECT_EQ(major.message(),
            "upgrade_levels.compute = '2.0': this Stratus speaks compute RPC 1.0 to " + std::string(kComputeVersion) +
                "; a cap of another major version would refuse every message");
  auto garbage = check_upgrade_level(kSchedulerTopic, "one");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.message(), "upgrade_levels.scheduler = 'one': want \"auto\" or a version MAJOR.MINOR such as \"1.0\"");
  EXPECT_FALSE(check_upgrade_level("network", "1.0").ok());
}

class AutoCapTest : public db::testing::DbTest {
 protected:
  void report(const std::string& host, const std::string& version) {
    db::ServiceRepository services(*db_);
    ASSERT_TRUE(services.register_service(host, std::string(kComputeBinary), "compute").ok());
    ASSERT_TRUE(services.heartbeat(host, std::string(kComputeBinary)).ok());
    if (!version.empty()) {
      ASSERT_TRUE(db::ServiceVersionRepository(*db_).record(host, std::string(kComputeBinary), version).ok());
    }
  }
  std::string lowest() {
    auto v = lowest_live_version(kComputeTopic, *db_, 60s);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : "?";
  }
};

TEST_F(AutoCapTest, LowestLiveVersionFollowsTheServices) {
  EXPECT_EQ(lowest(), "") << "no live service: no cap";
  report("new-1", "1.1");
  EXPECT_EQ(lowest(), "1.1");
  report("old-1", "1.0");
  EXPECT_EQ(lowest(), "1.0");
  // A service that never reported a version is as old as the API's base.
  report("older", "");
  EXPECT_EQ(lowest(), "1.0");
  db::ServiceRepository services(*db_);
  auto older = services.get("older", std::string(kComputeBinary));
  ASSERT_TRUE(older.ok());
  ASSERT_TRUE(services.remove(older->id).ok());
  // A service forced down is not live: the cap rises past it.
  ASSERT_TRUE(services.set_forced_down("old-1", std::string(kComputeBinary), true).ok());
  EXPECT_EQ(lowest(), "1.1");
  ASSERT_TRUE(services.set_forced_down("old-1", std::string(kComputeBinary), false).ok());
  EXPECT_EQ(lowest(), "1.0");
  // Other topics' services do not count.
  EXPECT_EQ(*lowest_live_version(kConductorTopic, *db_, 60s), "");
}

TEST_F(AutoCapTest, AutoCapIsReadAgainAfterItsRefresh) {
  report("new-1", "1.1");
  report("old-1", "1.0");
  auto cap = make_version_cap(kComputeTopic, "auto", *db_, AutoCapOptions{60s, 50ms});
  ASSERT_TRUE(cap.ok()) << cap.status();
  EXPECT_EQ(current_cap(*cap), "1.0");
  db::ServiceRepository services(*db_);
  auto old = services.get("old-1", std::string(kComputeBinary));
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(services.remove(old->id).ok());
  EXPECT_EQ(current_cap(*cap), "1.0") << "read at most once per refresh";
  std::this_thread::sleep_for(80ms);
  EXPECT_EQ(current_cap(*cap), "1.1");

  auto fixed = make_version_cap(kComputeTopic, "1.0", *db_);
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(current_cap(*fixed), "1.0");
  EXPECT_FALSE(make_version_cap(kComputeTopic, "1.0.1", *db_).ok());
}

}  // namespace
}  // namespace stratus::core::rpcapi
