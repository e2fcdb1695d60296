// Whether a service record counts as up: Nova's DB servicegroup driver, as
// the scheduler (loading its cache from the database) and the conductor
// (choosing an alternate for a reschedule) judge it.
//
// The API has the same rule for os-services (core/api/service_state.h); this
// copy exists because the scheduler and conductor do not link the API.
#pragma once

#include <chrono>

#include "core/db/service_repository.h"

namespace stratus::core::scheduler {

// A service forced down is down; otherwise it is up while
// |now - last heartbeat| <= service_down_time, the last heartbeat being
// last_seen_up or, before the first one, created_at. An unreadable time
// counts as down. Pure; thread-safe.
bool service_record_is_up(const db::ServiceRecord& service, std::chrono::seconds service_down_time,
                          std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace stratus::core::scheduler
