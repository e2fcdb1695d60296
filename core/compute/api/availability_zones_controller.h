// AvailabilityZonesController: /v2.1/os-availability-zone in Nova's shape at
// microversion 2.1. Services carry no zone of their own yet, so every compute
// service is in Nova's default zone "nova" and the others in "internal".
#pragma once

#include "core/http/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers the availability zone routes on `server`; `db` must outlive it.
void add_availability_zone_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
