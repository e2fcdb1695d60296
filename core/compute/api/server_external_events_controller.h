// ServerExternalEventsController: POST /v2.1/os-server-external-events, where
// Neutron, Cinder, Cyborg or an operator tell Nova about events on servers
// (admin only). Each event gets its own code: 200 accepted, 404 unknown
// server, 422 server on no host, 400 a tag missing where the event needs one;
// the reply is 200 when all were accepted, else 207. The event names grow
// with the microversion: volume-extended (2.51), power-update (2.76),
// accelerator-request-bound (2.82), volume-reimaged (2.93).
//
// Stratus's compute service waits on no external event (its network service
// plugs ports in-process), so accepted events are logged per server and
// change nothing; they are checked and answered exactly as Nova does.
#pragma once

#include "core/db/database.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

void add_server_external_events_routes(ApiServer& server, db::Database& db);

}  // namespace stratus::core::api
