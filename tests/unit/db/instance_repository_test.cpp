#include <gtest/gtest.h>

#include "core/db/allocation_repository.h"
#include "core/db/compute_node_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/server_group_repository.h"
#include "core/common/ids.h"
#include "db_test_util.h"

#include <algorithm>
#include <thread>

namespace stratus::core::db {
namespace {

class DbInstanceRepository : public testing::DbTest {
 protected:
  InstanceRecord make(const std::string& display_name, const std::string& project = "p1") {
    InstanceRecord r;
    r.display_name = display_name;
    r.project_id = project;
    r.user_id = "u1";
    r.flavor.id = "1";
    r.flavor.name = "m1.tiny";
    r.flavor.vcpus = 1;
    r.flavor.memory_mb = 512;
    r.flavor.root_gb = 1;
    r.flavor.extra_specs = {{"hw:cpu_policy", "shared"}};
    r.image_ref = "img-1";
    r.task_state = "scheduling";
    r.metadata = {{"role", "web"}};
    r.reservation_id = "r-abcdefgh";
    r.availability_zone = "nova";
    r.key_name = "mykey";
    return r;
  }
  InstanceRecord create(const std::string& display_name, const std::string& project = "p1") {
    auto r = repo_.create({make(display_name, project)});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->front() : InstanceRecord{};
  }
  InstanceRepository repo_{*db_};
};

TEST_F(DbInstanceRepository, CreateStoresEverythingAndNamesFromTheId) {
  auto created = create("web-1");
  EXPECT_EQ(created.uuid.size(), 36u);
  EXPECT_EQ(created.name, common::instance_name(created.id));
  auto got = repo_.get(created.uuid);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->display_name, "web-1");
  EXPECT_EQ(got->vm_state, "building");
  EXPECT_EQ(got->task_state, std::optional<std::string>("scheduling"));
  EXPECT_EQ(got->flavor.name, "m1.tiny");
  EXPECT_EQ(got->flavor.memory_mb, 512);
  EXPECT_EQ(got->flavor.extra_specs.at("hw:cpu_policy"), "shared");
  EXPECT_EQ(got->metadata.at("role"), "web");
  EXPECT_EQ(got->key_name, std::optional<std::string>("mykey"));
  EXPECT_FALSE(got->launched_at.has_value());
  EXPECT_FALSE(got->user_data.has_value());
  EXPECT_EQ(got->created_at, got->updated_at);
  EXPECT_EQ(got->to_sdk().flavor.vcpus, 1);
}

// Migration 9's columns and tags: stored at create, changed by update, read back.
TEST_F(DbInstanceRepository, MicroversionAttributesAndTagsRoundTrip) {
  InstanceRecord r = make("web-1");
  r.auto_disk_config = true;
  r.access_ip_v4 = "1.2.3.4";
  r.hostname = "web-1";
  r.trusted_certs = std::vector<std::string>{"cert-a", "cert-b"};
  r.tags = {"b", "a"};
  auto created = repo_.create({r});
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string uuid = created->front().uuid;
  auto got = repo_.get(uuid).value();
  EXPECT_TRUE(got.auto_disk_config);
  EXPECT_EQ(got.access_ip_v4, std::optional<std::string>("1.2.3.4"));
  EXPECT_FALSE(got.access_ip_v6.has_value());
  EXPECT_EQ(got.hostname, "web-1");
  EXPECT_EQ(got.trusted_certs, (std::optional<std::vector<std::string>>{{"cert-a", "cert-b"}}));
  EXPECT_EQ(got.tags, (std::vector<std::string>{"a", "b"}));

  InstanceUpdate u;
  u.trusted_certs = std::optional<std::vector<std::string>>();
  u.locked = true;
  u.locked_by = std::optional<std::string>("admin");
  ASSERT_TRUE(repo_.update(uuid, u).ok());
  got = repo_.get(uuid).value();
  EXPECT_FALSE(got.trusted_certs.has_value());
  EXPECT_EQ(got.locked_by, std::optional<std::string>("admin"));

  EXPECT_EQ(repo_.add_tag(uuid, "c", 3).value(), true);
  EXPECT_EQ(repo_.add_tag(uuid, "d", 3).status().code(), sdk::StatusCode::kInvalidArgument);  // full
  EXPECT_TRUE(repo_.remove_tag(uuid, "c").ok());
  EXPECT_EQ(repo_.remove_tag(uuid, "c").code(), sdk::StatusCode::kNotFound);
  EXPECT_EQ(repo_.add_tag(uuid, "a", 3).value(), false);  // already there
}

TEST_F(DbInstanceRepository, ListFiltersByTagsLockAndUuids) {
  InstanceRecord a = make("a");
  a.tags = {"x", "y"};
  InstanceRecord b = make("b");
  b.tags = {"y"};
  auto ids = repo_.create({a, b}).value();
  InstanceUpdate lock;
  lock.locked = true;
  ASSERT_TRUE(repo_.update(ids[1].uuid, lock).ok());
  auto names = [&](const InstanceFilter& f) {
    std::vector<std::string> out;
    auto listed = repo_.list(f);
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (listed.ok()) {
      for (const auto& r : *listed) out.push_back(r.display_name);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  InstanceFilter f;
  f.tags = {"x", "y"};
  EXPECT_EQ(names(f), (std::vector<std::string>{"a"}));
  f = {};
  f.tags_any = {"x", "y"};
  EXPECT_EQ(names(f), (std::vector<std::string>{"a", "b"}));
  f = {};
  f.not_tags = {"x", "y"};
  EXPECT_EQ(names(f), (std::vector<std::string>{"b"}));
  f = {};
  f.not_tags_any = {"y"};
  EXPECT_TRUE(names(f).empty());
  f = {};
  f.locked = true;
  EXPECT_EQ(names(f), (std::vector<std::string>{"b"}));
  f = {};
  f.uuids = std::vector<std::string>{ids[0].uuid};
  EXPECT_EQ(names(f), (std::vector<std::string>{"a"}));
  f.uuids = std::vector<std::string>{};
  EXPECT_TRUE(names(f).empty());
  f = {};
  f.changes_before = "2000-01-01T00:00:00Z";
  EXPECT_TRUE(names(f).empty());
}

TEST_F(DbInstanceRepository, BatchCreateGivesConsecutiveNames) {
  std::vector<InstanceRecord> batch{make("a"), make("b"), make("c")};
  for (int i = 0; i < 3; ++i) batch[static_cast<std::size_t>(i)].launch_index = i;
  auto r = repo_.create(batch);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[1].id, (*r)[0].id + 1);
  EXPECT_EQ((*r)[2].launch_index, 2);
}

TEST_F(DbInstanceRepository, DuplicateUuidIsAlreadyExistsAndWritesNothing) {
  auto first = create("a");
  auto dup = make("b");
  dup.uuid = first.uuid;
  auto r = repo_.create({make("c"), dup});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kAlreadyExists);
  auto all = repo_.list({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);  // "c" was rolled back with the rest
}

TEST_F(DbInstanceRepository, UnknownInstanceIsNotFound) {
  EXPECT_EQ(repo_.get("nope").status().code(), sdk::StatusCode::kNotFound);
  EXPECT_EQ(repo_.update("nope", {}).status().code(), sdk::StatusCode::kNotFound);
  EXPECT_EQ(repo_.destroy("nope").code(), sdk::StatusCode::kNotFound);
  EXPECT_EQ(repo_.set_metadata("nope", {}).status().code(), sdk::StatusCode::kNotFound);
}

TEST_F(DbInstanceRepository, UpdateChangesOnlyGivenFieldsAndClearsTaskState) {
  auto i = create("a");
  InstanceUpdate u;
  u.vm_state = "active";
  u.task_state = std::optional<std::string>();  // back to None
  u.power_state = sdk::PowerState::kRunning;
  u.host = "compute-1";
  u.launched_at = std::optional<std::string>("2026-11-26T04:18:15.000000");
  auto r = repo_.update(i.uuid, u);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->vm_state, "active");
  EXPECT_FALSE(r->task_state.has_value());
  EXPECT_EQ(r->power_state, sdk::PowerState::kRunning);
  EXPECT_EQ(r->host, "compute-1");
  EXPECT_EQ(r->display_name, "a");
  EXPECT_EQ(r->launched_at, std::optional<std::string>("2026-11-26T04:18:15.000000"));
  EXPECT_GE(r->updated_at, i.updated_at);
}

// update() builds the record it returns from the one it read and the values
// it wrote, without reading the row again: that record must be the stored one,
// for every field an update can set.
// A walk of steps in one transaction (conductor instance_steps): each step
// after the first starts from the record the one before returned, with the
// same guards as update(), and what is stored is what a fresh read shows.
TEST_F(DbInstanceRepository, UpdateFromChainsStepsInOneTransaction) {
  auto i = create("a");
  auto step = [](std::optional<std::string> task, std::string expected) {
    InstanceUpdate u;
    u.task_state = std::move(task);
    u.expected_task_state =
        std::vector<std::optional<std::string>>{expected.empty() ? std::nullopt : std::optional<std::string>(expected)};
    return u;
  };
  {
    auto tx = db_->begin_write("walk");
    ASSERT_TRUE(tx.ok()) << tx.status();
    InstanceRepository in_tx(*tx);
    auto first = in_tx.update(i.uuid, step(std::nullopt, "scheduling"));
    ASSERT_TRUE(first.ok()) << first.status();
    auto second = in_tx.update_from(*first, step(std::string("networking"), ""));
    ASSERT_TRUE(second.ok()) << second.status();
    // A guard that the record it starts from does not meet is refused.
    auto refused = in_tx.update_from(*second, step(std::string("spawning"), "block_device_mapping"));
    EXPECT_EQ(refused.status().code(), sdk::StatusCode::kInvalidState) << refused.status();
    auto third = in_tx.update_from(*second, step(std::string("block_device_mapping"), "networking"));
    ASSERT_TRUE(third.ok()) << third.status();
    ASSERT_TRUE(tx->commit().ok());
    auto stored = repo_.get(i.uuid);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->task_state, std::optional<std::string>("block_device_mapping"));
    EXPECT_EQ(stored->task_state, third->task_state);
    EXPECT_EQ(stored->metadata, third->metadata);
    EXPECT_EQ(stored->vm_state, third->vm_state);
  }
  // Outside a transaction the record is read again: a stale one cannot
  // make a guard pass.
  auto stale = repo_.get(i.uuid);
  ASSERT_TRUE(stale.ok());
  stale->task_state = "networking";
  auto refused = repo_.update_from(*stale, step(std::string("spawning"), "networking"));
  EXPECT_EQ(refused.status().code(), sdk::StatusCode::kInvalidState) << refused.status();
}

