// Process-wide logging set-up: spdlog to stderr, one line per event.
//
// Lines that belong to a request carry its id in brackets after the level, e.g.
//   2026-11-26T05:44:14.123 info [req-2c1f...] spawned instance 7d0e... on fake-1
// so `grep req-2c1f` follows one request through every service.
#pragma once

#include <string>

#include "stratus/sdk/status.h"

namespace stratus::core {

// kInvalidArgument for an unknown level name.
sdk::Status setup_logging(const std::string& level);

}  // namespace stratus::core
