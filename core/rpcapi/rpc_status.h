// The one place where sdk::Status meets the RPC layer's errors, both ways,
// and where the request context crosses between the two.
//
// A service method that fails returns to_rpc_error(status): a remote error
// whose type names the status's code or reason, from the one error table
// (core/common/error_table.h: "NotFound", "InvalidState", ..., "NoValidHost",
// "QuotaExceeded"). The caller turns what it receives back into an
// sdk::Status with from_rpc_error(): a remote error gets its code and reason
// back from the type; the RPC layer's own failures map to
// kTimeout (no reply in time) or kUnavailable (nothing serves the target,
// peer gone, busy), anything else to kInternal.
#pragma once

#include <string>
#include <string_view>

#include "stratus/rpc/context.h"
#include "stratus/rpc/error.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/status.h"

namespace stratus::core::rpcapi {

// The remote error type of the scheduler's NoValidHost (its row in the table).
inline constexpr std::string_view kNoValidHostType = "NoValidHost";

// A remote error for a failed `status`: type from its reason or code, message
// as it is. Precondition: !status.ok().
rpc::Error to_rpc_error(const sdk::Status& status);

// The sdk::Status for an RPC failure, its message prefixed by `what`
// ("scheduler.select_destinations: ...").
sdk::Status from_rpc_error(const rpc::Error& error, std::string_view what);

rpc::RequestContext to_rpc_context(const sdk::RequestContext& ctx);
sdk::RequestContext to_sdk_context(const rpc::RequestContext& ctx);

}  // namespace stratus::core::rpcapi
