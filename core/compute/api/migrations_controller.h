// MigrationsController: Nova's os-migrations and server-migrations. Stratus
// does not move instances between hosts (no resize, cold or live migration),
// so no migration record ever exists; these answer what Nova answers then:
//   GET /os-migrations                      (admin) {"migrations": []}; the
//        query is checked as Nova checks it (2.59 limit/marker: any marker is
//        unknown, 400)
//   GET /servers/{id}/migrations            (admin, 2.23+) {"migrations": []}
//   GET /servers/{id}/migrations/{mig_id}   (admin, 2.23+) 404
#pragma once

#include "core/compute/api/compute_api.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

// Registers the migration routes on `server`; `compute` must outlive it.
void add_migration_routes(ApiServer& server, compute::ComputeAPI& compute);

}  // namespace stratus::core::api
