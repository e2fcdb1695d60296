// The sdk::Logger the registry gives each plugin built for ABI 5 or later:
// every line goes to spdlog as "[req-...] <kind> <name>: <message>" (the
// request id left out when the call had none), at the matching level.
#pragma once

#include <memory>
#include <string>

#include "stratus/sdk/log.h"
#include "stratus/sdk/plugin_descriptor.h"

namespace stratus::core {

std::shared_ptr<sdk::Logger> make_plugin_logger(sdk::PluginKind kind, const std::string& name);

}  // namespace stratus::core
