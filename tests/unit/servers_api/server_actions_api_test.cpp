// POST /servers/{id}/action, DELETE /servers/{id}, /metadata and
// /os-instance-actions: allowed states cast to the host and set the task;
// refused ones answer 409 and change nothing.
#include <atomic>

#include "core/db/instance_action_repository.h"
#include "core/db/instance_repository.h"
#include "servers_test_support.h"

namespace stratus::core::api::test_support {
namespace {

using nlohmann::json;

struct ActionCase {
  std::string vm_state;
  json body;
  std::string task_state;  // set by the API
  std::string method;      // cast to compute.host1
};

TEST_F(ServersApiTest, EachActionFromAnAllowedStateSetsTheTaskAndCasts) {
  const std::vector<ActionCase> cases = {
      {"active", {{"reboot", {{"type", "SOFT"}}}}, "rebooting", "reboot_instance"},
      {"stopped", {{"reboot", {{"type", "HARD"}}}}, "rebooting_hard", "reboot_instance"},
      {"error", {{"reboot", {{"type", "hard"}}}}, "rebooting_hard", "reboot_instance"},
      {"active", {{"os-stop", nullptr}}, "powering-off", "stop_instance"},
      {"error", {{"os-stop", nullptr}}, "powering-off", "stop_instance"},
      {"stopped", {{"os-start", nullptr}}, "powering-on", "start_instance"},
      {"active", {{"pause", nullptr}}, "pausing", "pause_instance"},
      {"paused", {{"unpause", nullptr}}, "unpausing", "unpause_instance"},
      {"active", {{"suspend", nullptr}}, "suspending", "suspend_instance"},
      {"suspended", {{"resume", nullptr}}, "resuming", "resume_instance"},
      {"stopped", {{"rebuild", {{"imageRef", db::kDefaultImageUuid}, {"name", "renamed"}}}}, "rebuilding",
       "rebuild_instance"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body.dump() + " from " + c.vm_state);
    const std::string id = create_server();
    set_state(id, c.vm_state);
    const size_t casts_before = services_.count(c.method);
    auto r = action(id, c.body);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    EXPECT_EQ(instance(id).task_state, c.task_state);
    EXPECT_EQ(instance(id).vm_state, c.vm_state);
    const std::string request_id = r->get_header_value("X-OpenStack-Request-Id");
    // The cast carries the request id the action was recorded with.
    std::optional<Received> cast;
    for (int i = 0; i < 600 && !cast; ++i) {
      for (const auto& m : services_.all()) {
        if (m.method == c.method && m.request_id == request_id) cast = m;
      }
      if (!cast) std::this_thread::sleep_for(5ms);
    }
    ASSERT_TRUE(cast) << "no " << c.method << " cast";
    EXPECT_EQ(services_.count(c.method), casts_before + 1);
    EXPECT_EQ(cast->topic_server, "compute.host1");
    EXPECT_EQ(cast->instance_uuids, std::vector<std::string>{id});
    auto recorded = db::InstanceActionRepository(*db_).get(id, request_id);
    ASSERT_TRUE(recorded.ok()) << recorded.status();
    if (c.method == "reboot_instance") {
      EXPECT_EQ(cast->reboot_type, c.task_state == "rebooting" ? "SOFT" : "HARD");
      EXPECT_EQ(recorded->action, "reboot");
    }
    if (c.method == "rebuild_instance") {
      EXPECT_EQ(cast->image_id, db::kDefaultImageUuid);
      EXPECT_EQ(body(r)["server"]["name"], "renamed");
      EXPECT_EQ(body(r)["server"]["status"], "REBUILD");
    }
  }
}

TEST_F(ServersApiTest, AnActionFromARefusedStateIs409AndChangesNothing) {
  struct Refused {
    std::string vm_state;
    std::optional<std::string> task_state;
    json body;
    std::string message_tail;  // after "Cannot '<action>' instance <id> while it is in "
    std::string action;
  };
  const std::vector<Refused> cases = {
      {"stopped", std::nullopt, {{"reboot", {{"type", "SOFT"}}}}, "vm_state stopped", "reboot"},
      {"active", "powering-off", {{"reboot", {{"type", "SOFT"}}}}, "task_state powering-off", "reboot"},
      {"active", "powering-off", {{"reboot", {{"type", "HARD"}}}}, "task_state powering-off", "reboot"},
      {"active", std::nullopt, {{"os-start", nullptr}}, "vm_state active", "start"},
      {"stopped", std::nullopt, {{"os-stop", nullptr}}, "vm_state stopped", "stop"},
      {"paused", std::nullopt, {{"pause", nullptr}}, "vm_state paused", "pause"},
      {"active", std::nullopt, {{"unpause", nullptr}}, "vm_state active", "unpause"},
      {"stopped", std::nullopt, {{"suspend", nullptr}}, "vm_state stopped", "suspend"},
      {"active", std::nullopt, {{"resume", nullptr}}, "vm_state active", "resume"},
      {"paused", std::nullopt, {{"rebuild", {{"imageRef", db::kDefaultImageUuid}}}}, "vm_state paused", "rebuild"},
      {"active", std::nullopt, {{"restore", nullptr}}, "vm_state active", "restore"},
      {"active", "deleting", {{"forceDelete", nullptr}}, "task_state deleting", "forceDelete"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body.dump() + " from " + c.vm_state);
    const std::string id = create_server();
    set_state(id, c.vm_state, c.task_state);
    const auto before = instance(id);
    const size_t casts = services_.compute_messages();
    auto r = action(id, c.body);
    ASSERT_EQ(r->status, 409) << r->body;
    EXPECT_EQ(body(r)["conflictingRequest"]["message"],
              "Cannot '" + c.action + "' instance " + id + " while it is in " + c.message_tail);
    const auto after = instance(id);
    EXPECT_EQ(after.vm_state, before.vm_state);
    EXPECT_EQ(after.task_state, before.task_state);
    EXPECT_EQ(after.updated_at, before.updated_at);
    EXPECT_EQ(db::InstanceActionRepository(*db_).list(id).value().size(), 1u);  // only "create"
    EXPECT_EQ(services_.compute_messages(), casts);
  }
}

TEST_F(ServersApiTest, ActionBodiesAreChecked) {
  const std::string id = create_server();
  set_state(id, "active");
  auto r = action(id, {{"reboot", {{"type", "GENTLE"}}}});
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(body(r)["badRequest"]["message"].get<std::string>().find("reboot/type"), std::string::npos) << r->body;
  r = action(id, {{"dance", nullptr}});
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body(r)["badRequest"]["message"], "There is no such action: dance");
  r = action(id, {{"rebuild", {{"imageRef", "9a7e8c1e-0000-4000-8000-000000000000"}}}});
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body(r)["badRequest"]["message"], "Image 9a7e8c1e-0000-4000-8000-000000000000 could not be found.");
  EXPECT_EQ(action("9a7e8c1e-0000-4000-8000-000000000000", {{"pause", nullptr}})->status, 404);
  // Another project's server does not exist for a member.
  const std::string admins = create_server("admins", "admin");
  set_state(admins, "active");
  EXPECT_EQ(action(admins, {{"pause", nullptr}})->status, 404);
  EXPECT_EQ(instance(id).task_state, std::nullopt);
  EXPECT_EQ(instance(admins).task_state, std::nullopt);
}