TEST_F(DbInstanceRepository, TheRecordAnUpdateReturnsIsTheOneStored) {
  auto i = create("a");
  ASSERT_TRUE(repo_.add_tag(i.uuid, "t1", 10).ok());
  InstanceUpdate u;
  u.display_name = "b";
  u.display_description = std::optional<std::string>("described");
  u.vm_state = "active";
  u.task_state = std::optional<std::string>();
  u.power_state = sdk::PowerState::kRunning;
  u.host = "compute-1";
  u.node = "node-1";
  u.image_ref = "img-2";
  u.availability_zone = "az-1";
  u.launched_at = std::optional<std::string>("2026-11-26T04:18:15.000000");
  u.terminated_at = std::optional<std::string>("2026-11-27T04:18:15.000000");
  u.locked = true;
  u.locked_reason = std::optional<std::string>("why");
  u.auto_disk_config = true;
  u.access_ip_v4 = std::optional<std::string>("10.0.0.1");
  u.access_ip_v6 = std::optional<std::string>("fd00::1");
  u.hostname = "b-host";
  u.key_name = std::optional<std::string>();
  u.key_data = std::optional<std::string>("ssh-ed25519 AAAA");
  u.user_data = std::optional<std::string>("aGVsbG8=");
  u.trusted_certs = std::optional<std::vector<std::string>>(std::vector<std::string>{"c1", "c2"});
  u.locked_by = std::optional<std::string>("owner");
  u.expected_task_state = std::vector<std::optional<std::string>>{std::string("scheduling")};
  auto r = repo_.update(i.uuid, u);
  ASSERT_TRUE(r.ok()) << r.status();
  auto stored = repo_.get(i.uuid);
  ASSERT_TRUE(stored.ok()) << stored.status();
  const InstanceRecord& a = *r;
  const InstanceRecord& b = *stored;
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.uuid, b.uuid);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.display_name, b.display_name);
  EXPECT_EQ(a.display_description, b.display_description);
  EXPECT_EQ(a.project_id, b.project_id);
  EXPECT_EQ(a.user_id, b.user_id);
  EXPECT_EQ(a.flavor.id, b.flavor.id);
  EXPECT_EQ(a.flavor.extra_specs, b.flavor.extra_specs);
  EXPECT_EQ(a.image_ref, b.image_ref);
  EXPECT_EQ(a.vm_state, b.vm_state);
  EXPECT_EQ(a.task_state, b.task_state);
  EXPECT_EQ(a.power_state, b.power_state);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.node, b.node);
  EXPECT_EQ(a.launched_at, b.launched_at);
  EXPECT_EQ(a.terminated_at, b.terminated_at);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.metadata, b.metadata);
  EXPECT_EQ(a.user_data, b.user_data);
  EXPECT_EQ(a.key_name, b.key_name);
  EXPECT_EQ(a.key_data, b.key_data);
  EXPECT_EQ(a.availability_zone, b.availability_zone);
  EXPECT_EQ(a.reservation_id, b.reservation_id);
  EXPECT_EQ(a.launch_index, b.launch_index);
  EXPECT_EQ(a.config_drive, b.config_drive);
  EXPECT_EQ(a.locked, b.locked);
  EXPECT_EQ(a.locked_reason, b.locked_reason);
  EXPECT_EQ(a.deleted, b.deleted);
  EXPECT_EQ(a.deleted_at, b.deleted_at);
  EXPECT_EQ(a.auto_disk_config, b.auto_disk_config);
  EXPECT_EQ(a.access_ip_v4, b.access_ip_v4);
  EXPECT_EQ(a.access_ip_v6, b.access_ip_v6);
  EXPECT_EQ(a.hostname, b.hostname);
  EXPECT_EQ(a.trusted_certs, b.trusted_certs);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.locked_by, b.locked_by);
  // And it is the update's, not the record as it was.
  EXPECT_EQ(a.display_name, "b");
  EXPECT_EQ(a.tags, (std::vector<std::string>{"t1"}));
  EXPECT_NE(a.updated_at, "");
}

