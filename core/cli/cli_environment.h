// CliEnvironment: what every `stratus` subcommand starts from: the effective
// config (file, then flags), logging, and a plugin registry loaded from the
// search path.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/plugin/plugin_registry.h"
#include "stratus/sdk/result.h"

namespace stratus::core {

// Options every subcommand accepts.
struct GlobalOptions {
  std::optional<std::string> config_file;  // --config, else $STRATUS_CONFIG
  std::vector<std::string> overrides;      // --set key=value
  std::vector<std::string> plugin_dirs;    // --plugin-dir, searched first
  std::optional<std::string> log_level;    // --log-level
};

struct CliEnvironment {
  Config config;
  std::vector<std::filesystem::path> search_path;
  PluginRegistry registry;
  std::vector<PluginRefusal> refusals;  // plugins found but not taken
};

// Errors: the config's own (naming key and line), or a bad log level.
sdk::Result<std::unique_ptr<CliEnvironment>> make_environment(const GlobalOptions& options);

}  // namespace stratus::core
