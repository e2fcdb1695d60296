// os-security-groups, os-security-group-rules, /servers/{id}/os-security-groups
// and the addSecurityGroup / removeSecurityGroup actions (network_proxies.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/common/ids.h"
#include "core/compute/api/compute_request.h"
#include "core/compute/api/network_proxies.h"
#include "core/db/port_repository.h"
#include "core/db/security_group_repository.h"
#include "core/http/api_error.h"
#include "core/network/security_group_rule_check.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

constexpr Microversion kProxiesGone{2, 36};

ApiResponse nova_error(int status, const std::string& message) {
  return ApiResponse{status, nova_error_body(status, message), {}};
}

ApiResponse gone() { return nova_error(404, "The resource could not be found."); }

// Nova's validate_property: a string, 1..255 once stripped.
std::optional<ApiResponse> check_property(const json& value, const std::string& property) {
  if (!value.is_string()) return nova_error(400, "Security group " + property + " is not a string or unicode");
  std::string v = value.get<std::string>();
  const auto first = v.find_first_not_of(" \t\r\n");
  v = first == std::string::npos ? "" : v.substr(first, v.find_last_not_of(" \t\r\n") - first + 1);
  if (v.empty()) return nova_error(400, property + " has a minimum character requirement of 1.");
  if (v.size() > 255) return nova_error(400, property + " has more than 255 characters.");
  return std::nullopt;
}

// Nova's rule view from a Neutron rule; `groups` names remote groups.
json rule_view(const db::SecurityGroupRuleRecord& r, const std::map<std::string, db::SecurityGroupRecord>& groups) {
  json from = nullptr;
  json to = nullptr;
  if (r.protocol && !r.port_range_min && !r.port_range_max) {
    const bool all_ports = *r.protocol == "tcp" || *r.protocol == "udp";
    from = all_ports ? 1 : -1;
    to = all_ports ? 65535 : -1;
  } else {
    if (r.port_range_min) from = *r.port_range_min;
    if (r.port_range_max) to = *r.port_range_max;
  }
  json view = {{"id", r.uuid},
               {"parent_group_id", r.security_group_id},
               {"ip_protocol", r.protocol ? json(*r.protocol) : json(nullptr)},
               {"from_port", from},
               {"to_port", to},
               {"group", json::object()},
               {"ip_range", json::object()}};
  if (r.remote_group_id) {
    auto g = groups.find(*r.remote_group_id);
    if (g != groups.end()) view["group"] = {{"name", g->second.name}, {"tenant_id", g->second.project_id}};
  } else {
    view["ip_range"] = {{"cidr", r.remote_ip_prefix.value_or(r.ethertype == "IPv6" ? "::/0" : "0.0.0.0/0")}};
  }
  return view;
}

// Nova's group view: ingress rules only, as Nova converts Neutron's groups.
json group_view(const db::SecurityGroupRecord& g, const std::map<std::string, db::SecurityGroupRecord>& groups) {
  json rules = json::array();
  for (const auto& r : g.rules) {
    if (r.direction == "ingress") rules.push_back(rule_view(r, groups));
  }
  return {{"id", g.uuid}, {"name", g.name}, {"description", g.description}, {"tenant_id", g.project_id},
          {"rules", std::move(rules)}};
}

// Every group, by uuid, for naming the remote groups of rules.
Result<std::map<std::string, db::SecurityGroupRecord>> all_groups(db::Database& db) {
  auto list = db::SecurityGroupRepository(db).list();
  if (!list.ok()) return list.status();
  std::map<std::string, db::SecurityGroupRecord> out;
  for (auto& g : *list) out.emplace(g.uuid, std::move(g));
  return out;
}

// The group if the caller may see it; Nova's 400 for an id that is not a
// uuid (validate_id), 404 otherwise.
Result<db::SecurityGroupRecord> visible_group(db::Database& db, const ApiRequest& req, const std::string& id) {
  if (!common::is_uuid(id)) return Status::InvalidArgument("Security group id should be uuid");
  auto g = db::SecurityGroupRepository(db).get(id);
  if (!g.ok()) {
    if (g.status().is(sdk::StatusCode::kNotFound)) return Status::NotFound("Security group " + id + " not found.");
    return g.status();
  }
  if (!req.auth.is_admin && g->project_id != req.auth.project_id) {
    return Status::NotFound("Security group " + id + " not found.");
  }
  return g;
}

