// Adds the REST client commands (core/cli/client) to the `stratus` binary,
// printing to the terminal.
#include <unistd.h>

#include <iostream>

#include "core/cli/client/client_commands.h"
#include "core/cli/commands.h"

namespace stratus::core {

void add_client_commands(CLI::App& app, const GlobalOptions& /*options*/, int& exit_code) {
  client::CommandIo io{&std::cout, &std::cerr, ::isatty(STDERR_FILENO) == 1};
  client::add_client_commands(app, exit_code, io);
}

}  // namespace stratus::core
