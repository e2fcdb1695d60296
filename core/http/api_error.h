// ApiError: Nova's error format, the body every compute reply shapes around
// the status the error table (core/common/error_table.h) gives. Bodies look
// like Nova's:
//   {"itemNotFound": {"code": 404, "message": "Flavor 42 could not be found."}}
// so that clients written for Nova (novaclient, openstacksdk) read them.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "stratus/sdk/status.h"

namespace stratus::core::api {

// Nova's fault name for an HTTP status: 400 badRequest, 403 forbidden,
// 404 itemNotFound, 409 conflictingRequest, 500 computeFault, ...
std::string_view nova_fault_name(int http_status);

// {"<faultName>": {"code": status, "message": message}}
nlohmann::json nova_error_body(int http_status, const std::string& message);

}  // namespace stratus::core::api
