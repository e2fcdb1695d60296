// What every servers controller does at its edges: turn the API request into
// the ComputeAPI's context, and a ComputeAPI refusal into Nova's answer.
#pragma once

#include "core/api/api_server.h"
#include "core/compute/api/compute_api.h"

namespace stratus::core::api {

inline compute::ComputeContext compute_context(const ApiRequest& req) {
  compute::ComputeContext ctx;
  ctx.request.request_id = req.request_id;
  ctx.request.user_id = req.auth.user_id;
  ctx.request.project_id = req.auth.project_id;
  ctx.request.roles = req.auth.roles;
  ctx.is_admin = req.auth.is_admin;
  return ctx;
}

// The failed Status as the API answers it: quota and policy refusals with 403
// (compute::is_forbidden), everything else by its code (api_error.h).
inline sdk::Result<ApiResponse> compute_failure(const sdk::Status& status) {
  if (compute::is_forbidden(status)) return error_response(403, status.message());
  return status;
}

}  // namespace stratus::core::api
