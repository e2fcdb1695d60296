// ServiceState: how the API judges a service record, shared by os-services
// and os-hypervisors: whether it is up (Nova's DB servicegroup driver) and
// which availability zone it shows in.
#pragma once

#include <chrono>
#include <string>

#include "core/db/service_liveness.h"
#include "core/db/service_repository.h"

namespace stratus::core::api {

// The binary of a compute service, whose hosts run instances.
inline constexpr const char* kComputeBinary = "stratus-compute";

// Nova's servicegroup DB driver (core/db/service_liveness.h).
using db::service_is_up;

// "up" / "down", as os-services and os-hypervisors print it.
inline const char* service_state_name(bool up) { return up ? "up" : "down"; }

// Services carry no zone of their own yet: a compute service is in Nova's
// default zone "nova", any other in "internal" (as os-availability-zone says).
std::string service_zone(const db::ServiceRecord& service);

// The uuid a service shows from microversion 2.53 (os-services ids,
// os-hypervisors' service.id): a name-based (version 3) uuid of its row id,
// host and binary, so it is stable for the record's life and unique to it.
std::string service_uuid(const db::ServiceRecord& service);

}  // namespace stratus::core::api