TEST_F(DbInstanceRepository, UpdateGuardsAreCompareAndSwap) {
  auto i = create("a");
  InstanceUpdate u;
  u.task_state = std::optional<std::string>("spawning");
  u.expected_task_state = std::vector<std::optional<std::string>>{std::nullopt};
  auto r = repo_.update(i.uuid, u);  // task is "scheduling", not None
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kInvalidState);
  EXPECT_NE(r.status().message().find("'scheduling'"), std::string::npos) << r.status();
  u.expected_task_state = std::vector<std::optional<std::string>>{std::string("scheduling")};
  EXPECT_TRUE(repo_.update(i.uuid, u).ok());
  InstanceUpdate v;
  v.vm_state = "stopped";
  v.expected_vm_state = std::vector<std::string>{"active"};
  auto r2 = repo_.update(i.uuid, v);
  EXPECT_EQ(r2.status().code(), sdk::StatusCode::kInvalidState);
  EXPECT_EQ(repo_.get(i.uuid)->vm_state, "building");
}

// The same guarded transition sent twice (its first reply was lost when the
// router restarted): the second succeeds without a write, and a transition
// to another state, or a claim, is still refused.
TEST_F(DbInstanceRepository, AGuardedTransitionAlreadyInPlaceSucceeds) {
  auto i = create("a");
  InstanceUpdate spawn;
  spawn.task_state = std::optional<std::string>("spawning");
  spawn.expected_task_state = std::vector<std::optional<std::string>>{std::string("scheduling")};
  ASSERT_TRUE(repo_.update(i.uuid, spawn).ok());
  InstanceUpdate done;
  done.vm_state = "active";
  done.task_state = std::optional<std::string>();
  done.expected_task_state = std::vector<std::optional<std::string>>{std::string("spawning")};
  auto first = repo_.update(i.uuid, done);
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = repo_.update(i.uuid, done);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->vm_state, "active");
  EXPECT_EQ(again->updated_at, first->updated_at) << "nothing was written the second time";

  InstanceUpdate stop = done;
  stop.vm_state = "stopped";  // another target: the guard decides
  EXPECT_EQ(repo_.update(i.uuid, stop).status().code(), sdk::StatusCode::kInvalidState);
  // A host guard that still holds (a compute's own retried step) is no claim.
  InstanceUpdate own = done;
  own.expected_host = "";
  EXPECT_TRUE(repo_.update(i.uuid, own).ok());
  // Claims stay exclusive: one that takes the instance from another host, or
  // one on a time.
  InstanceUpdate claim = done;
  claim.expected_host = "h-gone";
  EXPECT_EQ(repo_.update(i.uuid, claim).status().code(), sdk::StatusCode::kInvalidState);
  InstanceUpdate timed = done;
  timed.expected_updated_at = "2000-01-01T00:00:00.000000";
  EXPECT_EQ(repo_.update(i.uuid, timed).status().code(), sdk::StatusCode::kInvalidState);
}

