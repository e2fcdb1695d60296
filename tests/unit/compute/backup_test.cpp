// createBackup on a compute host (compute RPC 1.4, Nova's backup_instance):
// the snapshot from task image_backup, then the rotation of the instance's
// backups of that type through the image service (the oldest beyond
// `rotation` deleted, rotation 0 deleting the new one too), and what a
// failed listing or delete does. A client capped below 1.4 refuses.
#include <gtest/gtest.h>

#include "compute_test_support.h"
#include "recording_image_service.h"

namespace stratus::core::compute::testing {
namespace {

using BackupTest = ImageServiceComputeTest;

// A backup of `uuid` of `type` the image service knows, made at `when`.
RecordingImageService::Listed backup_of(const std::string& id, const std::string& uuid, const std::string& type,
                                        const std::string& when) {
  return {id, when, {{"image_type", "backup"}, {"backup_type", type}, {"instance_uuid", uuid}}};
}

class BackupFlow : public BackupTest {
 protected:
  // Backs up i-1 into `image_id` and waits for the action's end.
  void backup(const std::string& image_id, const std::string& type, std::int64_t rotation) {
    const auto m = api_sets_task("i-1", "image_backup");
    ASSERT_TRUE(compute_api_->backup_instance(ctx(), m, snapshot_image(image_id), type, rotation).ok());
    const std::size_t done = ++backups_;
    ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", "compute_backup_instance") == done; }));
  }
  std::size_t backups_ = 0;
};

TEST_F(BackupFlow, UploadsThenDeletesTheOldestBackupsOfItsTypeBeyondTheRotation) {
  start_compute(options());
  build_active("i-1");
  images_.add_listed(backup_of("old-1", "i-1", "daily", "2026-01-01T00:00:01.000000"));
  images_.add_listed(backup_of("old-2", "i-1", "daily", "2026-01-01T00:00:02.000000"));
  images_.add_listed(backup_of("weekly-1", "i-1", "weekly", "2026-01-01T00:00:00.000000"));
  images_.add_listed(backup_of("other-server", "i-2", "daily", "2026-01-01T00:00:00.500000"));
  // The API recorded the new one before it cast: the newest.
  images_.add_listed(backup_of("new", "i-1", "daily", "2026-01-01T00:00:03.000000"));
  backup("new", "daily", 2);
  EXPECT_EQ(finish_of("i-1", "compute_backup_instance")->result, "Success");
  EXPECT_TRUE(images_.upload("new").has_value());
  EXPECT_TRUE(went_through("i-1", "image_pending_upload"));
  EXPECT_TRUE(went_through("i-1", "image_uploading"));
  EXPECT_FALSE(fake_.get("i-1")->task_state.has_value());
  EXPECT_EQ(images_.deleted(), std::vector<std::string>{"old-1"});
  // The query is Nova's: its properties, newest first.
  const auto q = images_.queries().back();
  EXPECT_EQ(q.find("image_type")->second, "backup");
  EXPECT_EQ(q.find("backup_type")->second, "daily");
  EXPECT_EQ(q.find("instance_uuid")->second, "i-1");
  EXPECT_EQ(q.find("sort_key")->second, "created_at");
  EXPECT_EQ(q.find("sort_dir")->second, "desc");
  EXPECT_TRUE(fake_.faults("i-1").empty());
}

TEST_F(BackupFlow, RotationZeroDeletesEveryBackupOfTheTypeTheNewOneToo) {
  start_compute(options());
  build_active("i-1");
  images_.add_listed(backup_of("old", "i-1", "daily", "2026-01-01T00:00:01.000000"));
  images_.add_listed(backup_of("new", "i-1", "daily", "2026-01-01T00:00:02.000000"));
  backup("new", "daily", 0);
  EXPECT_TRUE(images_.upload("new").has_value());
  EXPECT_EQ(images_.deleted(), (std::vector<std::string>{"new", "old"}));
}

TEST_F(BackupFlow, TheListingIsFollowedAcrossPages) {
  start_compute(options());
  build_active("i-1");
  images_.set_page_size(2);
  for (int i = 1; i <= 5; ++i) {
    images_.add_listed(backup_of("b" + std::to_string(i), "i-1", "daily", "2026-01-01T00:00:0" + std::to_string(i)));
  }
  backup("b5", "daily", 1);
  EXPECT_EQ(images_.deleted(), (std::vector<std::string>{"b4", "b3", "b2", "b1"}));
  EXPECT_GE(images_.queries().size(), 3u);
}

TEST_F(BackupFlow, AnImageThatCannotBeDeletedIsSkipped) {
  start_compute(options());
  build_active("i-1");
  images_.add_listed(backup_of("old-1", "i-1", "daily", "2026-01-01T00:00:01"));
  images_.add_listed(backup_of("protected", "i-1", "daily", "2026-01-01T00:00:02"));
  images_.add_listed(backup_of("new", "i-1", "daily", "2026-01-01T00:00:03"));
  images_.refuse_delete("protected");
  backup("new", "daily", 1);
  EXPECT_EQ(images_.deleted(), std::vector<std::string>{"old-1"});
  EXPECT_EQ(finish_of("i-1", "compute_backup_instance")->result, "Success");
}

TEST_F(BackupFlow, AListingThatFailsIsAFaultButTheBackupStays) {
  start_compute(options());
  build_active("i-1");
  images_.set_list_status(500);
  backup("new", "daily", 1);
  EXPECT_EQ(finish_of("i-1", "compute_backup_instance")->result, "Error");
  EXPECT_TRUE(images_.upload("new").has_value());
  EXPECT_FALSE(deleted("new"));
  ASSERT_EQ(fake_.faults("i-1").size(), 1u);
  EXPECT_NE(fake_.faults("i-1")[0].message.find("Images could not be listed"), std::string::npos);
  EXPECT_FALSE(fake_.get("i-1")->task_state.has_value());
}

TEST_F(BackupFlow, AFailedSnapshotDeletesTheImageAndRotatesNothing) {
  start_compute(options());
  build_active("i-1");
  images_.add_listed(backup_of("old", "i-1", "daily", "2026-01-01T00:00:01"));
  ASSERT_TRUE(driver_->inject_fault(drivers::fake::FakeOperation::kSnapshot, "fail:unavailable*1").ok());
  backup("new", "daily", 0);
  EXPECT_EQ(finish_of("i-1", "compute_backup_instance")->result, "Error");
  EXPECT_EQ(images_.deleted(), std::vector<std::string>{"new"});
  EXPECT_TRUE(images_.queries().empty());
  EXPECT_FALSE(fake_.get("i-1")->task_state.has_value());
}

TEST_F(BackupTest, AClientCappedBelow14RefusesWithoutSending) {
  start_compute(options());
  const auto m = build_active("i-1");
  rpcapi::ComputeRpcApi capped(*api_ep_, 5000ms, rpcapi::fixed_cap("1.3"));
  const sdk::Status st = capped.backup_instance(ctx(), m, snapshot_image("img"), "daily", 1);
  EXPECT_EQ(st.code(), sdk::StatusCode::kNotSupported);
  EXPECT_NE(st.message().find("needs compute RPC 1.4"), std::string::npos) << st;
  // A snapshot still goes at 1.2.
  EXPECT_TRUE(capped.snapshot_instance(ctx(), api_sets_task("i-1", "image_snapshot"), snapshot_image("img-2")).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", "compute_snapshot_instance") == 1; }));
  EXPECT_EQ(finished_events("i-1", "compute_backup_instance"), 0u);
}

}  // namespace
}  // namespace stratus::core::compute::testing
