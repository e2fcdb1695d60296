// GET /v2.1/servers/{id}/diagnostics (Nova's os-server-diagnostics): what the
// guest's hypervisor reports, for admins only (403 otherwise). 409 while the
// server is being deleted or has no host yet, 501 when its host's driver
// cannot tell (a plugin built before ABI 4, or a driver without
// get_diagnostics).
//
// From 2.48 the body is Nova's standard diagnostics, every field present and
// null when unknown; before 2.48 it is the legacy free-form dictionary of
// Nova's libvirt driver (cpu0_time, memory, vda_read, ...), only the values
// known.
#pragma once

#include <nlohmann/json.hpp>

#include "core/compute/api/compute_api.h"
#include "core/http/api_server.h"
#include "stratus/sdk/diagnostics.h"

namespace stratus::core::api {

// The first microversion with the standard body.
inline constexpr Microversion kStandardDiagnosticsMicroversion{2, 48};

// The body for `version` (pure; for tests).
nlohmann::json diagnostics_view(const sdk::Diagnostics& d, Microversion version);

void add_server_diagnostics_routes(ApiServer& server, compute::ComputeAPI& compute);

}  // namespace stratus::core::api
