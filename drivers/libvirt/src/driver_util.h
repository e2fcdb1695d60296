// Small helpers every file of LibvirtDriver's implementation shares: the
// domain name of an instance, power state names, and the guard that keeps
// exceptions from crossing the plugin boundary.
#pragma once

#include <exception>
#include <string>

#include "stratus/sdk/instance.h"
#include "stratus/sdk/log.h"
#include "stratus/sdk/power_state.h"
#include "stratus/sdk/status.h"

namespace stratus::drivers::libvirt {

inline std::string domain_name(const sdk::Instance& instance) {
  return instance.name.empty() ? "instance-" + instance.uuid : instance.name;
}

inline std::string state_name(sdk::PowerState state) { return std::string(sdk::power_state_name(state)); }

// Runs `body`, turning any exception into kInternal so none crosses the plugin boundary.
template <typename R, typename Body>
R guarded(sdk::Logger& log, const char* what, const std::string& request_id, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    log.write(sdk::LogLevel::kError, request_id, std::string(what) + " failed unexpectedly: " + e.what());
    return sdk::Status::Internal(std::string(what) + " failed unexpectedly: " + e.what());
  } catch (...) {
    log.write(sdk::LogLevel::kError, request_id, std::string(what) + " failed unexpectedly");
    return sdk::Status::Internal(std::string(what) + " failed unexpectedly");
  }
}

}  // namespace stratus::drivers::libvirt
