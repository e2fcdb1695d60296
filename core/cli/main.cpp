// `stratus`: the one binary. Every role and every client command is a subcommand.
#include <malloc.h>

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/cli/commands.h"
#include "stratus/sdk/version.h"

int main(int argc, char** argv) {
  // glibc gives each thread that allocates its own malloc arena, up to 8 per
  // core; a node with many compute hosts runs a few hundred threads, and the
  // arenas' free lists then hold most of its resident memory. Three arenas keep
  // `aio` with 1000 servers well under 100 MB (docs/performance.md). An
  // operator's MALLOC_ARENA_MAX still wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 3);
  using namespace stratus;
  CLI::App app{"Stratus: a small, fast compute control plane"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("stratus 0.1.0 (plugin SDK ") + sdk::kSdkVersion + ", ABI " +
                                        std::to_string(sdk::kAbiVersion) + ")");

  core::GlobalOptions options;
  app.add_option("-c,--config", options.config_file, "TOML config file (default: $STRATUS_CONFIG, else built-in defaults)");
  app.add_option("--set", options.overrides, "Override a config key: --set scheduler.weighers='[\"ram\"]'");
  app.add_option("--plugin-dir", options.plugin_dirs, "Search this plugin directory first (repeatable)");
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error, critical or off");

  int exit_code = 0;
  core::add_plugin_commands(app, options, exit_code);
  core::add_aio_command(app, options, exit_code);
  core::add_rpc_commands(app, options, exit_code);
  core::add_serve_command(app, options, exit_code);
  core::add_client_commands(app, options, exit_code);
  core::add_network_commands(app, options, exit_code);
  core::add_identity_commands(app, options, exit_code);
  core::add_driver_commands(app, options, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
