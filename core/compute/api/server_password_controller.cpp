#include "core/compute/api/server_password_controller.h"

#include "core/compute/api/compute_request.h"
#include "core/http/policy.h"

namespace stratus::core::api {

void add_server_password_routes(ApiServer& server, compute::ComputeAPI& compute) {
  server.route("GET", R"(/v2\.1/servers/([^/]+)/os-server-password)",
               [&compute](const ApiRequest& req) -> sdk::Result<ApiResponse> {
                 if (auto denied = policy_check(req, "os_compute_api:os-server-password:show")) return *denied;
                 auto password = compute.get_server_password(compute_context(req), req.path_params[0]);
                 if (!password.ok()) return password.status();
                 return ApiResponse{200, {{"password", *password}}, {}};
               });
  server.route("DELETE", R"(/v2\.1/servers/([^/]+)/os-server-password)",
               [&compute](const ApiRequest& req) -> sdk::Result<ApiResponse> {
                 if (auto denied = policy_check(req, "os_compute_api:os-server-password:clear")) return *denied;
                 if (sdk::Status s = compute.clear_server_password(compute_context(req), req.path_params[0]); !s.ok()) {
                   return s;
                 }
                 return ApiResponse{204, nullptr, {}};
               });
}

}  // namespace stratus::core::api