TEST_F(ServersApiTest, ConcurrentActionsPassOnlyOnce) {
  const std::string id = create_server();
  set_state(id, "active");
  constexpr int kThreads = 6;
  std::atomic<int> accepted{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      httplib::Client c("127.0.0.1", std::stoi(base_.substr(base_.rfind(':') + 1)));
      json b = i % 2 == 0 ? json{{"pause", nullptr}} : json{{"reboot", {{"type", "SOFT"}}}};
      auto r = c.Post(("/v2.1/servers/" + id + "/action").c_str(), as("member"), b.dump(), "application/json");
      if (r && r->status == 202) ++accepted;
      if (r && r->status == 409) ++conflicts;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
}

// Nova deletes over any task: a task that ends between the API's read and its
// compare-and-swap (a backup finishing) must not make the delete a 409.
TEST_F(ServersApiTest, ADeleteRacingATaskThatEndsIsTakenNot409) {
  constexpr int kServers = 12;
  for (int n = 0; n < kServers; ++n) {
    SCOPED_TRACE(n);
    const std::string id = create_server();
    set_state(id, "active", std::string("image_backup"));
    std::atomic<bool> stop{false};
    std::atomic<int> flips{0};
    // The host's side: the task ends and starts again, as fast as it can,
    // never over the delete (compare-and-swap on the states it expects).
    std::thread host([&] {
      db::InstanceRepository instances(*db_);
      for (int i = 0; i < 20000 && !stop.load(); ++i) {
        db::InstanceUpdate u;
        const bool end = i % 2 == 0;
        u.task_state = end ? std::optional<std::string>() : std::optional<std::string>("image_backup");
        u.expected_task_state = std::vector<std::optional<std::string>>{
            end ? std::optional<std::string>("image_backup") : std::optional<std::string>()};
        if (instances.update(id, u).ok()) ++flips;
      }
    });
    for (int wait = 0; wait < 2000 && flips.load() < 2; ++wait) std::this_thread::sleep_for(1ms);
    const bool flipping = flips.load() >= 2;
    auto r = del("/v2.1/servers/" + id);
    stop = true;
    host.join();
    ASSERT_TRUE(flipping) << "the task never flipped";
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 204) << r->body;
    EXPECT_EQ(instance(id).task_state, "deleting");
  }
}

