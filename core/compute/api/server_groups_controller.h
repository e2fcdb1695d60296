// ServerGroupsController: /v2.1/os-server-groups in Nova's shapes at
// microversion 2.1:
//   GET    /os-server-groups[?all_projects][&limit=][&offset=]
//   POST   /os-server-groups      {"server_group": {"name": n, "policies": [p]}}
//   GET    /os-server-groups/{id}
//   DELETE /os-server-groups/{id}
// A group shows as {"id", "name", "policies": [p], "members": [uuid...],
// "metadata": {}}. Groups belong to the caller's project: another project's
// group is 404 to a non-admin; ?all_projects lists every project's to an
// admin (and is ignored for anyone else, as in Nova). Creating counts against
// the project's server_groups quota (403 "Quota exceeded, too many server
// groups.").
//
// Nova 2.1 takes exactly one policy, "affinity" or "anti-affinity", and adds
// the soft ones at 2.15; we advertise 2.1 only, so all four are taken here,
// since the scheduler implements them all.
#pragma once

#include "core/http/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers the server group routes on `server`; `db` must outlive it.
void add_server_group_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
