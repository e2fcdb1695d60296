// `stratus`: the one binary. Every role and every client command is a subcommand.
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/cli/commands.h"
#include "stratus/sdk/version.h"

int main(int argc, char** argv) {
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
