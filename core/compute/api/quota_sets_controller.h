// QuotaSetsController: /v2.1/os-quota-sets in Nova's shapes (network quotas
// gone from 2.36, injected file ones from 2.57); also registers
// os-quota-class-sets (quota_class_sets_controller.h):
//   GET    /os-quota-sets/{project_id}            {"quota_set": {"id": project, "<resource>": limit, ...}}
//   GET    /os-quota-sets/{project_id}/defaults   the defaults, same shape
//   GET    /os-quota-sets/{project_id}/detail     each resource as {"in_use", "limit", "reserved": 0}
//   PUT    /os-quota-sets/{project_id}            (admin) {"quota_set": {"instances": 20, ...}}
//   DELETE /os-quota-sets/{project_id}            (admin) back to the defaults; 202
//
// The limits are QuotaRepository's (instances, cores, ram, key_pairs,
// metadata_items, server_groups, server_group_members, injected_files,
// injected_file_content_bytes, injected_file_path_bytes). Nova 2.1 also shows
// the nova-network era fixed_ips, floating_ips, security_groups and
// security_group_rules; they are shown as Nova now does, -1 (unlimited), and
// cannot be set: a PUT naming them, or any unknown key, is a 400 naming the
// key, and changes nothing. -1 is unlimited. A PUT below what the project
// uses now (instances, cores, ram, server_groups) is a 400 unless "force" is
// true, as in Nova. A non-admin may read only their own project's quotas and
// anyone the defaults.
//
// Per-user quotas, as Nova's: ?user_id=U on GET, GET .../detail, PUT and
// DELETE is about user U's limits in the project (project_user_quotas): a
// resource without a limit of the user's own shows the project's; detail
// counts the user's instances, cores, ram and server groups; a PUT (admin)
// may not set a user's limit below what the user uses, nor above what the
// project has not handed out to its other users (quota_settable.h), unless
// "force"; DELETE drops the user's own limits. A project's limit may not go
// below the sum of its users' own limits (unless "force"), and the project's
// DELETE drops its users' limits too. Server create counts a user with
// limits of their own against them (QuotaRepository).
#pragma once

#include "core/http/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers the quota set routes on `server`; `db` must outlive it.
void add_quota_set_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
