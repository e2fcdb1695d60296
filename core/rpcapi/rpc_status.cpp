#include "core/rpcapi/rpc_status.h"

#include <utility>

#include "core/common/error_table.h"

namespace stratus::core::rpcapi {

rpc::Error to_rpc_error(const sdk::Status& status) {
  return rpc::remote_error(std::string(common::remote_type_for(status)), status.message());
}

sdk::Status from_rpc_error(const rpc::Error& error, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += error.message;
  switch (error.code) {
    case rpc::Errc::remote: {
      auto row = common::error_row_for_remote_type(error.type);
      if (!row || row->code == sdk::StatusCode::kOk) return sdk::Status::Internal(message + " (" + error.type + ")");
      // A refusal with a reason keeps the remote's own words (a NoValidHost
      // becomes the instance's fault as the scheduler wrote it).
      if (row->reason != sdk::StatusReason::kNone) return sdk::Status(row->code, error.message, row->reason);
      return sdk::Status(row->code, std::move(message));
    }
    case rpc::Errc::timeout:
      return sdk::Status::Timeout(std::move(message));
    case rpc::Errc::no_such_target:
    case rpc::Errc::unavailable:
      return sdk::Status::Unavailable(std::move(message));
    case rpc::Errc::bad_message:
    case rpc::Errc::too_large:
    case rpc::Errc::invalid_argument:
      return sdk::Status::InvalidArgument(std::move(message));
    default:
      return sdk::Status::Internal(message + " (" + error.type + ")");
  }
}

rpc::RequestContext to_rpc_context(const sdk::RequestContext& ctx) {
  rpc::RequestContext out;
  out.request_id = ctx.request_id.empty() ? rpc::RequestContext::new_request_id() : ctx.request_id;
  out.user_id = ctx.user_id;
  out.project_id = ctx.project_id;
  out.roles = ctx.roles;
  return out;
}

sdk::RequestContext to_sdk_context(const rpc::RequestContext& ctx) {
  return sdk::RequestContext{ctx.request_id, ctx.user_id, ctx.project_id, ctx.roles};
}

}  // namespace stratus::core::rpcapi
