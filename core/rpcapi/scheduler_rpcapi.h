// SchedulerRpcApi: how the conductor (and the API, for service changes)
// talks to the scheduler service (Nova's nova/scheduler/rpcapi.py).
//
// select_destinations and claim are calls to one scheduler (round robin);
// the others are fanout casts, because every scheduler keeps its own host
// state cache. Thread-safe; the endpoint must outlive it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/rpcapi/messages.h"
#include "core/rpcapi/version_cap.h"
#include "stratus/rpc/client.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"

namespace stratus::core::rpcapi {

class SchedulerRpcApi {
 public:
  // `cap`: the highest version sent ([upgrade_levels] scheduler; none: the newest),
  // read when the client is made: every scheduler method is at 1.0.
  SchedulerRpcApi(rpc::Endpoint& endpoint, std::chrono::milliseconds call_timeout, const VersionCap& cap = {});

  // One claimed destination (plus alternates) per instance, in order.
  // kNotFound with Nova's "No valid host was found. ..." message when the
  // request cannot be placed (scheduler::is_no_valid_host() recognises it).
  sdk::Result<std::vector<SelectionMsg>> select_destinations(const sdk::RequestContext& ctx,
                                                             const SelectDestinationsRequest& request) const;
  // Claims an alternate for a reschedule; kConflict when it has no room left.
  sdk::Status claim(const sdk::RequestContext& ctx, const ClaimMsg& claim) const;
  // Every scheduler forgets the instance's claim and consumption.
  sdk::Status release(const sdk::RequestContext& ctx, const std::string& instance_uuid) const;
  sdk::Status update_node(const sdk::RequestContext& ctx, const NodeReportMsg& report) const;
  sdk::Status service_heartbeat(const sdk::RequestContext& ctx, const ServiceMsg& service) const;
  sdk::Status service_set_disabled(const sdk::RequestContext& ctx, const ServiceMsg& service) const;

 private:
  rpc::Client client_;
  rpc::Client fanout_;
  std::chrono::milliseconds call_timeout_;
};

}  // namespace stratus::core::rpcapi