// A user's action read the instance with no task, and another request set the
// very task it wants meanwhile (two reboots): the second claim is refused,
// although its target is already in place.
TEST_F(DbInstanceRepository, AnExclusiveClaimWhoseTargetIsAlreadyInPlaceIsRefused) {
  auto i = create("a");
  InstanceUpdate active;
  active.vm_state = "active";
  active.task_state = std::optional<std::string>();
  ASSERT_TRUE(repo_.update(i.uuid, active).ok());
  InstanceUpdate reboot;
  reboot.task_state = std::optional<std::string>("rebooting");
  reboot.expected_task_state = std::vector<std::optional<std::string>>{std::nullopt};
  reboot.expected_vm_state = std::vector<std::string>{"active"};
  reboot.exclusive = true;
  ASSERT_TRUE(repo_.update(i.uuid, reboot).ok());
  auto second = repo_.update(i.uuid, reboot);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), sdk::StatusCode::kInvalidState);
  EXPECT_NE(second.status().message().find("rebooting"), std::string::npos) << second.status();
}

TEST_F(DbInstanceRepository, MetadataSetMergeAndDelete) {
  auto i = create("a");
  auto md = repo_.update_metadata(i.uuid, {{"k", "v"}});
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(md->size(), 2u);
  md = repo_.set_metadata(i.uuid, {{"only", "1"}});
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(*md, (std::map<std::string, std::string>{{"only", "1"}}));
  EXPECT_TRUE(repo_.delete_metadata_key(i.uuid, "only").ok());
  EXPECT_EQ(repo_.delete_metadata_key(i.uuid, "only").code(), sdk::StatusCode::kNotFound);
  EXPECT_TRUE(repo_.get(i.uuid)->metadata.empty());
}