TEST_F(ServersApiTest, AHostThatIsDownIsNotCastTo) {
  const std::string id = create_server();
  set_state(id, "active", std::nullopt, "host9");  // no compute service registered for host9
  auto r = action(id, {{"reboot", {{"type", "HARD"}}}});
  ASSERT_EQ(r->status, 409) << r->body;
  EXPECT_NE(body(r)["conflictingRequest"]["message"].get<std::string>().find("host9 is down"), std::string::npos);
  EXPECT_EQ(instance(id).task_state, std::nullopt);

  ASSERT_TRUE(db::ServiceRepository(*db_).set_forced_down("host1", "stratus-compute", true).ok());
  const std::string other = create_server();
  set_state(other, "active");
  EXPECT_EQ(action(other, {{"pause", nullptr}})->status, 409);
  EXPECT_EQ(instance(other).task_state, std::nullopt);
}

TEST_F(ServersApiTest, AFailedCastPutsTheTaskBackAndIs503) {
  const std::string id = create_server();
  set_state(id, "active");
  stop_api_endpoint();
  auto r = action(id, {{"reboot", {{"type", "SOFT"}}}});
  ASSERT_EQ(r->status, 503) << r->body;
  EXPECT_NE(body(r)["serviceUnavailable"]["message"].get<std::string>().find("could not be reached"), std::string::npos);
  EXPECT_EQ(instance(id).task_state, std::nullopt);
  EXPECT_EQ(instance(id).vm_state, "active");
}

TEST_F(ServersApiTest, DeleteBeforeSchedulingIsLocal) {
  const std::string id = create_server();
  ASSERT_EQ(db::PortRepository(*db_).list_by_device(id).value().size(), 1u);
  auto r = del("/v2.1/servers/" + id);
  ASSERT_EQ(r->status, 204) << r->body;
  EXPECT_TRUE(instance(id).deleted);
  EXPECT_EQ(instance(id).vm_state, "deleted");
  EXPECT_TRUE(db::PortRepository(*db_).list_by_device(id).value().empty());
  EXPECT_EQ(get("/v2.1/servers/" + id)->status, 404);
  EXPECT_EQ(del("/v2.1/servers/" + id)->status, 404);
  EXPECT_EQ(services_.count("terminate_instance"), 0u);
}

TEST_F(ServersApiTest, DeleteOnAHostSetsDeletingAndCastsTerminate) {
  const std::string id = create_server();
  set_state(id, "active");
  auto r = del("/v2.1/servers/" + id);
  ASSERT_EQ(r->status, 204) << r->body;
  EXPECT_EQ(instance(id).task_state, "deleting");
  EXPECT_FALSE(instance(id).deleted);  // compute deletes it once the guest is gone
  auto cast = services_.wait_for("terminate_instance");
  ASSERT_TRUE(cast);
  EXPECT_EQ(cast->topic_server, "compute.host1");
  EXPECT_EQ(cast->instance_uuids, std::vector<std::string>{id});
  EXPECT_EQ(cast->request_id, r->get_header_value("X-OpenStack-Request-Id"));
}

TEST_F(ServersApiTest, DeleteOnADownHostIsLocal) {
  const std::string id = create_server();
  set_state(id, "active", std::nullopt, "host9");
  ASSERT_EQ(del("/v2.1/servers/" + id)->status, 204);
  EXPECT_TRUE(instance(id).deleted);
  EXPECT_TRUE(db::PortRepository(*db_).list_by_device(id).value().empty());
}

class SoftDeleteTest : public ServersApiTest {
 protected:
  void SetUp() override {
    compute::ComputeApiOptions options;
    options.reclaim_instance_interval = std::chrono::seconds(3600);
    start(options);
  }
};

