// ServerActionTable: the handlers of POST /v2.1/servers/{id}/action by the
// body's key ("reboot", "addSecurityGroup", ...), as Nova's wsgi dispatches
// them. Each feature registers its own actions from its own file
// (add_*_actions), then route_server_actions serves the whole table.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/http/api_server.h"
#include "stratus/sdk/result.h"

namespace stratus::core::api {

using ServerActionHandler = std::function<sdk::Result<ApiResponse>(const ApiRequest&, const std::string& server_id)>;
using ServerActionTable = std::map<std::string, ServerActionHandler>;

// Routes POST /v2.1/servers/{id}/action to the table's handler for the body's
// key; 400 "There is no such action" for any other key, as Nova answers.
void route_server_actions(ApiServer& server, std::shared_ptr<const ServerActionTable> actions);

}  // namespace stratus::core::api
