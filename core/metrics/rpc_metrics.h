// RPC metrics: an rpc::Observer that counts and times every message an
// endpoint sends and serves, and collectors for an endpoint's queue and the
// router's counters (docs/operations.md, "Metrics", lists the names).
//
// Labels: service (the topic: compute, conductor, scheduler), method, kind
// (call, cast, fanout), outcome (ok or the rpc::Errc name). A served method
// the dispatcher does not know is labelled method="unknown": the name came
// from a peer, and a label must not take whatever a peer sends.
#pragma once

#include <memory>
#include <string>

#include "core/metrics/registry.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/rpc/observer.h"
#include "stratus/rpc/router.h"

namespace stratus::core::metrics {

// Records into `registry`, which must outlive it. Thread-safe.
std::shared_ptr<rpc::Observer> make_rpc_observer(Registry& registry);

// stratus_rpc_dispatcher_queued / _running and the endpoint's error counters,
// labelled endpoint=`name`. The endpoint must outlive the handle.
[[nodiscard]] CollectorHandle add_endpoint_collector(Registry& registry, const rpc::Endpoint& endpoint,
                                                     std::string name);

// stratus_rpc_router_*: messages in and out, routed, replies, drops by
// reason, peers. The router must outlive the handle.
[[nodiscard]] CollectorHandle add_router_collector(Registry& registry, const rpc::Router& router);

}  // namespace stratus::core::metrics