TEST_F(SoftDeleteTest, SoftDeleteRestoreAndForceDelete) {
  const std::string id = create_server();
  set_state(id, "active");
  ASSERT_EQ(del("/v2.1/servers/" + id)->status, 204);
  EXPECT_EQ(instance(id).task_state, "soft-deleting");
  ASSERT_TRUE(services_.wait_for("soft_delete_instance"));
  EXPECT_EQ(services_.count("terminate_instance"), 0u);

  // compute's part: the guest is off, the instance SOFT_DELETED.
  set_state(id, "soft-delete");
  EXPECT_EQ(body(get("/v2.1/servers/" + id))["server"]["status"], "SOFT_DELETED");
  auto r = action(id, {{"restore", nullptr}});
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(instance(id).task_state, "restoring");
  ASSERT_TRUE(services_.wait_for("restore_instance"));

  set_state(id, "soft-delete");
  r = action(id, {{"forceDelete", nullptr}});
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(instance(id).task_state, "deleting");
  ASSERT_TRUE(services_.wait_for("terminate_instance"));
}

TEST_F(SoftDeleteTest, AServerThatNeverLaunchedIsDeletedForGood) {
  const std::string id = create_server();
  ASSERT_EQ(del("/v2.1/servers/" + id)->status, 204);
  EXPECT_TRUE(instance(id).deleted);
}

