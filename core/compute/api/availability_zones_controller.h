// AvailabilityZonesController: /v2.1/os-availability-zone in Nova's shape.
// A compute service is in the zone the aggregates of its host give it
// (os-aggregates' availability_zone), else Nova's default zone "nova"; the
// other services are in "internal".
#pragma once

#include "core/http/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

// Registers the availability zone routes on `server`; `db` must outlive it.
void add_availability_zone_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
