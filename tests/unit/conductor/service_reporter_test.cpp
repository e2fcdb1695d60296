// ServiceReporter (core/node/service_reporter.h): a conductor's or
// scheduler's own services row, on a real database: registered with its RPC
// version, heartbeated, its admin state kept over a restart, and - as Nova's
// servicegroup DB driver - not written again once deleted through the API.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/db/service_repository.h"
#include "core/db/service_version_repository.h"
#include "core/node/service_reporter.h"
#include "db_test_util.h"

namespace stratus::core::node {
namespace {

using namespace std::chrono_literals;

class ServiceReporterTest : public db::testing::DbTest {
 protected:
  ServiceIdentity conductor() { return {"ctl-1", "stratus-conductor", "conductor", "1.1"}; }
  db::ServiceRecord row() { return db::ServiceRepository(*db_).get("ctl-1", "stratus-conductor").value(); }
};

TEST_F(ServiceReporterTest, RegistersWithItsVersionAndHeartbeats) {
  ServiceReporter reporter(*db_, conductor(), 0ms);  // no thread: the test beats
  ASSERT_TRUE(reporter.start().ok());
  db::ServiceRecord r = row();
  EXPECT_EQ(r.topic, "conductor");
  EXPECT_EQ(r.report_count, 1);
  EXPECT_TRUE(r.last_seen_up.has_value());
  auto versions = db::ServiceVersionRepository(*db_).list("stratus-conductor");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->at({"ctl-1", "stratus-conductor"}), "1.1");
  ASSERT_TRUE(reporter.report_once().ok());
  EXPECT_EQ(row().report_count, 2);
  // Nothing else is registered: the row is no compute host.
  auto computes = db::ServiceRepository(*db_).list(std::nullopt, std::string("stratus-compute"));
  ASSERT_TRUE(computes.ok());
  EXPECT_TRUE(computes->empty());
}

TEST_F(ServiceReporterTest, ARestartKeepsTheAdminStateAndTheRow) {
  {
    ServiceReporter first(*db_, conductor(), 0ms);
    ASSERT_TRUE(first.start().ok());
  }
  const std::int64_t id = row().id;
  ASSERT_TRUE(db::ServiceRepository(*db_).set_forced_down("ctl-1", "stratus-conductor", true).ok());
  ServiceReporter again(*db_, conductor(), 0ms);
  ASSERT_TRUE(again.start().ok());
  EXPECT_EQ(row().id, id);
  EXPECT_TRUE(row().forced_down);
  EXPECT_EQ(row().report_count, 2);
}

TEST_F(ServiceReporterTest, ADeletedRowIsNotWrittenAgain) {
  ServiceReporter reporter(*db_, conductor(), 0ms);
  ASSERT_TRUE(reporter.start().ok());
  ASSERT_TRUE(db::ServiceRepository(*db_).remove(row().id).ok());
  EXPECT_TRUE(reporter.report_once().is(sdk::StatusCode::kNotFound));
  EXPECT_TRUE(reporter.report_once().is(sdk::StatusCode::kNotFound));
  EXPECT_FALSE(db::ServiceRepository(*db_).get("ctl-1", "stratus-conductor").ok());
  // Another process of that name registering brings it back; beats resume.
  ASSERT_TRUE(db::ServiceRepository(*db_).register_service("ctl-1", "stratus-conductor", "conductor").ok());
  EXPECT_TRUE(reporter.report_once().ok());
}

TEST_F(ServiceReporterTest, ItsThreadBeatsEveryIntervalUntilStopped) {
  ServiceReporter reporter(*db_, {"sch-1", "stratus-scheduler", "scheduler", "1.0"}, 20ms);
  ASSERT_TRUE(reporter.start().ok());
  auto count = [&] { return db::ServiceRepository(*db_).get("sch-1", "stratus-scheduler").value().report_count; };
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (count() < 4 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_GE(count(), 4);
  reporter.stop();
  const std::int64_t stopped_at = count();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(count(), stopped_at);
  reporter.stop();  // idempotent
}

}  // namespace
}  // namespace stratus::core::node
