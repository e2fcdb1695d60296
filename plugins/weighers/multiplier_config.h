// The one config key every built-in weigher takes.
#pragma once

#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/result.h"

namespace stratus::plugins::weighers::detail {

// "multiplier" from `config`, or `fallback` when unset; refuses any other key,
// a value that is not a number and a value that is not finite.
sdk::Result<double> read_multiplier(const sdk::PluginConfig& config, double fallback);

}  // namespace stratus::plugins::weighers::detail
