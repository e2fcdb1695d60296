// The subcommands of the `stratus` binary; each adds itself to the CLI11 app
// and sets `exit_code` when it runs.
#pragma once

#include <CLI/CLI.hpp>

#include "core/cli/cli_environment.h"

namespace stratus::core {

void add_plugin_commands(CLI::App& app, const GlobalOptions& options, int& exit_code);
void add_aio_command(CLI::App& app, const GlobalOptions& options, int& exit_code);
// `keys generate`.
void add_rpc_commands(CLI::App& app, const GlobalOptions& options, int& exit_code);
// `serve ROLE...` (core/node).
void add_serve_command(CLI::App& app, const GlobalOptions& options, int& exit_code);
// `network create|list|delete`: tenant networks, on the database directly.
void add_network_commands(CLI::App& app, const GlobalOptions& options, int& exit_code);
// user, project, role: the identity service's records, in the database (core/identity).
void add_identity_commands(CLI::App& app, const GlobalOptions& options, int& exit_code);
// server, flavor, hypervisor, service: REST clients of the Compute API (core/cli/client).
void add_client_commands(CLI::App& app, const GlobalOptions& options, int& exit_code);
// `driver check NAME`: boots a tiny guest with a driver (core/cli/driver_check).
void add_driver_commands(CLI::App& app, const GlobalOptions& options, int& exit_code);

}  // namespace stratus::core
