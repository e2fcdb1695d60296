// /network/v2.0/security-groups and /security-group-rules (Neutron's
// securitygroup extension). Who may do what, as Neutron's default policy:
// admins anything; others their own project's groups and rules. A project's
// "default" group is made the first time it lists or creates groups (as
// Neutron does) and cannot be deleted or renamed by a member (409).
// Neutron's default quotas apply: 10 groups and 100 rules per project.
#include <spdlog/spdlog.h>

#include <map>

#include "core/common/time_util.h"
#include "core/db/security_group_repository.h"
#include "core/network/api/network_routes.h"
#include "core/network/api/neutron_error.h"
#include "core/network/api/quota_check.h"
#include "core/network/api/neutron_query.h"
#include "core/network/api/request_body.h"
#include "core/network/security_group_rule_check.h"

namespace stratus::core::api::network {

namespace {

using nlohmann::json;
using sdk::Result;


std::string timestamp(const std::string& stored) { return stored.empty() ? "" : common::to_api_seconds(stored); }

template <typename T>
json nullable(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json rule_view(const db::SecurityGroupRuleRecord& r) {
  return {{"id", r.uuid},
          {"security_group_id", r.security_group_id},
          {"direction", r.direction},
          {"ethertype", r.ethertype},
          {"protocol", nullable(r.protocol)},
          {"port_range_min", nullable(r.port_range_min)},
          {"port_range_max", nullable(r.port_range_max)},
          {"remote_ip_prefix", nullable(r.remote_ip_prefix)},
          {"remote_group_id", nullable(r.remote_group_id)},
          {"remote_address_group_id", nullptr},
          {"description", r.description},
          {"project_id", r.project_id},
          {"tenant_id", r.project_id},
          {"created_at", timestamp(r.created_at)},
          {"updated_at", timestamp(r.updated_at)},
          {"revision_number", 0}};
}

json group_view(const db::SecurityGroupRecord& g) {
  json rules = json::array();
  for (const auto& r : g.rules) rules.push_back(rule_view(r));
  return {{"id", g.uuid},
          {"name", g.name},
          {"description", g.description},
          {"project_id", g.project_id},
          {"tenant_id", g.project_id},
          {"security_group_rules", std::move(rules)},
          {"stateful", true},
          {"shared", false},
          {"tags", json::array()},
          {"created_at", timestamp(g.created_at)},
          {"updated_at", timestamp(g.updated_at)},
          {"revision_number", g.revision_number}};
}

bool may_see(const AuthContext& auth, const std::string& project_id) {
  return auth.is_admin || project_id == auth.project_id;
}

Result<ApiResponse> list_groups(db::Database& db, const ApiRequest& req) {
  db::SecurityGroupRepository repo(db);
  if (auto d = repo.ensure_default(req.auth.project_id); !d.ok()) return d.status();
  auto groups = repo.list(req.auth.is_admin ? std::nullopt : std::optional<std::string>(req.auth.project_id));
  if (!groups.ok()) return groups.status();
  std::vector<json> views;
  for (const auto& g : *groups) views.push_back(group_view(g));
  return list_reply(req, "security_groups", "SecurityGroup", attribute_names(group_view({})), views);
}

Result<db::SecurityGroupRecord> visible_group(db::Database& db, const ApiRequest& req, const std::string& id) {
  auto g = db::SecurityGroupRepository(db).get(id);
  if (!g.ok()) return g.status();
  if (!may_see(req.auth, g->project_id)) return sdk::Status::NotFound("Security group " + id + " does not exist");
  return g;
}

ApiResponse group_not_found(const std::string& id) {
  return neutron_error(404, "SecurityGroupNotFound", "Security group " + id + " does not exist");
}

Result<ApiResponse> show_group(db::Database& db, const ApiRequest& req) {
  auto g = visible_group(db, req, req.path_params[0]);
  if (g.status().is(sdk::StatusCode::kNotFound)) return group_not_found(req.path_params[0]);
  if (!g.ok()) return g.status();
  return show_reply(req, "security_group", group_view(*g));
}

Result<ApiResponse> create_group(db::Database& db, const ApiRequest& req) {
  auto parsed = RequestBody::parse(req.body, "security_group",
                                   {"name", "description", "project_id", "tenant_id", "stateful"});
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);
  db::SecurityGroupRecord rec;
  rec.name = body.string("name").value_or("");
  rec.description = body.string("description").value_or("");
  (void)body.boolean("stateful");
  if (body.error()) return *body.error();
  auto project = owning_project(body, req.auth);
  if (auto* refused = std::get_if<ApiResponse>(&project)) return *refused;
  rec.project_id = std::get<std::string>(project);
  db::SecurityGroupRepository repo(db);
  if (auto d = repo.ensure_default(rec.project_id); !d.ok()) return d.status();
  if (rec.name == "default") {
    return neutron_error(409, "SecurityGroupDefaultAlreadyExists", "Default security group already exists.");
  }
  if (auto refused = refuse_over_quota(db, rec.project_id, "security_group")) return *refused;
  auto created = repo.create(rec);
  if (!created.ok()) return neutron_failure(created.status(), "SecurityGroup", rec.uuid);
  spdlog::info("{} security group {} '{}' created for project {}", req.request_id, created->uuid, created->name,
               created->project_id);
  return show_reply(req, "security_group", group_view(*created), 201);
}

Result<ApiResponse> update_group(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto g = visible_group(db, req, id);
  if (g.status().is(sdk::StatusCode::kNotFound)) return group_not_found(id);
  if (!g.ok()) return g.status();
  auto parsed = RequestBody::parse(req.body, "security_group", {"name", "description", "stateful"});
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);
  auto name = body.string("name");
  auto description = body.string("description");
  (void)body.boolean("stateful");
  if (body.error()) return *body.error();
  if (g->is_default && name && *name != "default") {
    return neutron_error(409, "SecurityGroupCannotUpdateDefault", "Updating default security group not allowed.");
  }
  if (!g->is_default && name && *name == "default") {
    return neutron_error(409, "SecurityGroupDefaultAlreadyExists", "Default security group already exists.");
  }
  auto updated = db::SecurityGroupRepository(db).update(id, name, description);
  if (!updated.ok()) return neutron_failure(updated.status(), "SecurityGroup", id);
  return show_reply(req, "security_group", group_view(*updated));
}

Result<ApiResponse> delete_group(db::Database& db, core::network::SecurityGroupRefresh* refresh, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto g = visible_group(db, req, id);
  if (g.status().is(sdk::StatusCode::kNotFound)) return group_not_found(id);
  if (!g.ok()) return g.status();
  if (g->is_default && !req.auth.is_admin) {
    return neutron_error(409, "SecurityGroupCannotRemoveDefault", "Insufficient rights for removing default security group.");
  }
  // The rules naming it as remote go with it: read who depends on it first.
  auto dependents = db::SecurityGroupRepository(db).instances_depending_on({id});
  if (!dependents.ok()) return dependents.status();
  auto st = db::SecurityGroupRepository(db).remove(id);
  if (st.is(sdk::StatusCode::kInvalidState)) return neutron_error(409, "SecurityGroupInUse", st.message());
  if (!st.ok()) return neutron_failure(st, "SecurityGroup", id);
  if (refresh) refresh->refresh(req.request_id, {}, *dependents);
  spdlog::info("{} security group {} deleted", req.request_id, id);
  return ApiResponse{204, nullptr, {}};
}

Result<ApiResponse> list_rules(db::Database& db, const ApiRequest& req) {
  auto rules = db::SecurityGroupRepository(db).list_rules(
      req.auth.is_admin ? std::nullopt : std::optional<std::string>(req.auth.project_id));
  if (!rules.ok()) return rules.status();
  std::vector<json> views;
  for (const auto& r : *rules) views.push_back(rule_view(r));
  return list_reply(req, "security_group_rules", "SecurityGroupRule", attribute_names(rule_view({})), views);
}

ApiResponse rule_not_found(const std::string& id) {
  return neutron_error(404, "SecurityGroupRuleNotFound", "Security group rule " + id + " does not exist");
}

Result<ApiResponse> show_rule(db::Database& db, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  auto r = db::SecurityGroupRepository(db).get_rule(id);
  if (r.status().is(sdk::StatusCode::kNotFound) || (r.ok() && !may_see(req.auth, r->project_id))) {
    return rule_not_found(id);
  }
  if (!r.ok()) return r.status();
  return show_reply(req, "security_group_rule", rule_view(*r));
}

// A port bound as Neutron's convert_to_int then validates it: an integer
// (or a string of one), else 400 naming the attribute.
std::optional<ApiResponse> read_port(RequestBody& body, const char* key, std::optional<std::int64_t>& out) {
  if (!body.has(key) || body.is_null(key)) return std::nullopt;
  const json& v = body.raw(key);
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    return std::nullopt;
  }
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    try {
      std::size_t used = 0;
      long long n = std::stoll(s, &used);
      if (used == s.size()) {
        out = n;
        return std::nullopt;
      }
    } catch (const std::exception&) {
    }
  }
  return bad_request(std::string("Invalid input for ") + key + ". Reason: '" + (v.is_string() ? v.get<std::string>() : v.dump()) +
                     "' is not an integer.");
}

