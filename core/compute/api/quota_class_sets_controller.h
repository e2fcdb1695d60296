// QuotaClassSetsController: /v2.1/os-quota-class-sets/{class} (admin), Nova's
// quota classes; the "default" class is the limits every project starts from.
//   GET /os-quota-class-sets/{class}   {"quota_class_set": {"id": class, ...}}
//   PUT /os-quota-class-sets/{class}   {"quota_class_set": {"instances": 20, ...}}
// Before 2.50 the view has the nova-network resources and not server_groups /
// server_group_members; from 2.50 the reverse; from 2.57 no injected files.
#pragma once

#include "core/http/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers the quota class routes on `server`; `db` must outlive it.
void add_quota_class_set_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
