#include "core/network/api/neutron_error.h"

#include "core/common/error_table.h"

namespace stratus::core::api::network {

ApiResponse neutron_error(int http_status, const std::string& type, const std::string& message) {
  return ApiResponse{http_status, {{"NeutronError", {{"type", type}, {"message", message}, {"detail", ""}}}}, {}};
}

ApiResponse not_found(const std::string& resource, const std::string& id) {
  return neutron_error(404, resource + "NotFound", resource + " " + id + " could not be found.");
}

ApiResponse bad_request(const std::string& message) { return neutron_error(400, "HTTPBadRequest", message); }

ApiResponse policy_denied(const std::string& rule) {
  return neutron_error(403, "PolicyNotAuthorized", "(rule:" + rule + ") is disallowed by policy");
}

sdk::Result<ApiResponse> neutron_failure(const sdk::Status& status, const std::string& resource,
                                         const std::string& id) {
  // The number is the error table's; only the body is Neutron's.
  const int http_status = common::http_status_for(status);
  switch (http_status) {
    case 400: return bad_request("Invalid input for operation: " + status.message() + ".");
    case 404: return not_found(resource, id);
    case 409: return neutron_error(409, "Conflict", status.message());
    default: return status;
  }
}

}  // namespace stratus::core::api::network
