// Finding a server, flavor or image by name or id, as openstackclient does:
// an id is tried first, then the name must match exactly one resource.
//
// Errors (the message is for the user):
//   kNotFound          "No server with a name or ID of 'web' exists."
//   kInvalidArgument   "More than one server exists with the name 'web': <id>, <id>"
//   anything the API or the connection returned.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/cli/client/compute_client.h"
#include "stratus/sdk/result.h"

namespace stratus::core::client {

// 8-4-4-4-12 hexadecimal digits.
bool is_uuid_like(const std::string& text);

// Escapes regex metacharacters, so a name can go into Nova's regex filters.
std::string regex_escape(const std::string& text);

// The server's id. A UUID is looked up with GET /servers/{id}; otherwise (or
// if that is 404) with GET /servers?name=^NAME$, keeping exact matches only.
sdk::Result<std::string> resolve_server(ComputeClient& client, const std::string& name_or_id);

// The flavor's detail body: GET /flavors/{id}, else by name in /flavors/detail.
sdk::Result<nlohmann::json> resolve_flavor(ComputeClient& client, const std::string& name_or_id);

// The image's body: GET /images/{id}, else by name in /images/detail.
sdk::Result<nlohmann::json> resolve_image(ComputeClient& client, const std::string& name_or_id);

}  // namespace stratus::core::client
