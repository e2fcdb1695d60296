// AggregatesController: /v2.1/os-aggregates, Nova's host aggregates (admin
// only): list, create, show, update, delete and the add_host, remove_host and
// set_metadata actions, with the uuid from microversion 2.41. The rules on
// availability zones live in db::AggregateRepository.
#pragma once

#include "core/db/database.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

// Registers the os-aggregates routes on `server`; `db` must outlive it.
void add_aggregate_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
