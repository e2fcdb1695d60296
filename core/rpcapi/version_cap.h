// VersionCap: the highest version a typed client (*_rpcapi.h) may send to
// its topic, asked before every message, so that an "auto" cap follows the
// services as they come and go. An empty function or "" means no cap.
// Built from [upgrade_levels] by make_version_cap (upgrade_levels.h).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "stratus/sdk/result.h"

namespace stratus::core::rpcapi {

using VersionCap = std::function<std::string()>;

// A cap that is always `version` ("" = none).
inline VersionCap fixed_cap(std::string version) {
  return [v = std::move(version)] { return v; };
}

// The cap in force now ("" = none).
inline std::string current_cap(const VersionCap& cap) { return cap ? cap() : std::string(); }

// Checks an [upgrade_levels] value for `topic`: "" , "auto" or a version
// "MAJOR.MINOR" of the topic's API major (a cap of another major would
// refuse every message). kInvalidArgument naming the key otherwise.
sdk::Status check_upgrade_level(std::string_view topic, const std::string& setting);

}  // namespace stratus::core::rpcapi
