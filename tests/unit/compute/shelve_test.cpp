// Snapshots and shelving on a compute host (issue #13): createImage,
// shelve (+ offload at once or later), shelveOffload and unshelve, through
// the real RPC path to a real ComputeManager over a FakeDriver, with a small
// HTTP image service that records what the host uploads and deletes. ABI
// gating: a plugin built before ABI 5 is never asked to snapshot.
#include <gtest/gtest.h>

#include "compute_test_support.h"
#include "recording_image_service.h"

namespace stratus::core::compute::testing {
namespace {

using drivers::fake::FakeOperation;

using ShelveTest = ImageServiceComputeTest;

TEST_F(ShelveTest, CreateImageUploadsTheGuestsDiskAndClearsTheTask) {
  start_compute(options());
  build_active("i-1");
  const auto m = api_sets_task("i-1", "image_snapshot");
  ASSERT_TRUE(compute_api_->snapshot_instance(ctx(), m, snapshot_image("img-1")).ok());
  ASSERT_TRUE(wait_state("i-1", "active"));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", "compute_snapshot_instance") == 1; }));
  const auto data = images_.upload("img-1");
  ASSERT_TRUE(data.has_value());
  EXPECT_NE(data->find("instance i-1"), std::string::npos);
  EXPECT_TRUE(went_through("i-1", "image_pending_upload"));
  EXPECT_TRUE(went_through("i-1", "image_uploading"));
  EXPECT_EQ(guest_state("i-1"), sdk::PowerState::kRunning);
  EXPECT_FALSE(deleted("img-1"));
}

TEST_F(ShelveTest, AFailedSnapshotDeletesTheImageAndRecordsAFault) {
  start_compute(options());
  build_active("i-1");
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kSnapshot, "fail:unavailable*1").ok());
  const auto m = api_sets_task("i-1", "image_snapshot");
  ASSERT_TRUE(compute_api_->snapshot_instance(ctx(), m, snapshot_image("img-2")).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", "compute_snapshot_instance") == 1; }));
  EXPECT_EQ(finish_of("i-1", "compute_snapshot_instance")->result, "Error");
  EXPECT_TRUE(wait_state("i-1", "active"));
  EXPECT_TRUE(deleted("img-2"));
  EXPECT_FALSE(images_.upload("img-2").has_value());
  EXPECT_EQ(fake_.faults("i-1").size(), 1u);
}

TEST_F(ShelveTest, ShelveWithOffloadTimeZeroOffloadsAtOnce) {
  start_compute(options(0ms));
  build_active("i-1");
  const auto m = api_sets_task("i-1", "shelving");
  ASSERT_TRUE(compute_api_->shelve_instance(ctx(), m, snapshot_image("img-3")).ok());
  ASSERT_TRUE(wait_state("i-1", "shelved_offloaded"));
  const auto after = fake_.get("i-1").value();
  EXPECT_EQ(after.instance.host, "");
  EXPECT_EQ(after.instance.node, "");
  EXPECT_FALSE(driver_->guest("i-1").has_value());  // the guest is gone from the host
  EXPECT_TRUE(images_.upload("img-3").has_value());
  EXPECT_TRUE(went_through("i-1", "shelving_image_pending_upload"));
  EXPECT_TRUE(went_through("i-1", "shelving_image_uploading"));
  EXPECT_TRUE(went_through("i-1", "shelving_offloading"));
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", "compute_shelve_instance") == 1; }));
  EXPECT_EQ(finish_of("i-1", "compute_shelve_offload_instance")->result, "Success");
}

TEST_F(ShelveTest, ShelveKeepsTheHostUntilShelveOffload) {
  start_compute(options(-1ms));
  build_active("i-1");
  auto m = api_sets_task("i-1", "shelving");
  ASSERT_TRUE(compute_api_->shelve_instance(ctx(), m, snapshot_image("img-4")).ok());
  ASSERT_TRUE(wait_state("i-1", "shelved"));
  EXPECT_EQ(guest_state("i-1"), sdk::PowerState::kShutdown);
  EXPECT_EQ(fake_.get("i-1")->instance.host, kHost);

  m = api_sets_task("i-1", "shelving_offloading");
  ASSERT_TRUE(compute_api_->shelve_offload_instance(ctx(), m).ok());
  ASSERT_TRUE(wait_state("i-1", "shelved_offloaded"));
  EXPECT_FALSE(driver_->guest("i-1").has_value());
}

TEST_F(ShelveTest, TheHostOffloadsShelvedInstancesAfterShelvedOffloadTime) {
  start_compute(options(-1ms));
  build_active("i-1");
  auto m = api_sets_task("i-1", "shelving");
  ASSERT_TRUE(compute_api_->shelve_instance(ctx(), m, snapshot_image("img-5")).ok());
  ASSERT_TRUE(wait_state("i-1", "shelved"));
  manager_->offload_shelved_instances();  // shelved_offload_time < 0: never
  EXPECT_EQ(fake_.get("i-1")->vm_state, "shelved");
  // Shelved "long ago" on a host that offloads after a second.
  m = fake_.get("i-1").value();
  m.updated_at = "2020-01-01T00:00:00.000000";
  fake_.put(m);
  manager_->stop();
  compute_ep_->stop();
  manager_.reset();
  start_compute(options(1000ms));
  manager_->offload_shelved_instances();
  EXPECT_TRUE(wait_state("i-1", "shelved_offloaded"));
}

TEST_F(ShelveTest, UnshelveSpawnsFromTheSnapshotAndDeletesIt) {
  start_compute(options(0ms));
  build_active("i-1");
  auto m = api_sets_task("i-1", "shelving");
  ASSERT_TRUE(compute_api_->shelve_instance(ctx(), m, snapshot_image("img-6")).ok());
  ASSERT_TRUE(wait_state("i-1", "shelved_offloaded"));
  // The conductor placed it back on this host.
  m = fake_.get("i-1").value();
  m.task_state = "unshelving";
  m.instance.host = kHost;
  m.instance.node = kHost;
  fake_.put(m);
  rpcapi::UnshelveOnHostRequest r;
  r.instance = m;
  r.image = snapshot_image("img-6");
  ASSERT_TRUE(compute_api_->unshelve_instance(ctx(), kHost, r).ok());
  ASSERT_TRUE(wait_state("i-1", "active"));
  // As in Nova, the snapshot is gone before the instance is ACTIVE again: a
  // user who sees ACTIVE does not find the snapshot in the image list.
  EXPECT_TRUE(deleted("img-6"));
  EXPECT_TRUE(went_through("i-1", "spawning"));
  const auto g = driver_->guest("i-1");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->image_id, "img-6");
  EXPECT_EQ(g->state, sdk::PowerState::kRunning);
}

