// Whether a service record counts as up: Nova's DB servicegroup driver, the
// one rule the API (os-services, os-hypervisors, forced hosts), the scheduler
// (loading its cache) and the conductor (choosing an alternate) all apply.
#pragma once

#include <chrono>

#include "core/db/service_repository.h"

namespace stratus::core::db {

// A service forced down is down; otherwise it is up while
// |now - last heartbeat| <= service_down_time, where the last heartbeat is
// last_seen_up or, before the first one, created_at (a service that has just
// registered is up). An unreadable time counts as down. Pure; thread-safe.
bool service_is_up(const ServiceRecord& service, std::chrono::seconds service_down_time,
                   std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace stratus::core::db