Result<ApiResponse> create_rule(db::Database& db, core::network::SecurityGroupRefresh* refresh, const ApiRequest& req) {
  auto parsed = RequestBody::parse(req.body, "security_group_rule",
                                   {"security_group_id", "direction", "ethertype", "protocol", "port_range_min",
                                    "port_range_max", "remote_ip_prefix", "remote_group_id", "description",
                                    "project_id", "tenant_id", "remote_address_group_id"});
  if (auto* refused = std::get_if<ApiResponse>(&parsed)) return *refused;
  auto& body = std::get<RequestBody>(parsed);
  db::SecurityGroupRuleRecord rule;
  auto group_id = body.string("security_group_id");
  if (!body.has("security_group_id")) return bad_request("Failed to parse request. Required attribute 'security_group_id' not specified");
  if (!body.has("direction")) return bad_request("Failed to parse request. Required attribute 'direction' not specified");
  rule.direction = body.string("direction").value_or("");
  rule.ethertype = body.string("ethertype").value_or("IPv4");
  if (body.has("protocol") && !body.is_null("protocol")) {
    const json& p = body.raw("protocol");
    rule.protocol = p.is_string() ? p.get<std::string>() : p.dump();
  }
  if (auto bad = read_port(body, "port_range_min", rule.port_range_min)) return *bad;
  if (auto bad = read_port(body, "port_range_max", rule.port_range_max)) return *bad;
  if (!body.is_null("remote_ip_prefix")) rule.remote_ip_prefix = body.string("remote_ip_prefix");
  if (!body.is_null("remote_group_id")) rule.remote_group_id = body.string("remote_group_id");
  if (!body.is_null("description")) rule.description = body.string("description").value_or("");
  if (body.error()) return *body.error();
  auto project = owning_project(body, req.auth);
  if (auto* refused = std::get_if<ApiResponse>(&project)) return *refused;
  rule.project_id = std::get<std::string>(project);
  rule.security_group_id = group_id.value_or("");
  auto group = visible_group(db, req, rule.security_group_id);
  if (group.status().is(sdk::StatusCode::kNotFound)) return group_not_found(rule.security_group_id);
  if (!group.ok()) return group.status();
  if (rule.remote_group_id) {
    auto remote = visible_group(db, req, *rule.remote_group_id);
    if (remote.status().is(sdk::StatusCode::kNotFound)) return group_not_found(*rule.remote_group_id);
    if (!remote.ok()) return remote.status();
  }
  if (auto refused = core::network::check_rule(rule)) return neutron_error(refused->status, refused->type, refused->message);
  db::SecurityGroupRepository repo(db);
  if (auto refused = refuse_over_quota(db, rule.project_id, "security_group_rule")) return *refused;
  auto created = repo.add_rule(rule);
  if (created.status().is(sdk::StatusCode::kAlreadyExists)) {
    return neutron_error(409, "SecurityGroupRuleExists",
                         "Security group rule already exists. Rule id is " + created.status().message() + ".");
  }
  if (!created.ok()) return neutron_failure(created.status(), "SecurityGroupRule", rule.uuid);
  if (refresh) refresh->refresh(req.request_id, {rule.security_group_id}, {});
  spdlog::info("{} security group rule {} added to group {}", req.request_id, created->uuid, rule.security_group_id);
  return show_reply(req, "security_group_rule", rule_view(*created), 201);
}

