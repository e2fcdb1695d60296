// CliEnvironment: what every `stratus` subcommand starts from: the effective
// config (file, then flags), logging, and a plugin registry loaded from the
// search path.
#pragma once

#include <signal.h>

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

// Blocks SIGINT and SIGTERM in the calling thread and so in every thread it
// starts afterwards, so that a long-running command (aio, serve) receives
// them in wait_for_stop_signal() and can stop its services in order. Call it
// before any thread starts.
sigset_t block_stop_signals();
// Waits for one of the signals block_stop_signals() blocked; returns it.
int wait_for_stop_signal(const sigset_t& signals);

// Errors: the config's own (naming key and line), or a bad log level.
sdk::Result<std::unique_ptr<CliEnvironment>> make_environment(const GlobalOptions& options);

}  // namespace stratus::core
