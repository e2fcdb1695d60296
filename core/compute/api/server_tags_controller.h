// ServerTagsController: /v2.1/servers/{id}/tags from microversion 2.26
// (Nova's server_tags.py); 404 below it, as for an unknown route.
//   GET    /servers/{id}/tags          200 {"tags": [...]}
//   PUT    /servers/{id}/tags          200 {"tags": [...]}  replaces all (at most 50)
//   DELETE /servers/{id}/tags          204
//   GET    /servers/{id}/tags/{tag}    204, or 404 "Server <id> has no tag '<tag>'"
//   PUT    /servers/{id}/tags/{tag}    201 + Location when added, 204 when present
//   DELETE /servers/{id}/tags/{tag}    204, or 404
// A tag: 1..60 characters, no '/' or ','. Changes need the server ACTIVE,
// PAUSED, SUSPENDED or STOPPED (409 otherwise), as Nova's.
#pragma once

#include "core/http/api_server.h"
#include "core/compute/api/compute_api.h"
#include "core/db/database.h"

namespace stratus::core::api {

void add_server_tag_routes(ApiServer& server, compute::ComputeAPI& compute, db::Database& db);

}  // namespace stratus::core::api