Result<ApiResponse> delete_rule(db::Database& db, core::network::SecurityGroupRefresh* refresh, const ApiRequest& req) {
  const std::string& id = req.path_params[0];
  db::SecurityGroupRepository repo(db);
  auto r = repo.get_rule(id);
  if (r.status().is(sdk::StatusCode::kNotFound) || (r.ok() && !may_see(req.auth, r->project_id))) {
    return rule_not_found(id);
  }
  if (!r.ok()) return r.status();
  auto st = repo.remove_rule(id);
  if (st.is(sdk::StatusCode::kNotFound)) return rule_not_found(id);
  if (!st.ok()) return st;
  if (refresh) refresh->refresh(req.request_id, {r->security_group_id}, {});
  spdlog::info("{} security group rule {} deleted", req.request_id, id);
  return ApiResponse{204, nullptr, {}};
}

}  // namespace

void add_security_group_routes(ApiServer& server, db::Database& db, core::network::SecurityGroupRefresh* refresh) {
  const std::string groups = R"(/network/v2\.0/security-groups)";
  const std::string group = groups + R"(/([^/]+))";
  server.route("GET", groups + "/?", [&db](const ApiRequest& r) { return list_groups(db, r); });
  server.route("POST", groups + "/?", [&db](const ApiRequest& r) { return create_group(db, r); });
  server.route("GET", group, [&db](const ApiRequest& r) { return show_group(db, r); });
  server.route("PUT", group, [&db](const ApiRequest& r) { return update_group(db, r); });
  server.route("DELETE", group, [&db, refresh](const ApiRequest& r) { return delete_group(db, refresh, r); });
  const std::string rules = R"(/network/v2\.0/security-group-rules)";
  const std::string rule = rules + R"(/([^/]+))";
  server.route("GET", rules + "/?", [&db](const ApiRequest& r) { return list_rules(db, r); });
  server.route("POST", rules + "/?", [&db, refresh](const ApiRequest& r) { return create_rule(db, refresh, r); });
  server.route("GET", rule, [&db](const ApiRequest& r) { return show_rule(db, r); });
  server.route("DELETE", rule, [&db, refresh](const ApiRequest& r) { return delete_rule(db, refresh, r); });
}

}  // namespace stratus::core::api::network
