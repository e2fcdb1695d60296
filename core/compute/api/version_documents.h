// The Compute API's version documents (GET / and GET /v2.1), in Nova's shape,
// advertising exactly the microversion range this server implements.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace stratus::core::api {

// GET / : {"versions": [v2.0 SUPPORTED, v2.1 CURRENT]}. `base_url` is what
// clients reach the API at, e.g. "http://127.0.0.1:8774" (no trailing slash).
nlohmann::json versions_document(const std::string& base_url);

// GET /v2 : the v2.0 document, which GET / links to.
nlohmann::json v20_version_document(const std::string& base_url);

// GET /v2.1 : {"version": {... "media-types": [...]}}
nlohmann::json v21_version_document(const std::string& base_url);

class ApiServer;
// Serves both documents at GET / and GET /v2.1[/], without authentication, as
// Nova does, so clients can discover the API before they log in.
void add_version_routes(ApiServer& server);

}  // namespace stratus::core::api
