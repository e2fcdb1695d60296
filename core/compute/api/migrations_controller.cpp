#include "core/compute/api/migrations_controller.h"

#include <charconv>

#include "core/compute/api/compute_request.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

std::optional<ApiResponse> before_223(const ApiRequest& req) {
  if (req.microversion < Microversion{2, 23}) return error_response(404, "The resource could not be found.");
  return std::nullopt;
}

}  // namespace

void add_migration_routes(ApiServer& server, compute::ComputeAPI& compute) {
  server.route("GET", R"(/v2\.1/os-migrations)", [](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-migrations:index")) return *denied;
    if (req.microversion >= Microversion{2, 59}) {
      if (auto raw = req.query_param("limit")) {
        std::int64_t n = -1;
        auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), n);
        if (raw->empty() || ec != std::errc() || ptr != raw->data() + raw->size() || n < 0) {
          return Status::InvalidArgument("Invalid input for query parameters limit. Value: " + *raw + ".");
        }
      }
      // There are no migrations, so no marker can name one.
      if (auto marker = req.query_param("marker")) {
        return Status::InvalidArgument("Marker " + *marker + " could not be found.");
      }
    }
    return ApiResponse{200, {{"migrations", json::array()}}, {}};
  });

  server.route("GET", R"(/v2\.1/servers/([^/]+)/migrations)", [&compute](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto gone = before_223(req)) return *gone;
    if (auto denied = policy_check(req, "os_compute_api:servers:migrations:index")) return *denied;
    auto instance = compute.get(compute_context(req), req.path_params[0]);
    if (!instance.ok()) return instance.status();
    return ApiResponse{200, {{"migrations", json::array()}}, {}};
  });

  server.route("GET", R"(/v2\.1/servers/([^/]+)/migrations/([^/]+))",
               [&compute](const ApiRequest& req) -> Result<ApiResponse> {
                 if (auto gone = before_223(req)) return *gone;
                 if (auto denied = policy_check(req, "os_compute_api:servers:migrations:show")) return *denied;
                 auto instance = compute.get(compute_context(req), req.path_params[0]);
                 if (!instance.ok()) return instance.status();
                 return Status::NotFound("In-progress live migration " + req.path_params[1] +
                                         " is not found for server " + instance->uuid + ".");
               });
}

}  // namespace stratus::core::api
