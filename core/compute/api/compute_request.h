// What every servers controller does at its edge: turn the API request into
// the ComputeAPI's context. A ComputeAPI refusal is returned as it is: the
// server answers it through the error table (core/common/error_table.h).
#pragma once

#include "core/http/api_server.h"
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

}  // namespace stratus::core::api