TEST_F(DbInstanceRepository, DestroyMarksDeletedReleasesClaimAndLeavesGroups) {
  auto i = create("a");
  ComputeNodeRepository nodes(*db_);
  sdk::HostResources res;
  res.hypervisor_hostname = "n1";
  res.vcpus = 4;
  res.memory_mb = 4096;
  res.local_gb = 40;
  ASSERT_TRUE(nodes.upsert("h1", res).ok());
  AllocationRepository allocs(*db_);
  ASSERT_TRUE(allocs.claim("n1", i.uuid, 1, 512, 1).ok());
  ServerGroupRepository groups(*db_);
  ServerGroupRecord g;
  g.name = "g";
  g.project_id = "p1";
  g.user_id = "u1";
  g.policy = "affinity";
  g.members = {i.uuid};
  auto group = groups.create(g);
  ASSERT_TRUE(group.ok());

  ASSERT_TRUE(repo_.destroy(i.uuid).ok());
  EXPECT_EQ(repo_.get(i.uuid).status().code(), sdk::StatusCode::kNotFound);
  auto gone = repo_.get(i.uuid, /*include_deleted=*/true);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->deleted);
  EXPECT_EQ(gone->vm_state, "deleted");
  EXPECT_TRUE(gone->deleted_at.has_value());
  EXPECT_EQ(nodes.get("n1")->memory_mb_used, 0);
  EXPECT_EQ(allocs.get(i.uuid).status().code(), sdk::StatusCode::kNotFound);
  EXPECT_TRUE(groups.get(group->uuid)->members.empty());
  EXPECT_EQ(repo_.destroy(i.uuid).code(), sdk::StatusCode::kNotFound);
}

TEST_F(DbInstanceRepository, ConcurrentUpdatesFromManyThreadsAllLand) {
  auto i = create("a");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 25; ++n) {
        auto r = repo_.update_metadata(i.uuid, {{"t" + std::to_string(t) + "-" + std::to_string(n), "x"}});
        EXPECT_TRUE(r.ok()) << r.status();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(repo_.get(i.uuid)->metadata.size(), 101u);
}

}  // namespace
}  // namespace stratus::core::db