Result<ApiResponse> list_groups(db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  db::SecurityGroupRepository repo(db);
  // Neutron makes the caller's default group the first time groups are listed.
  if (auto d = repo.ensure_default(req.auth.project_id); !d.ok()) return d.status();
  const bool all = req.auth.is_admin && req.query_param("all_tenants").has_value();
  auto groups = all_groups(db);
  if (!groups.ok()) return groups.status();
  json out = json::array();
  for (const auto& [id, g] : *groups) {
    (void)id;
    if (all || g.project_id == req.auth.project_id) out.push_back(group_view(g, *groups));
  }
  // Oldest first, as Neutron lists them (the map is by uuid).
  std::vector<std::pair<std::string, json>> sorted;
  for (auto& v : out) sorted.emplace_back(groups->at(v["id"].get<std::string>()).created_at, std::move(v));
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json list = json::array();
  for (auto& [created, v] : sorted) list.push_back(std::move(v));
  return ApiResponse{200, {{"security_groups", std::move(list)}}, {}};
}

Result<ApiResponse> show_group(db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  auto g = visible_group(db, req, req.path_params[0]);
  if (!g.ok()) return g.status();
  auto groups = all_groups(db);
  if (!groups.ok()) return groups.status();
  return ApiResponse{200, {{"security_group", group_view(*g, *groups)}}, {}};
}

std::optional<ApiResponse> check_group_body(const ApiRequest& req) {
  if (!req.body.is_object() || !req.body.contains("security_group") || !req.body["security_group"].is_object()) {
    return nova_error(400, "The request body is invalid: security_group is missing");
  }
  const json& sg = req.body["security_group"];
  if (auto bad = check_property(sg.contains("name") ? sg["name"] : json(nullptr), "name")) return bad;
  if (auto bad = check_property(sg.contains("description") ? sg["description"] : json(nullptr), "description")) {
    return bad;
  }
  return std::nullopt;
}

Result<ApiResponse> create_group(db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  if (auto bad = check_group_body(req)) return *bad;
  const json& sg = req.body["security_group"];
  db::SecurityGroupRepository repo(db);
  if (auto d = repo.ensure_default(req.auth.project_id); !d.ok()) return d.status();
  if (sg["name"].get<std::string>() == "default") {
    return nova_error(400, "Default security group already exists.");
  }
  auto used = repo.count(req.auth.project_id);
  if (!used.ok()) return used.status();
  if (*used >= network::kSecurityGroupQuota) return nova_error(403, "Quota exceeded, too many security groups.");
  db::SecurityGroupRecord rec;
  rec.project_id = req.auth.project_id;
  rec.name = sg["name"].get<std::string>();
  rec.description = sg["description"].get<std::string>();
  auto created = repo.create(rec);
  if (!created.ok()) return created.status();
  spdlog::info("{} security group {} '{}' created for project {}", req.request_id, created->uuid, created->name,
               created->project_id);
  auto groups = all_groups(db);
  if (!groups.ok()) return groups.status();
  return ApiResponse{200, {{"security_group", group_view(*created, *groups)}}, {}};
}

Result<ApiResponse> update_group(db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  auto g = visible_group(db, req, req.path_params[0]);
  if (!g.ok()) return g.status();
  if (auto bad = check_group_body(req)) return *bad;
  const json& sg = req.body["security_group"];
  if (g->is_default) return nova_error(400, "Updating default security group not allowed.");
  auto updated = db::SecurityGroupRepository(db).update(g->uuid, sg["name"].get<std::string>(),
                                                         sg["description"].get<std::string>());
  if (!updated.ok()) return updated.status();
  auto groups = all_groups(db);
  if (!groups.ok()) return groups.status();
  return ApiResponse{200, {{"security_group", group_view(*updated, *groups)}}, {}};
}

Result<ApiResponse> delete_group(compute::ComputeAPI& compute, db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  auto g = visible_group(db, req, req.path_params[0]);
  if (!g.ok()) return g.status();
  if (g->is_default) return nova_error(400, "Removing default security group not allowed.");
  // The rules naming it as remote go with it: read who depends on it first.
  auto dependents = db::SecurityGroupRepository(db).instances_depending_on({g->uuid});
  if (!dependents.ok()) return dependents.status();
  auto st = db::SecurityGroupRepository(db).remove(g->uuid);
  if (st.is(sdk::StatusCode::kInvalidState)) return nova_error(400, st.message());
  if (!st.ok()) return st;
  compute.security_group_refresh().refresh(req.request_id, {}, *dependents);
  spdlog::info("{} security group {} deleted", req.request_id, g->uuid);
  return ApiResponse{202, nullptr, {}};
}

