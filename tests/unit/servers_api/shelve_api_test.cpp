// createImage, shelve, shelveOffload and unshelve through the REST API
// (issue #13): the image recorded for the host to fill, the task set, the
// cast, the microversions' bodies (2.45's image_id, 2.77's zone, 2.91's
// host), policy (shelveOffload and a host admin only) and Nova's 409s, with
// nothing written on a refusal.
#include "servers_test_support.h"

#include "core/db/image_repository.h"
#include "core/db/system_metadata_repository.h"

namespace stratus::core::api::test_support {
namespace {

using nlohmann::json;

class ShelveApiTest : public ServersApiTest {
 protected:
  httplib::Result vpost(const std::string& id, const json& b, const std::string& version,
                        const std::string& who = "member") {
    return client_->Post(("/v2.1/servers/" + id + "/action").c_str(), as(who, version), b.dump(),
                         "application/json");
  }
  std::string active_server(const std::string& name = "vm") {
    std::string id = create_server(name);
    set_state(id, "active");
    return id;
  }
  std::size_t image_count() { return db::ImageRepository(*db_).list().value().size(); }
};

TEST_F(ShelveApiTest, CreateImageRecordsAQueuedImageSetsTheTaskAndCasts) {
  const std::string id = active_server();
  const std::size_t before = image_count();
  auto r = vpost(id, {{"createImage", {{"name", "snap"}, {"metadata", {{"image_type", "test"}}}}}}, "2.45");
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string image_id = body(r)["image_id"].get<std::string>();
  auto image = db::ImageRepository(*db_).get(image_id).value();
  EXPECT_EQ(image.name, "snap");
  EXPECT_EQ(image.status, "queued");
  EXPECT_EQ(image.visibility, "private");
  EXPECT_EQ(image.owner, instance(id).project_id);
  EXPECT_EQ(image.properties["image_type"], "test");  // the request's metadata wins
  EXPECT_EQ(image.properties["instance_uuid"], id);
  EXPECT_EQ(image.properties["base_image_ref"], db::kDefaultImageUuid);
  EXPECT_EQ(image_count(), before + 1);
  EXPECT_EQ(instance(id).task_state, std::optional<std::string>("image_snapshot"));
  auto cast = services_.wait_for("snapshot_instance");
  ASSERT_TRUE(cast.has_value());
  EXPECT_EQ(cast->image_id, image_id);
  EXPECT_EQ(cast->instance_host, "host1");

  // A second snapshot while the first one runs: Nova's 409.
  auto second = vpost(id, {{"createImage", {{"name", "again"}}}}, "2.45");
  EXPECT_EQ(second->status, 409);
  EXPECT_NE(second->body.find("task_state image_snapshot"), std::string::npos) << second->body;
  EXPECT_EQ(image_count(), before + 1);

  // Before 2.45 the image is named by a Location header.
  set_state(id, "active");
  auto old = vpost(id, {{"createImage", {{"name", "snap-2"}}}}, "2.44");
  ASSERT_EQ(old->status, 202) << old->body;
  const std::string location = old->get_header_value("Location");
  const std::string old_id = location.substr(location.rfind('/') + 1);
  EXPECT_TRUE(db::ImageRepository(*db_).get(old_id).ok()) << location;
}

TEST_F(ShelveApiTest, CreateImageRefusalsWriteNothing) {
  const std::string id = active_server();
  const std::size_t before = image_count();
  EXPECT_EQ(vpost(id, {{"createImage", {{"name", std::string(256, 'a')}}}}, "2.45")->status, 400);
  EXPECT_EQ(vpost(id, {{"createImage", {{"name", "x"}, {"metadata", {{"", ""}}}}}}, "2.45")->status, 400);
  EXPECT_EQ(vpost(id, {{"createImage", {{"name", "x"}, {"metadata", {{std::string(256, 'a'), "b"}}}}}}, "2.45")->status,
            400);
  EXPECT_EQ(vpost(id, {{"createImage", {{"metadata", json::object()}}}}, "2.45")->status, 400);
  EXPECT_EQ(vpost("00000000-0000-0000-0000-000000000000", {{"createImage", {{"name", "x"}}}}, "2.45")->status, 404);
  set_state(id, "building", std::string("spawning"));
  auto r = vpost(id, {{"createImage", {{"name", "x"}}}}, "2.45");
  EXPECT_EQ(r->status, 409);
  EXPECT_NE(r->body.find("Cannot 'createImage' instance " + id + " while it is in vm_state building"),
            std::string::npos)
      << r->body;
  EXPECT_EQ(image_count(), before);
  EXPECT_EQ(services_.count("snapshot_instance"), 0u);
}

TEST_F(ShelveApiTest, ShelveNamesTheImageAfterTheServerAndNotesItForUnshelve) {
  const std::string id = active_server("web");
  auto r = action(id, {{"shelve", nullptr}});
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(instance(id).task_state, std::optional<std::string>("shelving"));
  auto cast = services_.wait_for("shelve_instance");
  ASSERT_TRUE(cast.has_value());
  auto image = db::ImageRepository(*db_).get(cast->image_id).value();
  EXPECT_EQ(image.name, "web-shelved");
  EXPECT_EQ(image.status, "queued");
  auto md = db::SystemMetadataRepository(*db_).get(id).value();
  EXPECT_EQ(md["shelved_image_id"], cast->image_id);
  EXPECT_EQ(md["shelved_host"], "host1");
  EXPECT_FALSE(md["shelved_at"].empty());
  // Being shelved already (the task is set): 409.
  EXPECT_EQ(action(id, {{"shelve", json::object()}})->status, 409);
}

TEST_F(ShelveApiTest, ShelveOffloadIsForAdminsAndOnlyFromShelved) {
  const std::string id = active_server();
  EXPECT_EQ(action(id, {{"shelveOffload", nullptr}})->status, 403);
  auto r = action(id, {{"shelveOffload", nullptr}}, "admin");
  EXPECT_EQ(r->status, 409);
  EXPECT_NE(r->body.find("Cannot 'shelveOffload' instance " + id + " while it is in vm_state active"),
            std::string::npos)
      << r->body;
  set_state(id, "shelved");
  ASSERT_EQ(action(id, {{"shelveOffload", nullptr}}, "admin")->status, 202);
  EXPECT_EQ(instance(id).task_state, std::optional<std::string>("shelving_offloading"));
  EXPECT_TRUE(services_.wait_for("shelve_offload_instance").has_value());
}

TEST_F(ShelveApiTest, UnshelveGoesToTheConductorWithTheHostAndZoneAsked) {
  const std::string id = active_server();
  EXPECT_EQ(action(id, {{"unshelve", nullptr}})->status, 409);  // ACTIVE
  set_state(id, "shelved_offloaded", std::nullopt, "");
  // 2.91: a host is for admins; an unknown one is 400; an empty body 400.
  EXPECT_EQ(vpost(id, {{"unshelve", {{"host", "host1"}}}}, "2.91")->status, 403);
  EXPECT_EQ(vpost(id, {{"unshelve", {{"host", "nowhere"}}}}, "2.91", "admin")->status, 400);
  EXPECT_EQ(vpost(id, {{"unshelve", json::object()}}, "2.91", "admin")->status, 400);
  EXPECT_EQ(vpost(id, {{"unshelve", {{"host", "host1"}}}}, "2.90", "admin")->status, 400);  // 2.77's schema
  EXPECT_EQ(vpost(id, {{"unshelve", {{"availability_zone", "no-such-zone"}}}}, "2.77")->status, 400);
  EXPECT_EQ(services_.count("unshelve_instance"), 0u);
  EXPECT_FALSE(instance(id).task_state.has_value());

  ASSERT_EQ(vpost(id, {{"unshelve", {{"host", "host1"}}}}, "2.91", "admin")->status, 202);
  EXPECT_EQ(instance(id).task_state, std::optional<std::string>("unshelving"));
  auto cast = services_.wait_for("unshelve_instance");
  ASSERT_TRUE(cast.has_value());
  EXPECT_EQ(cast->unshelve_host, "host1");
  EXPECT_EQ(cast->topic_server, "conductor");

  // A SHELVED server (still on its host) takes no host or zone (Nova's 409).
  set_state(id, "shelved");
  EXPECT_EQ(vpost(id, {{"unshelve", {{"availability_zone", "nova"}}}}, "2.77")->status, 409);
  EXPECT_EQ(vpost(id, {{"unshelve", nullptr}}, "2.77")->status, 202);
}

}  // namespace
}  // namespace stratus::core::api::test_support
