#include "core/compute/api/instance_actions_controller.h"

#include "core/http/policy.h"
#include "core/compute/api/migrations_controller.h"
#include "core/compute/api/compute_request.h"
#include "core/db/instance_action_repository.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

json nullable(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

// Nova's ACTION_KEYS at 2.1 (updated_at only from 2.58).
json action_view(const db::InstanceActionRecord& a) {
  return {{"action", a.action},         {"instance_uuid", a.instance_uuid}, {"message", nullable(a.message)},
          {"project_id", a.project_id}, {"request_id", a.request_id},       {"start_time", a.start_time},
          {"user_id", a.user_id}};
}

}  // namespace

void add_instance_action_routes(ApiServer& server, compute::ComputeAPI& compute, db::Database& db) {
  // Migrations are, like actions, a server's history; registered with them.
  add_migration_routes(server, compute);

  server.route("GET", R"(/v2\.1/servers/([^/]+)/os-instance-actions)",
               [&compute, &db](const ApiRequest& req) -> Result<ApiResponse> {
                 auto instance = compute.get(compute_context(req), req.path_params[0]);
                 if (!instance.ok()) return instance.status();
                 auto actions = db::InstanceActionRepository(db).list(instance->uuid);
                 if (!actions.ok()) return actions.status();
                 json out = json::array();
                 for (const auto& a : *actions) out.push_back(action_view(a));
                 return ApiResponse{200, {{"instanceActions", out}}, {}};
               });

  server.route("GET", R"(/v2\.1/servers/([^/]+)/os-instance-actions/([^/]+))",
               [&compute, &db](const ApiRequest& req) -> Result<ApiResponse> {
                 auto instance = compute.get(compute_context(req), req.path_params[0]);
                 if (!instance.ok()) return instance.status();
                 const std::string& request_id = req.path_params[1];
                 auto action = db::InstanceActionRepository(db).get(instance->uuid, request_id);
                 if (!action.ok()) {
                   if (!action.status().is(sdk::StatusCode::kNotFound)) return action.status();
                   return Status::NotFound("Action for request_id " + request_id + " on instance " + instance->uuid +
                                           " not found");
                 }
                 json out = action_view(*action);
                 // Nova's default policy shows the events (and their tracebacks) to admins only.
                 if (policy_allows(req.auth, "os_compute_api:os-instance-actions:events:details")) {
                   json events = json::array();
                   for (const auto& e : action->events) {
                     events.push_back({{"event", e.event},
                                       {"finish_time", nullable(e.finish_time)},
                                       {"result", nullable(e.result)},
                                       {"start_time", e.start_time},
                                       {"traceback", nullable(e.traceback)}});
                   }
                   out["events"] = events;
                 }
                 return ApiResponse{200, {{"instanceAction", out}}, {}};
               });
}

}  // namespace stratus::core::api