// Nova's _new_ingress_rule: from the compute body to a Neutron rule.
Result<db::SecurityGroupRuleRecord> nova_rule(const json& in) {
  db::SecurityGroupRuleRecord rule;
  rule.direction = "ingress";
  auto text = [&](const char* key) -> std::optional<std::string> {
    if (!in.contains(key) || in[key].is_null()) return std::nullopt;
    return in[key].is_string() ? in[key].get<std::string>() : in[key].dump();
  };
  std::optional<std::string> protocol = text("ip_protocol");
  std::optional<std::string> from = text("from_port");
  std::optional<std::string> to = text("to_port");
  std::optional<std::string> cidr = text("cidr");
  std::optional<std::string> group = text("group_id");
  std::string upper = protocol.value_or("");
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (group) {
    if (!common::is_uuid(*group)) return Status::InvalidArgument("Security group id should be uuid");
    rule.remote_group_id = *group;
    if (!from && !to) {
      if (upper == "ICMP") from = to = "-1";
      if (upper == "TCP" || upper == "UDP") {
        from = "1";
        to = "65535";
      }
    }
  } else {
    if (cidr) {
      auto normal = network::normalize_prefix(*cidr);
      if (!normal) return Status::InvalidArgument(*cidr + " is not a valid IP network.");
      cidr = *normal;
    } else {
      cidr = "0.0.0.0/0";
    }
    rule.remote_ip_prefix = *cidr;
    rule.ethertype = cidr->find(':') != std::string::npos ? "IPv6" : "IPv4";
  }
  if (protocol && from && to) {
    long long f = 0;
    long long t = 0;
    try {
      std::size_t used_f = 0;
      std::size_t used_t = 0;
      f = std::stoll(*from, &used_f);
      t = std::stoll(*to, &used_t);
      if (used_f != from->size() || used_t != to->size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      if (upper == "ICMP") return Status::InvalidArgument("Invalid input received: Type and Code must be integers for ICMP protocol type");
      return Status::InvalidArgument("Invalid input received: To and From ports must be integers");
    }
    if (upper != "TCP" && upper != "UDP" && upper != "ICMP") {
      return Status::InvalidArgument("Invalid IP protocol " + *protocol + ".");
    }
    const std::string range = "Invalid port range " + *from + ":" + *to + ". ";
    if (upper != "ICMP" && f > t) return Status::InvalidArgument(range + "Former value cannot be greater than the later");
    if (upper != "ICMP" && (f < 1 || t > 65535)) {
      return Status::InvalidArgument(range + "Valid " + upper + " ports should be between 1-65535");
    }
    if (upper == "ICMP" && (f < -1 || f > 255 || t < -1 || t > 255)) {
      return Status::InvalidArgument(range + "For ICMP, the type:code must be valid");
    }
    std::string lower = upper;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    rule.protocol = lower;
    if (f != -1) rule.port_range_min = f;
    if (t != -1) rule.port_range_max = t;
  } else if (!group) {
    return Status::InvalidArgument("Not enough parameters to build a valid rule.");
  }
  if (rule.remote_ip_prefix) {
    const auto& p = *rule.remote_ip_prefix;
    const auto slash = p.find('/');
    const std::string net = p.substr(0, slash);
    if (net != "0.0.0.0" && net != "::" && p.substr(slash + 1) == "0") {
      return Status::InvalidArgument("Bad prefix for network in cidr " + p);
    }
  }
  return rule;
}

Result<ApiResponse> create_rule(compute::ComputeAPI& compute, db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  if (!req.body.is_object() || !req.body.contains("security_group_rule") ||
      !req.body["security_group_rule"].is_object()) {
    return nova_error(400, "The request body is invalid: security_group_rule is missing");
  }
  const json& in = req.body["security_group_rule"];
  const std::string parent = in.contains("parent_group_id") && in["parent_group_id"].is_string()
                                 ? in["parent_group_id"].get<std::string>()
                                 : (in.contains("parent_group_id") ? in["parent_group_id"].dump() : std::string());
  auto group = visible_group(db, req, parent);
  if (!group.ok()) return group.status();
  auto rule = nova_rule(in);
  if (!rule.ok()) return rule.status();
  if (rule->remote_group_id) {
    auto remote = visible_group(db, req, *rule->remote_group_id);
    if (!remote.ok()) return remote.status();
  }
  rule->security_group_id = group->uuid;
  rule->project_id = group->project_id;
  if (auto refused = network::check_rule(*rule)) return nova_error(400, refused->message);
  auto used = db::SecurityGroupRepository(db).count_rules(rule->project_id);
  if (!used.ok()) return used.status();
  if (*used >= network::kSecurityGroupRuleQuota) {
    return nova_error(403, "Quota exceeded, too many security group rules.");
  }
  auto created = db::SecurityGroupRepository(db).add_rule(*rule);
  if (created.status().is(sdk::StatusCode::kAlreadyExists)) {
    return nova_error(400, "Security group rule already exists. Group id is " + created.status().message() + ".");
  }
  if (!created.ok()) return created.status();
  compute.security_group_refresh().refresh(req.request_id, {group->uuid}, {});
  spdlog::info("{} security group rule {} added to group {}", req.request_id, created->uuid, group->uuid);
  auto groups = all_groups(db);
  if (!groups.ok()) return groups.status();
  return ApiResponse{200, {{"security_group_rule", rule_view(*created, *groups)}}, {}};
}

Result<ApiResponse> delete_rule(compute::ComputeAPI& compute, db::Database& db, const ApiRequest& req) {
  if (req.microversion >= kProxiesGone) return gone();
  const std::string& id = req.path_params[0];
  if (!common::is_uuid(id)) return Status::InvalidArgument("Security group id should be uuid");
  db::SecurityGroupRepository repo(db);
  auto rule = repo.get_rule(id);
  if (!rule.ok() || (!req.auth.is_admin && rule->project_id != req.auth.project_id)) {
    if (rule.ok() || rule.status().is(sdk::StatusCode::kNotFound)) {
      return Status::NotFound("Security group rule " + id + " not found.");
    }
    return rule.status();
  }
  auto st = repo.remove_rule(id);
  if (!st.ok()) return st;
  compute.security_group_refresh().refresh(req.request_id, {rule->security_group_id}, {});
  spdlog::info("{} security group rule {} deleted", req.request_id, id);
  return ApiResponse{202, nullptr, {}};
}

Result<ApiResponse> server_groups(compute::ComputeAPI& compute, db::Database& db, const ApiRequest& req) {
  auto instance = compute.get(compute_context(req), req.path_params[0]);
  if (!instance.ok()) return instance.status();
  auto ports = db::PortRepository(db).list_by_device(instance->uuid);
  if (!ports.ok()) return ports.status();
  std::vector<std::string> port_ids;
  for (const auto& p : *ports) port_ids.push_back(p.uuid);
  auto membership = db::SecurityGroupRepository(db).groups_of_ports(port_ids);
  if (!membership.ok()) return membership.status();
  auto groups = all_groups(db);
  if (!groups.ok()) return groups.status();
  json out = json::array();
  std::set<std::string> seen;
  for (const auto& port : port_ids) {
    auto in = membership->find(port);
    if (in == membership->end()) continue;
    for (const auto& g : in->second) {
      auto found = groups->find(g);
      if (found != groups->end() && seen.insert(g).second) out.push_back(group_view(found->second, *groups));
    }
  }
  return ApiResponse{200, {{"security_groups", std::move(out)}}, {}};
}

// addSecurityGroup / removeSecurityGroup: {"<action>": {"name": ...}}.
Result<ApiResponse> change_server_group(compute::ComputeAPI& compute, db::Database& db, const ApiRequest& req,
                                        const std::string& server_id, bool add) {
  const char* action = add ? "addSecurityGroup" : "removeSecurityGroup";
  const json& body = req.body[action];
  if (!body.is_object()) return nova_error(400, "Missing parameter dict");
  if (!body.contains("name")) return nova_error(400, "Security group not specified");
  const json& name_value = body["name"];
  std::string name = name_value.is_string() ? name_value.get<std::string>() : std::string();
  if (name.find_first_not_of(" \t\r\n") == std::string::npos) {
    return nova_error(400, "Security group name cannot be empty");
  }
  auto instance = compute.get(compute_context(req), server_id);
  if (!instance.ok()) return instance.status();
  db::SecurityGroupRepository repo(db);
  auto groups = repo.list(instance->project_id);
  if (!groups.ok()) return groups.status();
  std::vector<const db::SecurityGroupRecord*> matches;
  for (const auto& g : *groups) {
    if (g.uuid == name) {
      matches = {&g};
      break;
    }
    if (g.name == name) matches.push_back(&g);
  }
  if (matches.empty()) {
    return nova_error(404, "Security group " + name + " is not found for project " + instance->project_id);
  }
  if (matches.size() > 1) {
    return nova_error(409, "Multiple security_group matches found for name '" + name + "', use an ID to be more specific.");
  }
  const std::string group = matches.front()->uuid;
  auto ports = db::PortRepository(db).list_by_device(instance->uuid);
  if (!ports.ok()) return ports.status();
  if (ports->empty()) {
    return nova_error(404, "instance_id " + instance->uuid + " could not be found as device id on any ports");
  }
  std::vector<std::string> port_ids;
  for (const auto& p : *ports) port_ids.push_back(p.uuid);
  auto membership = repo.groups_of_ports(port_ids);
  if (!membership.ok()) return membership.status();
  for (const auto& port : port_ids) {
    std::vector<std::string> now = (*membership)[port];
    const bool member = std::find(now.begin(), now.end(), group) != now.end();
    if (add && member) {
      return nova_error(400, "Security group " + name + " is already associated with the instance " + instance->uuid);
    }
    if (!add && !member) {
      return nova_error(400, "Security group " + name + " not associated with the instance " + instance->uuid);
    }
  }
  for (const auto& port : port_ids) {
    std::vector<std::string> now = (*membership)[port];
    if (add) {
      now.push_back(group);
    } else {
      now.erase(std::remove(now.begin(), now.end(), group), now.end());
    }
    if (auto st = repo.set_port_groups(port, now); !st.ok()) return st;
  }
  // The instance (its ports' groups changed) and those whose rules name
  // `group` as remote (its members changed).
  compute.security_group_refresh().refresh(req.request_id, core::network::SecurityGroupChange{{}, {group}, {instance->uuid}});
  spdlog::info("{} security group {} {} server {}", req.request_id, group, add ? "added to" : "removed from",
               instance->uuid);
  return ApiResponse{202, nullptr, {}};
}

}  // namespace

