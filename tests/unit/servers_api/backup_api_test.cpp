// createBackup through the REST API (Nova's create_backup.py and
// API.backup): the image recorded for the host (image_type backup,
// backup_type, instance_uuid, base_image_ref, the request's metadata), task
// image_backup, snapshot_instance cast at compute RPC 1.4 with the type and
// rotation; 2.45's body, the Location before it (none for rotation 0);
// Nova's 400s, 404 and 409 with nothing written; a lock does not stop it
// (nor createImage); image metadata counted against the quota before 2.39.
#include "servers_test_support.h"

#include "core/db/image_repository.h"
#include "core/db/instance_action_repository.h"
#include "core/db/quota_repository.h"

namespace stratus::core::api::test_support {
namespace {

using nlohmann::json;

class BackupApiTest : public ServersApiTest {
 protected:
  httplib::Result backup(const std::string& id, const json& in, const std::string& version = "2.45",
                         const std::string& who = "member") {
    return client_->Post(("/v2.1/servers/" + id + "/action").c_str(), as(who, version),
                         json{{"createBackup", in}}.dump(), "application/json");
  }
  std::string active_server() {
    std::string id = create_server("vm");
    set_state(id, "active");
    return id;
  }
  std::size_t image_count() { return db::ImageRepository(*db_).list().value().size(); }
  static json daily(std::int64_t rotation = 2) {
    return {{"name", "nightly"}, {"backup_type", "daily"}, {"rotation", rotation}};
  }
};

TEST_F(BackupApiTest, RecordsABackupImageSetsTheTaskAndCastsAt14) {
  const std::string id = active_server();
  json in = daily(2);
  in["metadata"] = {{"purpose", "test"}};
  auto r = backup(id, in);
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(keys(body(r)), std::set<std::string>{"image_id"});
  const std::string image_id = body(r)["image_id"].get<std::string>();
  auto image = db::ImageRepository(*db_).get(image_id).value();
  EXPECT_EQ(image.name, "nightly");
  EXPECT_EQ(image.status, "queued");
  EXPECT_EQ(image.visibility, "private");
  EXPECT_EQ(image.owner, instance(id).project_id);
  EXPECT_EQ(image.properties["image_type"], "backup");
  EXPECT_EQ(image.properties["backup_type"], "daily");
  EXPECT_EQ(image.properties["instance_uuid"], id);
  EXPECT_EQ(image.properties["base_image_ref"], db::kDefaultImageUuid);
  EXPECT_EQ(image.properties["user_id"], "u-member");
  EXPECT_EQ(image.properties["purpose"], "test");
  EXPECT_EQ(instance(id).task_state, std::optional<std::string>("image_backup"));
  auto cast = services_.wait_for("snapshot_instance");
  ASSERT_TRUE(cast.has_value());
  EXPECT_EQ(cast->image_id, image_id);
  EXPECT_TRUE(cast->backup);
  EXPECT_EQ(cast->backup_type, "daily");
  EXPECT_EQ(cast->rotation, 2);
  EXPECT_EQ(cast->version, "1.4");
  bool recorded = false;
  const auto actions = db::InstanceActionRepository(*db_).list(id).value();
  for (const auto& a : actions) recorded |= a.action == "createBackup";
  EXPECT_TRUE(recorded);

  // A second one while the first runs: Nova's 409, and no image.
  const std::size_t before = image_count();
  auto second = backup(id, daily());
  EXPECT_EQ(second->status, 409);
  EXPECT_NE(second->body.find("Cannot 'createBackup' instance " + id + " while it is in task_state image_backup"),
            std::string::npos)
      << second->body;
  EXPECT_EQ(image_count(), before);
}

TEST_F(BackupApiTest, BeforeMicroversion245TheImageIsALocationUnlessRotationIsZero) {
  const std::string id = active_server();
  auto r = backup(id, {{"name", "b"}, {"backup_type", "weekly"}, {"rotation", "3"}}, "2.44");
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_TRUE(r->body.empty()) << r->body;
  const std::string location = r->get_header_value("Location");
  EXPECT_EQ(location.rfind(base_ + "/v2.1/images/", 0), 0u) << location;
  EXPECT_TRUE(db::ImageRepository(*db_).get(location.substr(location.rfind('/') + 1)).ok()) << location;
  auto cast = services_.wait_for("snapshot_instance");
  ASSERT_TRUE(cast.has_value());
  EXPECT_EQ(cast->rotation, 3);  // a string of digits is a rotation too
  EXPECT_EQ(cast->backup_type, "weekly");

  set_state(id, "active");
  auto zero = backup(id, daily(0), "2.1");
  ASSERT_EQ(zero->status, 202) << zero->body;
  EXPECT_FALSE(zero->has_header("Location"));
}

TEST_F(BackupApiTest, RefusalsWriteNothingAndSendNothing) {
  const std::string id = active_server();
  const std::size_t before = image_count();
  for (const json& bad : {json{{"name", "b"}, {"backup_type", "daily"}, {"rotation", -1}},
                          json{{"name", "b"}, {"backup_type", "daily"}, {"rotation", "-1"}},
                          json{{"name", "b"}, {"backup_type", "daily"}, {"rotation", "two"}},
                          json{{"name", "b"}, {"backup_type", "daily"}, {"rotation", ""}},
                          json{{"name", "b"}, {"backup_type", "daily"}, {"rotation", 1.5}},
                          json{{"name", "b"}, {"backup_type", "daily"}, {"rotation", nullptr}},
                          json{{"name", "b"}, {"backup_type", "daily"}},
                          json{{"name", "b"}, {"rotation", 1}},
                          json{{"backup_type", "daily"}, {"rotation", 1}},
                          json{{"name", " b"}, {"backup_type", "daily"}, {"rotation", 1}},
                          json{{"name", std::string(256, 'a')}, {"backup_type", "daily"}, {"rotation", 1}},
                          json{{"name", "b"}, {"backup_type", 7}, {"rotation", 1}},
                          json{{"name", "b"}, {"backup_type", "daily"}, {"rotation", 1}, {"extra", 1}},
                          json{{"name", "b"}, {"backup_type", "daily"}, {"rotation", 1}, {"metadata", {{"", "x"}}}}}) {
    auto r = backup(id, bad);
    EXPECT_EQ(r->status, 400) << bad.dump() << " " << r->body;
  }
  EXPECT_EQ(backup("00000000-0000-0000-0000-000000000000", daily())->status, 404);
  set_state(id, "building", std::string("spawning"));
  auto r = backup(id, daily());
  EXPECT_EQ(r->status, 409);
  EXPECT_NE(r->body.find("Cannot 'createBackup' instance " + id + " while it is in vm_state building"),
            std::string::npos)
      << r->body;
  EXPECT_EQ(image_count(), before);
  EXPECT_EQ(services_.count("snapshot_instance"), 0u);
  EXPECT_FALSE(instance(id).task_state != std::optional<std::string>("spawning"));
}

TEST_F(BackupApiTest, ALockedServerIsStillBackedUpAndSnapshotted) {
  // Nova: a lock keeps a server from changes and deletion; an image of it is neither.
  const std::string id = active_server();
  ASSERT_EQ(action(id, {{"lock", nullptr}})->status, 202);
  ASSERT_TRUE(instance(id).locked);
  ASSERT_EQ(backup(id, daily())->status, 202);
  set_state(id, "active");
  auto snap = client_->Post(("/v2.1/servers/" + id + "/action").c_str(), as("member", "2.45"),
                            json{{"createImage", {{"name", "s"}}}}.dump(), "application/json");
  EXPECT_EQ(snap->status, 202) << snap->body;
  // Other actions still honour the lock.
  EXPECT_EQ(action(id, {{"os-stop", nullptr}})->status, 409);
}

TEST_F(BackupApiTest, BeforeMicroversion239MetadataCountsAgainstTheQuota) {
  const std::string id = active_server();
  ASSERT_TRUE(db::QuotaRepository(*db_).set_limits("p-member", {{"metadata_items", 1}}).ok());
  json in = daily();
  in["metadata"] = {{"a", "1"}, {"b", "2"}};
  auto over = backup(id, in, "2.38");
  EXPECT_EQ(over->status, 403) << over->body;
  EXPECT_NE(over->body.find("Image metadata limit exceeded"), std::string::npos) << over->body;
  auto snap = client_->Post(("/v2.1/servers/" + id + "/action").c_str(), as("member", "2.38"),
                            json{{"createImage", {{"name", "s"}, {"metadata", in["metadata"]}}}}.dump(),
                            "application/json");
  EXPECT_EQ(snap->status, 403) << snap->body;
  EXPECT_EQ(services_.count("snapshot_instance"), 0u);
  // 2.39 stopped counting.
  EXPECT_EQ(backup(id, in, "2.39")->status, 202);
}

}  // namespace
}  // namespace stratus::core::api::test_support
