#include "core/http/policy.h"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

namespace stratus::core::api {

namespace {

using R = PolicyRequirement;

// The defaults Nova (2023.x, "secure RBAC") ships for the calls Stratus serves.
const std::map<std::string, PolicyRequirement, std::less<>>& rule_table() {
  static const std::map<std::string, PolicyRequirement, std::less<>> table = {
      // servers
      {"os_compute_api:servers:create", R::kMember},
      {"os_compute_api:servers:create:forced_host", R::kAdmin},
      // ports, volumes and crash dumps of a server (issue #20)
      {"os_compute_api:os-attach-interfaces:list", R::kReader},
      {"os_compute_api:os-attach-interfaces:show", R::kReader},
      {"os_compute_api:os-attach-interfaces:create", R::kMember},
      {"os_compute_api:os-attach-interfaces:delete", R::kMember},
      {"os_compute_api:os-multinic:add", R::kMember},
      {"os_compute_api:os-multinic:remove", R::kMember},
      {"os_compute_api:os-volumes-attachments:index", R::kReader},
      {"os_compute_api:os-volumes-attachments:show", R::kReader},
      {"os_compute_api:os-volumes-attachments:create", R::kMember},
      {"os_compute_api:os-volumes-attachments:update", R::kMember},
      {"os_compute_api:os-volumes-attachments:delete", R::kMember},
      {"os_compute_api:servers:trigger_crash_dump", R::kMember},
      {"os_compute_api:os-remote-consoles", R::kMember},
      {"os_compute_api:servers:index:get_all_tenants", R::kAdmin},
      {"os_compute_api:servers:detail:get_all_tenants", R::kAdmin},
      {"os_compute_api:servers:index:deleted", R::kAdmin},
      {"os_compute_api:servers:show:host_status", R::kAdmin},
      {"os_compute_api:os-extended-server-attributes", R::kAdmin},
      // servers, microversions 2.2-2.93 (mv-servers)
      {"compute:servers:create:requested_destination", R::kAdmin},
      {"os_compute_api:os-admin-actions:reset_state", R::kAdmin},
      {"os_compute_api:os-lock-server:unlock:unlock_override", R::kAdmin},
      {"os_compute_api:os-migrate-server:migrate", R::kAdmin},
      {"os_compute_api:os-migrate-server:migrate_live", R::kAdmin},
      {"os_compute_api:os-evacuate", R::kAdmin},
      // snapshots and shelve (Nova's defaults)
      {"os_compute_api:servers:create_image", R::kAdminOrOwner},
      {"os_compute_api:os-create-backup", R::kAdminOrOwner},
      {"os_compute_api:os-shelve:shelve", R::kAdminOrOwner},
      {"os_compute_api:os-shelve:shelve_offload", R::kAdmin},
      {"os_compute_api:os-shelve:unshelve", R::kAdminOrOwner},
      {"os_compute_api:os-shelve:unshelve_to_host", R::kAdmin},
      // rescue (Nova's defaults)
      {"os_compute_api:os-rescue", R::kAdminOrOwner},
      {"os_compute_api:os-unrescue", R::kAdminOrOwner},
      // flavors
      {"os_compute_api:os-flavor-manage:create", R::kAdmin},
      {"os_compute_api:os-flavor-manage:delete", R::kAdmin},
      {"os_compute_api:os-flavor-extra-specs:create", R::kAdmin},
      {"os_compute_api:os-flavor-manage:update", R::kAdmin},
      {"os_compute_api:os-flavor-extra-specs:update", R::kAdmin},
      {"os_compute_api:os-flavor-extra-specs:delete", R::kAdmin},
      {"os_compute_api:os-flavor-access", R::kAdmin},
      {"os_compute_api:os-flavor-access:add_tenant_access", R::kAdmin},
      {"os_compute_api:os-flavor-access:remove_tenant_access", R::kAdmin},
      {"os_compute_api:os-hypervisors:uptime", R::kAdmin},
      {"os_compute_api:os-services:delete", R::kAdmin},
      {"os_compute_api:os-quota-class-sets:show", R::kAdmin},
      {"os_compute_api:os-quota-class-sets:update", R::kAdmin},
      {"os_compute_api:os-migrations:index", R::kAdmin},
      {"os_compute_api:servers:migrations:index", R::kAdmin},
      {"os_compute_api:servers:migrations:show", R::kAdmin},
      // key pairs of another user (?user_id=, 2.10); one's own is scoping
      {"os_compute_api:os-keypairs:index", R::kAdmin},
      {"os_compute_api:os-keypairs:show", R::kAdmin},
      {"os_compute_api:os-keypairs:create", R::kAdmin},
      {"os_compute_api:os-keypairs:delete", R::kAdmin},
      // admin views of the cloud
      {"os_compute_api:os-hypervisors:list", R::kAdmin},
      {"os_compute_api:os-hypervisors:list-detail", R::kAdmin},
      {"os_compute_api:os-hypervisors:show", R::kAdmin},
      {"os_compute_api:os-hypervisors:statistics", R::kAdmin},
      {"os_compute_api:os-hypervisors:search", R::kAdmin},
      {"os_compute_api:os-hypervisors:servers", R::kAdmin},
      {"os_compute_api:os-services:list", R::kAdmin},
      {"os_compute_api:os-services:update", R::kAdmin},
      {"os_compute_api:os-availability-zone:detail", R::kAdmin},
      {"os_compute_api:os-aggregates:index", R::kAdmin},
      {"os_compute_api:os-aggregates:create", R::kAdmin},
      {"os_compute_api:os-aggregates:show", R::kAdmin},
      {"os_compute_api:os-aggregates:update", R::kAdmin},
      {"os_compute_api:os-aggregates:delete", R::kAdmin},
      {"os_compute_api:os-aggregates:add_host", R::kAdmin},
      {"os_compute_api:os-aggregates:remove_host", R::kAdmin},
      {"os_compute_api:os-aggregates:set_metadata", R::kAdmin},
      {"os_compute_api:os-hosts:list", R::kAdmin},
      {"os_compute_api:os-hosts:show", R::kAdmin},
      {"os_compute_api:os-hosts:update", R::kAdmin},
      {"os_compute_api:os-hosts:start", R::kAdmin},
      {"os_compute_api:os-hosts:shutdown", R::kAdmin},
      {"os_compute_api:os-hosts:reboot", R::kAdmin},
      {"os_compute_api:os-simple-tenant-usage:list", R::kAdmin},
      {"os_compute_api:os-simple-tenant-usage:show", R::kAdminOrOwner},
      {"os_compute_api:os-instance-usage-audit-log:list", R::kAdmin},
      {"os_compute_api:os-instance-usage-audit-log:show", R::kAdmin},
      {"os_compute_api:os-server-external-events:create", R::kAdmin},
      {"os_compute_api:os-networks:list", R::kReader},
      {"os_compute_api:os-networks:view", R::kReader},
      {"os_compute_api:os-tenant-networks:list", R::kReader},
      {"os_compute_api:os-tenant-networks:show", R::kReader},
      {"os_compute_api:extensions", R::kReader},
      {"os_compute_api:os-virtual-interfaces:list", R::kAdminOrOwner},
      {"os_compute_api:os-instance-actions:events:details", R::kAdmin},
      {"os_compute_api:os-server-diagnostics", R::kAdmin},
      {"os_compute_api:os-server-password:show", R::kReader},
      {"os_compute_api:os-server-password:clear", R::kMember},
      // quotas
      {"os_compute_api:os-quota-sets:show", R::kAdminOrOwner},
      {"os_compute_api:os-quota-sets:detail", R::kAdminOrOwner},
      {"os_compute_api:os-quota-sets:update", R::kAdmin},
      {"os_compute_api:os-quota-sets:delete", R::kAdmin},
      {"os_compute_api:limits:other_project", R::kAdmin},
      {"os_compute_api:os-server-groups:index:all_projects", R::kAdmin},
      // network (Neutron's names); seeing and changing one's own is scoping (network_policy.h)
      {"create_network:shared", R::kAdmin},
      {"create_network:router:external", R::kAdmin},
      {"get_port:binding:host_id", R::kAdmin},
      // any call that changes something: readers only look
      {"stratus:write", R::kMember},
  };
  return table;
}

}  // namespace

bool has_role(const AuthContext& auth, std::string_view role) {
  auto holds = [&](std::string_view r) { return std::find(auth.roles.begin(), auth.roles.end(), r) != auth.roles.end(); };
  if (auth.is_admin || holds("admin")) return true;
  if (role == "admin") return false;
  if (holds("member")) return true;
  if (role == "member") return false;
  return role == "reader" && holds("reader");
}

std::optional<PolicyRequirement> policy_requirement(std::string_view rule) {
  const auto& table = rule_table();
  auto it = table.find(rule);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

bool policy_allows(const AuthContext& auth, std::string_view rule, std::string_view target_project) {
  auto requirement = policy_requirement(rule);
  if (!requirement) {
    spdlog::error("policy: rule '{}' is not in the policy table; refusing", rule);
    return false;
  }
  switch (*requirement) {
    case R::kAdmin:
      return has_role(auth, "admin");
    case R::kMember:
      return has_role(auth, "member");
    case R::kReader:
      return has_role(auth, "reader");
    case R::kAdminOrOwner:
      return has_role(auth, "admin") || (has_role(auth, "reader") && auth.project_id == target_project);
  }
  return false;
}

std::optional<ApiResponse> policy_check(const ApiRequest& req, std::string_view rule,
                                        std::string_view target_project) {
  if (policy_allows(req.auth, rule, target_project)) return std::nullopt;
  spdlog::info("{} policy refused {} to user {} in project {}", req.request_id, rule, req.auth.user_id,
               req.auth.project_id);
  return policy_denied(std::string(rule));
}

std::vector<std::pair<std::string, PolicyRequirement>> policy_rules() {
  const auto& table = rule_table();
  return {table.begin(), table.end()};
}

}  // namespace stratus::core::api
