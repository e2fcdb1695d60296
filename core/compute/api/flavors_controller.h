// FlavorsController: /v2.1/flavors, in Nova's shapes up to microversion 2.93:
// list, detail, show (anyone; private flavors only to admins and the projects
// given access); create, delete and the 2.55 description update (admin).
// Extra specs and flavor access have their own controllers, registered here.
#pragma once

#include <string>

#include "core/http/api_server.h"
#include "core/db/database.h"
#include "core/db/flavor_repository.h"

namespace stratus::core::api {

// Registers the flavor routes (and os-extra_specs, os-flavor-access) on
// `server`; `db` must outlive it.
void add_flavor_routes(ApiServer& server, db::Database& db);

// A flavor's detail body at the request's microversion (2.55 description,
// 2.61 extra_specs, 2.75 swap 0 instead of "").
nlohmann::json flavor_detail_view(const ApiRequest& req, const db::FlavorRecord& r);

// The flavor `id` as the caller may see it: kNotFound with Nova's message when
// it is missing, or private and the caller neither admin nor given access.
sdk::Result<db::FlavorRecord> find_visible_flavor(db::Database& db, const ApiRequest& req, const std::string& id);

}  // namespace stratus::core::api
