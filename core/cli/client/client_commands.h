// The REST client commands of `stratus`: server, flavor, hypervisor and
// service, talking to the Compute API (Nova v2.1 shapes) like the openstack
// CLI does. `stratus::core::add_client_commands` (core/cli/commands.h) adds
// them with std::cout / std::cerr; tests add them with their own streams and
// short poll intervals and drive them through CLI::App::parse.
//
// Every command sets `exit_code`: 0 done, 1 the API or the connection said no
// (the message is printed as "stratus: server create: 400 Invalid input ..."),
// 2 the command line was unusable (a bad --property, an unreadable file). No
// exception escapes a command.
#pragma once

#include <chrono>
#include <ostream>

#include <CLI/CLI.hpp>

namespace stratus::core::client {

struct CommandIo {
  std::ostream* out = nullptr;  // results
  std::ostream* err = nullptr;  // errors and progress
  bool err_is_tty = false;      // progress redraws one line with '\r' when true
};

// How often --wait polls: the interval starts at `first` and doubles to `max`.
struct PollSettings {
  std::chrono::milliseconds first{250};
  std::chrono::milliseconds max{2'000};
};

void add_client_commands(CLI::App& app, int& exit_code, const CommandIo& io, PollSettings poll = {});

// The groups, each adding its subcommands (add_client_commands calls all four).
void add_server_commands(CLI::App& app, int& exit_code, const CommandIo& io, PollSettings poll);
void add_flavor_commands(CLI::App& app, int& exit_code, const CommandIo& io, PollSettings poll);
void add_hypervisor_commands(CLI::App& app, int& exit_code, const CommandIo& io, PollSettings poll);
void add_service_commands(CLI::App& app, int& exit_code, const CommandIo& io, PollSettings poll);

}  // namespace stratus::core::client