TEST_F(ServersApiTest, ConsoleOutputIsACallToTheHost) {
  const std::string id = create_server();
  set_state(id, "active");
  auto r = action(id, {{"os-getConsoleOutput", {{"length", 50}}}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["output"], services_.console_output);
  EXPECT_EQ(action(id, {{"os-getConsoleOutput", {{"length", -2}}}})->status, 400);
  const std::string unplaced = create_server();
  EXPECT_EQ(action(unplaced, {{"os-getConsoleOutput", json::object()}})->status, 409);
}

TEST_F(ServersApiTest, MetadataRoutes) {
  const std::string id = create_server();
  const std::string base = "/v2.1/servers/" + id + "/metadata";
  // Not while building (Nova: active, paused, suspended, stopped only).
  auto r = post(base, {{"metadata", {{"a", "1"}}}});
  ASSERT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(body(r)["conflictingRequest"]["message"],
            "Cannot 'update metadata' instance " + id + " while it is in vm_state building");
  set_state(id, "active");

  r = put(base, {{"metadata", {{"a", "1"}, {"b", "2"}}}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["metadata"], json({{"a", "1"}, {"b", "2"}}));
  r = post(base, {{"metadata", {{"b", "3"}, {"c", "4"}}}});
  EXPECT_EQ(body(r)["metadata"], json({{"a", "1"}, {"b", "3"}, {"c", "4"}}));
  r = put(base, {{"metadata", {{"z", "9"}}}});
  EXPECT_EQ(body(r)["metadata"], json({{"z", "9"}}));
  EXPECT_EQ(body(get(base))["metadata"], json({{"z", "9"}}));

  r = put(base + "/k", {{"meta", {{"k", "v"}}}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["meta"], json({{"k", "v"}}));
  EXPECT_EQ(body(get(base + "/k"))["meta"], json({{"k", "v"}}));
  r = put(base + "/k", {{"meta", {{"other", "v"}}}});
  EXPECT_EQ(body(r)["badRequest"]["message"], "Request body and URI mismatch");
  r = put(base + "/k", {{"meta", {{"k", "v"}, {"l", "w"}}}});
  EXPECT_EQ(body(r)["badRequest"]["message"], "Request body contains too many items");
  r = put(base, {{"metadata", {{"bad/key", "v"}}}});
  EXPECT_EQ(r->status, 400);

  EXPECT_EQ(del(base + "/k")->status, 204);
  r = get(base + "/k");
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body(r)["itemNotFound"]["message"], "Metadata item was not found");
  EXPECT_EQ(del(base + "/k")->status, 404);
  EXPECT_EQ(instance(id).metadata, (std::map<std::string, std::string>{{"z", "9"}}));
}

TEST_F(ServersApiTest, InstanceActionsListAndShow) {
  const std::string id = create_server();
  set_state(id, "active");
  auto r = action(id, {{"reboot", {{"type", "SOFT"}}}});
  ASSERT_EQ(r->status, 202);
  const std::string reboot_request = r->get_header_value("X-OpenStack-Request-Id");
  ASSERT_TRUE(db::InstanceActionRepository(*db_).start_event(id, reboot_request, "compute_reboot_instance", "host1").ok());

  r = get("/v2.1/servers/" + id + "/os-instance-actions");
  ASSERT_EQ(r->status, 200) << r->body;
  auto actions = body(r)["instanceActions"];
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0]["action"], "reboot");  // newest first
  EXPECT_EQ(actions[1]["action"], "create");
  EXPECT_EQ(keys(actions[0]), (std::set<std::string>{"action", "instance_uuid", "message", "project_id", "request_id",
                                                      "start_time", "user_id"}));

  r = get("/v2.1/servers/" + id + "/os-instance-actions/" + reboot_request);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["instanceAction"]["request_id"], reboot_request);
  EXPECT_FALSE(body(r)["instanceAction"].contains("events"));  // admins only
  r = get("/v2.1/servers/" + id + "/os-instance-actions/" + reboot_request, "admin");
  auto events = body(r)["instanceAction"]["events"];
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["event"], "compute_reboot_instance");
  EXPECT_TRUE(events[0]["result"].is_null());

  r = get("/v2.1/servers/" + id + "/os-instance-actions/req-nope");
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body(r)["itemNotFound"]["message"], "Action req-nope not found");

  // 2.51: owners see the events, without traceback; 2.62 adds hostId (and
  // host for admins); 2.58 updated_at and paging.
  auto at = [&](const std::string& path, const std::string& who, const std::string& version) {
    return client_->Get(path.c_str(), as(who, version));
  };
  r = at("/v2.1/servers/" + id + "/os-instance-actions/" + reboot_request, "member", "2.62");
  ASSERT_EQ(r->status, 200);
  auto ev = body(r)["instanceAction"]["events"];
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_FALSE(ev[0].contains("traceback"));
  EXPECT_FALSE(ev[0].contains("host"));
  EXPECT_EQ(ev[0]["hostId"].get<std::string>().size(), 56u);
  ev = body(at("/v2.1/servers/" + id + "/os-instance-actions/" + reboot_request, "admin", "2.84"))["instanceAction"]["events"];
  EXPECT_EQ(ev[0]["host"], "host1");
  EXPECT_TRUE(ev[0].contains("details"));
  auto page = body(at("/v2.1/servers/" + id + "/os-instance-actions?limit=1", "member", "2.58"));
  ASSERT_EQ(page["instanceActions"].size(), 1u);
  EXPECT_TRUE(page["instanceActions"][0].contains("updated_at"));
  EXPECT_TRUE(page.contains("links"));
  auto rest = body(at("/v2.1/servers/" + id + "/os-instance-actions?marker=" + reboot_request, "member", "2.58"));
  ASSERT_EQ(rest["instanceActions"].size(), 1u);
  EXPECT_EQ(rest["instanceActions"][0]["action"], "create");
  EXPECT_EQ(at("/v2.1/servers/" + id + "/os-instance-actions?marker=req-nope", "member", "2.58")->status, 400);
  EXPECT_EQ(at("/v2.1/servers/" + id + "/os-instance-actions?changes-since=2999-01-01T00:00:00Z", "member", "2.58")->status, 200);
  EXPECT_TRUE(body(at("/v2.1/servers/" + id + "/os-instance-actions?changes-since=2999-01-01T00:00:00Z", "member", "2.58"))
                  ["instanceActions"].empty());

  // 2.21: a deleted server's actions still read; before, it is gone.
  ASSERT_TRUE(db::InstanceRepository(*db_).destroy(id).ok());
  EXPECT_EQ(get("/v2.1/servers/" + id + "/os-instance-actions")->status, 404);
  EXPECT_EQ(at("/v2.1/servers/" + id + "/os-instance-actions", "member", "2.21")->status, 200);
}

TEST_F(ServersApiTest, MigrationsAreNeverThere) {
  const std::string id = create_server();
  EXPECT_EQ(get("/v2.1/os-migrations", "member")->status, 403);
  auto r = get("/v2.1/os-migrations", "admin");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(body(r), json::parse(R"({"migrations": []})"));
  EXPECT_EQ(client_->Get("/v2.1/os-migrations?marker=abc", as("admin", "2.59"))->status, 400);
  EXPECT_EQ(get("/v2.1/servers/" + id + "/migrations", "admin")->status, 404);  // before 2.23
  r = client_->Get(("/v2.1/servers/" + id + "/migrations").c_str(), as("admin", "2.23"));
  ASSERT_EQ(r->status, 200);
  EXPECT_TRUE(body(r)["migrations"].empty());
  EXPECT_EQ(client_->Get(("/v2.1/servers/" + id + "/migrations/1").c_str(), as("admin", "2.23"))->status, 404);
  EXPECT_EQ(client_->Get("/v2.1/servers/00000000-0000-0000-0000-000000000000/migrations", as("admin", "2.23"))->status, 404);
}

}  // namespace
}  // namespace stratus::core::api::test_support
