// rescue and unrescue through the REST API (Nova's os-rescue): the 200 with
// the admin password (given or generated), the task set and the cast with
// the rescue image (the one asked for, else the server's own), Nova's state
// rules (409), a bad body or image (400), the lock, and nothing written or
// sent on a refusal.
#include "servers_test_support.h"

#include "core/db/instance_action_repository.h"

namespace stratus::core::api::test_support {
namespace {

using nlohmann::json;

class RescueApiTest : public ServersApiTest {
 protected:
  std::string active_server(const std::string& name = "vm") {
    std::string id = create_server(name);
    set_state(id, "active");
    return id;
  }
  bool recorded(const std::string& id, const std::string& action) {
    auto actions = db::InstanceActionRepository(*db_).list(id);
    if (!actions.ok()) return false;
    for (const auto& a : *actions) {
      if (a.action == action) return true;
    }
    return false;
  }
};

TEST_F(RescueApiTest, RescueAnswersThePasswordSetsTheTaskAndCastsTheImage) {
  const std::string id = active_server();
  auto r = action(id, {{"rescue", {{"adminPass", "s3cret"}}}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r), (json{{"adminPass", "s3cret"}}));
  EXPECT_EQ(instance(id).task_state, std::optional<std::string>("rescuing"));
  EXPECT_TRUE(recorded(id, "rescue"));
  auto cast = services_.wait_for("rescue_instance");
  ASSERT_TRUE(cast.has_value());
  EXPECT_EQ(cast->image_id, db::kDefaultImageUuid);  // the server's own image
  EXPECT_EQ(cast->injection.admin_password, "s3cret");
  EXPECT_EQ(cast->instance_host, "host1");

  // Rescued: unrescue sets its task and casts; rescue again is a 409.
  set_state(id, "rescued");
  auto again = action(id, {{"rescue", nullptr}});
  EXPECT_EQ(again->status, 409);
  EXPECT_NE(again->body.find("Cannot 'rescue' instance " + id + " while it is in vm_state rescued"), std::string::npos)
      << again->body;
  ASSERT_EQ(action(id, {{"unrescue", json::object()}})->status, 202);  // Nova reads no body
  EXPECT_EQ(instance(id).task_state, std::optional<std::string>("unrescuing"));
  EXPECT_TRUE(services_.wait_for("unrescue_instance").has_value());
  EXPECT_TRUE(recorded(id, "unrescue"));
}

TEST_F(RescueApiTest, AGeneratedPasswordAndAnImageOfChoice) {
  const std::string id = active_server();
  set_state(id, "stopped");  // Nova rescues stopped servers too
  auto r = action(id, {{"rescue", {{"rescue_image_ref", db::kDefaultImageUuid}}}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["adminPass"].get<std::string>().size(), 12u);
  auto cast = services_.wait_for("rescue_instance");
  ASSERT_TRUE(cast.has_value());
  EXPECT_EQ(cast->injection.admin_password, body(r)["adminPass"].get<std::string>());
}

TEST_F(RescueApiTest, RefusalsWriteAndSendNothing) {
  const std::string id = active_server();
  const std::string missing = "11111111-2222-3333-4444-555555555555";
  EXPECT_EQ(action(id, {{"rescue", {{"bogus", 1}}}})->status, 400);
  EXPECT_EQ(action(id, {{"rescue", {{"rescue_image_ref", "not-a-uuid"}}}})->status, 400);
  EXPECT_EQ(action(id, {{"rescue", {{"adminPass", 7}}}})->status, 400);
  auto no_image = action(id, {{"rescue", {{"rescue_image_ref", missing}}}});
  EXPECT_EQ(no_image->status, 400);
  EXPECT_NE(no_image->body.find("Image " + missing + " could not be found."), std::string::npos) << no_image->body;
  auto not_rescued = action(id, {{"unrescue", nullptr}});
  EXPECT_EQ(not_rescued->status, 409);
  EXPECT_NE(not_rescued->body.find("while it is in vm_state active"), std::string::npos) << not_rescued->body;
  EXPECT_EQ(action("00000000-0000-0000-0000-000000000000", {{"rescue", nullptr}})->status, 404);
  set_state(id, "paused");
  EXPECT_EQ(action(id, {{"rescue", nullptr}})->status, 409);
  set_state(id, "active", std::string("rebooting"));
  EXPECT_EQ(action(id, {{"rescue", nullptr}})->status, 409);
  set_state(id, "active");
  ASSERT_EQ(action(id, {{"lock", nullptr}})->status, 202);
  EXPECT_EQ(action(id, {{"rescue", nullptr}})->status, 409);
  EXPECT_EQ(instance(id).task_state, std::nullopt);
  EXPECT_FALSE(recorded(id, "rescue"));
  EXPECT_EQ(services_.count("rescue_instance"), 0u);
  EXPECT_EQ(services_.count("unrescue_instance"), 0u);
  // An admin may act on a locked server, as Nova lets it.
  EXPECT_EQ(action(id, {{"rescue", nullptr}}, "admin")->status, 200);
}

}  // namespace
}  // namespace stratus::core::api::test_support
