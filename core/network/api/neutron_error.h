// Neutron's error format, for the routes under /network:
//   {"NeutronError": {"type": "NetworkNotFound",
//                     "message": "Network X could not be found.", "detail": ""}}
// openstacksdk and the openstack CLI show "message" to the user.
#pragma once

#include <string>

#include "core/http/api_server.h"
#include "stratus/sdk/status.h"

namespace stratus::core::api::network {

ApiResponse neutron_error(int http_status, const std::string& type, const std::string& message);

// 404 "<Resource> <id> could not be found." with type "<Resource>NotFound",
// e.g. not_found("Network", id).
ApiResponse not_found(const std::string& resource, const std::string& id);

// 400 HTTPBadRequest with `message` as given.
ApiResponse bad_request(const std::string& message);

// 403 PolicyNotAuthorized "(rule:<rule>) is disallowed by policy".
ApiResponse policy_denied(const std::string& rule);

// A repository's refusal as Neutron words it: kInvalidArgument -> 400
// "Invalid input for operation: <message>."; kNotFound -> 404 of `resource`
// `id`. Anything else stays a Status (the server's 500/503).
sdk::Result<ApiResponse> neutron_failure(const sdk::Status& status, const std::string& resource,
                                         const std::string& id);

}  // namespace stratus::core::api::network
