#include "core/rpcapi/rpc_status.h"

#include <array>
#include <utility>

namespace stratus::core::rpcapi {

namespace {

struct TypeName {
  sdk::StatusCode code;
  std::string_view type;
};

constexpr std::array<TypeName, 9> kTypes = {{
    {sdk::StatusCode::kNotFound, "NotFound"},
    {sdk::StatusCode::kAlreadyExists, "AlreadyExists"},
    {sdk::StatusCode::kInvalidState, "InvalidState"},
    {sdk::StatusCode::kNotSupported, "NotSupported"},
    {sdk::StatusCode::kConflict, "Conflict"},
    {sdk::StatusCode::kUnavailable, "Unavailable"},
    {sdk::StatusCode::kTimeout, "Timeout"},
    {sdk::StatusCode::kInternal, "Internal"},
    {sdk::StatusCode::kInvalidArgument, "InvalidArgument"},
}};

constexpr std::string_view kNoValidHostPrefix = "No valid host was found.";

}  // namespace

std::string_view remote_type_for(sdk::StatusCode code) noexcept {
  for (const auto& t : kTypes) {
    if (t.code == code) return t.type;
  }
  return "Internal";
}

rpc::Error to_rpc_error(const sdk::Status& status) {
  const bool no_valid_host =
      status.is(sdk::StatusCode::kNotFound) && status.message().rfind(kNoValidHostPrefix, 0) == 0;
  return rpc::remote_error(std::string(no_valid_host ? kNoValidHostType : remote_type_for(status.code())),
                           status.message());
}

sdk::Status from_rpc_error(const rpc::Error& error, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += error.message;
  switch (error.code) {
    case rpc::Errc::remote: {
      if (error.type == kNoValidHostType) return sdk::Status::NotFound(error.message);
      for (const auto& t : kTypes) {
        if (t.type == error.type) return sdk::Status(t.code, std::move(message));
      }
      return sdk::Status::Internal(message + " (" + error.type + ")");
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
