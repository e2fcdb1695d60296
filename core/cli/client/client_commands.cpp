#include "core/cli/client/client_commands.h"

namespace stratus::core::client {

void add_client_commands(CLI::App& app, int& exit_code, const CommandIo& io, PollSettings poll) {
  add_server_commands(app, exit_code, io, poll);
  add_flavor_commands(app, exit_code, io, poll);
  add_hypervisor_commands(app, exit_code, io, poll);
  add_service_commands(app, exit_code, io, poll);
}

}  // namespace stratus::core::client
