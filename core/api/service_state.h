// ServiceState: how the API judges a service record, shared by os-services
// and os-hypervisors: whether it is up (Nova's DB servicegroup driver) and
// which availability zone it shows in.
#pragma once

#include <chrono>
#include <string>

#include "core/db/service_repository.h"

namespace stratus::core::api {

// The binary of a compute service, whose hosts run instances.
inline constexpr const char* kComputeBinary = "stratus-compute";

// Nova's servicegroup DB driver: a service forced down is down; otherwise it
// is up while |now - last heartbeat| <= service_down_time, where the last
// heartbeat is last_seen_up or, before the first one, created_at (a service
// that has just registered is up). An unreadable time counts as down.
bool service_is_up(const db::ServiceRecord& service, std::chrono::seconds service_down_time,
                   std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// "up" / "down", as os-services and os-hypervisors print it.
inline const char* service_state_name(bool up) { return up ? "up" : "down"; }

// Services carry no zone of their own yet: a compute service is in Nova's
// default zone "nova", any other in "internal" (as os-availability-zone says).
std::string service_zone(const db::ServiceRecord& service);

}  // namespace stratus::core::api
