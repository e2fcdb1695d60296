// ExtensionsController: /v2.1/extensions, the extension documents Nova still
// lists for old clients (the v2.1 API has no extensions any more; the list
// is fixed). Any authenticated caller may read it.
#pragma once

#include "core/http/api_server.h"

namespace stratus::core::api {

void add_extension_routes(ApiServer& server);

}  // namespace stratus::core::api