namespace proxy {

void add_security_group_routes(ApiServer& server, ServerActionTable& actions, compute::ComputeAPI& compute,
                               db::Database& db) {
  const std::string groups = R"(/v2\.1/os-security-groups)";
  const std::string group = groups + R"(/([^/]+))";
  server.route("GET", groups + "/?", [&db](const ApiRequest& r) { return list_groups(db, r); });
  server.route("POST", groups + "/?", [&db](const ApiRequest& r) { return create_group(db, r); });
  server.route("GET", group, [&db](const ApiRequest& r) { return show_group(db, r); });
  server.route("PUT", group, [&db](const ApiRequest& r) { return update_group(db, r); });
  server.route("DELETE", group, [&compute, &db](const ApiRequest& r) { return delete_group(compute, db, r); });
  const std::string rules = R"(/v2\.1/os-security-group-rules)";
  server.route("POST", rules + "/?", [&compute, &db](const ApiRequest& r) { return create_rule(compute, db, r); });
  server.route("DELETE", rules + R"(/([^/]+))",
               [&compute, &db](const ApiRequest& r) { return delete_rule(compute, db, r); });
  server.route("GET", R"(/v2\.1/servers/([^/]+)/os-security-groups)",
               [&compute, &db](const ApiRequest& r) { return server_groups(compute, db, r); });
  actions["addSecurityGroup"] = [&compute, &db](const ApiRequest& r, const std::string& id) {
    return change_server_group(compute, db, r, id, true);
  };
  actions["removeSecurityGroup"] = [&compute, &db](const ApiRequest& r, const std::string& id) {
    return change_server_group(compute, db, r, id, false);
  };
}

}  // namespace proxy

void add_network_proxies(ApiServer& server, ServerActionTable& actions, compute::ComputeAPI& compute,
                         db::Database& db) {
  proxy::add_security_group_routes(server, actions, compute, db);
  proxy::add_floating_ip_routes(server, actions, compute, db);
}

}  // namespace stratus::core::api