TEST_F(ShelveTest, AFailedUnshelveLeavesTheInstanceOffloadedWithAFault) {
  start_compute(options(0ms));
  auto m = instance("i-1", "shelved_offloaded", std::string("unshelving"));
  fake_.put(m);
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kSpawn, "fail:unavailable*1").ok());
  rpcapi::UnshelveOnHostRequest r;
  r.instance = m;
  r.image = snapshot_image("img-7");
  ASSERT_TRUE(compute_api_->unshelve_instance(ctx(), kHost, r).ok());
  ASSERT_TRUE(wait_state("i-1", "shelved_offloaded"));
  EXPECT_EQ(fake_.get("i-1")->instance.host, "");
  EXPECT_FALSE(driver_->guest("i-1").has_value());
  EXPECT_EQ(fake_.faults("i-1").size(), 1u);
  EXPECT_FALSE(deleted("img-7"));  // the snapshot is what a retry boots from
}

TEST_F(ShelveTest, APluginBuiltBeforeAbi5IsNeverAskedToSnapshot) {
  start_compute(options(0ms, 4));
  build_active("i-1");
  // A fault on snapshot would show if the driver were called.
  ASSERT_TRUE(driver_->inject_fault(FakeOperation::kSnapshot, "fail:internal").ok());
  const auto m = api_sets_task("i-1", "image_snapshot");
  ASSERT_TRUE(compute_api_->snapshot_instance(ctx(), m, snapshot_image("img-8")).ok());
  ASSERT_TRUE(fake_.wait_for([&] { return finished_events("i-1", "compute_snapshot_instance") == 1; }));
  const auto faults = fake_.faults("i-1");
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_NE(faults[0].details.find("plugin ABI 4"), std::string::npos) << faults[0].details;
  EXPECT_TRUE(wait_state("i-1", "active"));
  EXPECT_TRUE(deleted("img-8"));
}

}  // namespace
}  // namespace stratus::core::compute::testing
