#include "core/compute/api/instance_actions_controller.h"

#include <algorithm>
#include <charconv>

#include "core/common/time_util.h"
#include "core/compute/api/server_view.h"
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

// Nova's ACTION_KEYS (updated_at too from 2.58).
json action_view(const db::InstanceActionRecord& a, const ApiRequest& req) {
  json out = {{"action", a.action},         {"instance_uuid", a.instance_uuid}, {"message", nullable(a.message)},
              {"project_id", a.project_id}, {"request_id", a.request_id},       {"start_time", a.start_time},
              {"user_id", a.user_id}};
  if (req.microversion >= Microversion{2, 58}) out["updated_at"] = a.updated_at.empty() ? json(nullptr) : json(a.updated_at);
  return out;
}

// 2.21: a deleted server's actions can still be read.
Result<db::InstanceRecord> instance_of(compute::ComputeAPI& compute, const ApiRequest& req) {
  return compute.get(compute_context(req), req.path_params[0], req.microversion >= Microversion{2, 21});
}

Result<ApiResponse> list(compute::ComputeAPI& compute, db::Database& db, const ApiRequest& req) {
  auto instance = instance_of(compute, req);
  if (!instance.ok()) return instance.status();
  auto actions = db::InstanceActionRepository(db).list(instance->uuid);
  if (!actions.ok()) return actions.status();
  std::vector<db::InstanceActionRecord> picked = std::move(*actions);
  std::optional<size_t> limit;
  size_t start = 0;
  if (req.microversion >= Microversion{2, 58}) {
    // changes-since / changes-before (2.66) compare with updated_at.
    std::optional<std::string> since, before;
    if (auto raw = req.query_param("changes-since")) {
      auto t = common::parse_timestamp(*raw);
      if (!t.ok()) return Status::InvalidArgument("Invalid input for query parameters changes-since. Value: " + *raw + ".");
      since = *t;
    }
    if (auto raw = req.query_param("changes-before"); raw && req.microversion >= Microversion{2, 66}) {
      auto t = common::parse_timestamp(*raw);
      if (!t.ok()) return Status::InvalidArgument("Invalid input for query parameters changes-before. Value: " + *raw + ".");
      before = *t;
    }
    if (since && before && *before < *since) {
      return Status::InvalidArgument("The value of changes-since must be less than or equal to changes-before.");
    }
    std::erase_if(picked, [&](const db::InstanceActionRecord& a) {
      return (since && a.updated_at < *since) || (before && a.updated_at > *before);
    });
    if (auto raw = req.query_param("limit")) {
      std::int64_t n = -1;
      auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), n);
      if (raw->empty() || ec != std::errc() || ptr != raw->data() + raw->size() || n < 0) {
        return Status::InvalidArgument("Invalid input for query parameters limit. Value: " + *raw + ".");
      }
      limit = static_cast<size_t>(n);
    }
    if (auto marker = req.query_param("marker")) {
      auto it = std::find_if(picked.begin(), picked.end(), [&](const auto& a) { return a.request_id == *marker; });
      if (it == picked.end()) return Status::InvalidArgument("Marker " + *marker + " could not be found.");
      start = static_cast<size_t>(it - picked.begin()) + 1;
    }
  }
  json out = json::array();
  for (size_t i = start; i < picked.size() && (!limit || out.size() < *limit); ++i) out.push_back(action_view(picked[i], req));
  json body = {{"instanceActions", out}};
  if (limit && *limit > 0 && out.size() == *limit && start + *limit < picked.size()) {
    body["links"] = json::array({{{"href", req.base_url + "/v2.1/servers/" + instance->uuid +
                                               "/os-instance-actions?limit=" + std::to_string(*limit) +
                                               "&marker=" + out.back()["request_id"].get<std::string>()},
                                  {"rel", "next"}}});
  }
  return ApiResponse{200, body, {}};
}

Result<ApiResponse> show(compute::ComputeAPI& compute, db::Database& db, const ApiRequest& req) {
  auto instance = instance_of(compute, req);
  if (!instance.ok()) return instance.status();
  const std::string& request_id = req.path_params[1];
  auto action = db::InstanceActionRepository(db).get(instance->uuid, request_id);
  if (!action.ok()) {
    if (!action.status().is(sdk::StatusCode::kNotFound)) return action.status();
    return Status::NotFound("Action " + request_id + " not found");
  }
  json out = action_view(*action, req);
  // Nova's default policy: admins see every event field (host from 2.62);
  // from 2.51 others see the events too, without traceback; everyone gets
  // hostId from 2.62 and, if allowed, details from 2.84.
  const bool privileged = policy_allows(req.auth, "os_compute_api:os-instance-actions:events:details");
  if (privileged || req.microversion >= Microversion{2, 51}) {
    json events = json::array();
    for (const auto& e : action->events) {
      json ev = {{"event", e.event},
                 {"finish_time", nullable(e.finish_time)},
                 {"result", nullable(e.result)},
                 {"start_time", e.start_time}};
      if (privileged) ev["traceback"] = nullable(e.traceback);
      if (req.microversion >= Microversion{2, 62}) {
        if (privileged) ev["host"] = e.host;
        ev["hostId"] = server_host_id(instance->project_id, e.host);
      }
      if (req.microversion >= Microversion{2, 84} && privileged) ev["details"] = nullable(e.details);
      events.push_back(ev);
    }
    out["events"] = events;
  }
  return ApiResponse{200, {{"instanceAction", out}}, {}};
}

}  // namespace

void add_instance_action_routes(ApiServer& server, compute::ComputeAPI& compute, db::Database& db) {
  // Migrations are, like actions, a server's history; registered with them.
  add_migration_routes(server, compute);

  server.route("GET", R"(/v2\.1/servers/([^/]+)/os-instance-actions)",
               [&compute, &db](const ApiRequest& req) { return list(compute, db, req); });
  server.route("GET", R"(/v2\.1/servers/([^/]+)/os-instance-actions/([^/]+))",
               [&compute, &db](const ApiRequest& req) { return show(compute, db, req); });
}

}  // namespace stratus::core::api
