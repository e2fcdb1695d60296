// ServicesController: /v2.1/os-services in Nova's shapes at microversion 2.1
// (admin only, as Nova's default policy has it):
//   GET /os-services[?host=][&binary=]    id, binary, host, zone, status, state,
//                                         updated_at, disabled_reason
//   PUT /os-services/disable              {"host": h, "binary": b}
//   PUT /os-services/disable-log-reason   {"host": h, "binary": b, "disabled_reason": r}
//   PUT /os-services/enable               {"host": h, "binary": b}
// A write answers {"service": {"host", "binary", "status"[, "disabled_reason"]}}.
// Binaries show as Nova names them (nova-compute, nova-scheduler,
// nova-conductor) and may be given by that name or by ours (stratus-compute
// ...), in ?binary= and in bodies (service_binary_name.h).
// As in Nova, only compute services can be enabled or disabled (400 for any
// other binary), an unknown host/binary is 404, and enabling or plainly
// disabling clears the reason. 2.11: forced_down in views and
// PUT /os-services/force-down; 2.53: uuid ids, PUT /os-services/{uuid}
// (status, disabled_reason, forced_down); DELETE /os-services/{id} (204; 409
// for a compute service whose host has instances).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/http/api_server.h"
#include "core/db/database.h"

namespace stratus::core::api {

struct ServicesOptions {
  // Nova's service_down_time: a service whose last heartbeat is older is "down".
  std::chrono::seconds service_down_time{60};
  // Called after a successful enable/disable has been written, with the new
  // state (so the scheduler can stop or resume placing on the host at once).
  // May be empty. Runs on the API's request thread; must be thread-safe and
  // should not block. An exception from it becomes a 500 for the request,
  // although the database change stays.
  std::function<void(const std::string& host, const std::string& binary, bool disabled)> on_disabled_change;
};

// Registers the service routes on `server`; `db` must outlive it.
void add_service_routes(ApiServer& server, db::Database& db, ServicesOptions options = {});

}  // namespace stratus::core::api
