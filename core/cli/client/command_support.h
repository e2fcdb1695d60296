// What every client command shares: the connection options (--os-compute-url,
// --os-token, --timeout, --os-compute-api-version, -f), the login options of
// every OpenStack client (--os-cloud, --os-auth-url, ... with their OS_*
// variables), and running a command body so that no exception escapes and
// every failure is printed one way.
// Internal to core/cli/client.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "core/cli/client/client_commands.h"
#include "core/cli/client/cloud_config.h"
#include "core/cli/client/compute_client.h"
#include "core/cli/client/output_format.h"
#include "core/cli/client/server_wait.h"
#include "stratus/sdk/status.h"

namespace stratus::core::client {

struct ConnectionArgs {
  std::string url;    // empty: the catalog's after a login, else kDefaultComputeUrl
  std::string token;  // set: no login, sent as is
  AuthSettings auth;
  double timeout_seconds = 300;
  std::string api_version = "2.1";
  std::string format = "table";
};

// Adds the connection options (and -f,--format when `with_format`) to `cmd`.
void add_connection_options(CLI::App* cmd, ConnectionArgs& args, bool with_format = true);

// The login options (--os-cloud, --os-auth-url, ...), each defaulting to its
// OS_* variable. add_connection_options adds them.
void add_auth_options(CLI::App* cmd, AuthSettings& auth);

// What a command body gets.
struct CommandContext {
  std::string name;  // "server create", for messages
  ComputeClient& client;
  OutputFormat format;
  WaitOptions wait;
  const CommandIo& io;

  // Prints "stratus: <name>: <message>" and returns `code`.
  int fail(const std::string& message, int code = 1) const;
  int fail(const sdk::Status& status) const { return fail(status.message(), 1); }
};

// Where requests go and with which token: --os-token / $STRATUS_TOKEN as
// given; else, when a cloud or an auth URL is set, a Keystone login (the
// compute URL from the token's catalog unless --os-compute-url is given);
// else no token to --os-compute-url or the default URL.
sdk::Result<ClientOptions> connection_options(const ConnectionArgs& args);

// Builds the client (logging in if asked) and runs `body`; a bad URL or
// timeout or unusable credentials exit 2, a refused login or an exception is
// printed and exits 1.
int run_command(const std::string& name, const ConnectionArgs& args, const CommandIo& io, PollSettings poll,
                const std::function<int(CommandContext&)>& body);

// Makes `cmd` run `body` with its parsed `args` (which hold a ConnectionArgs
// `conn`) and store the exit code.
template <typename Args>
void on_run(CLI::App* cmd, std::shared_ptr<Args> args, const std::string& name, int& exit_code, const CommandIo& io,
            PollSettings poll, int (*body)(CommandContext&, const Args&)) {
  cmd->callback([args, name, &exit_code, io, poll, body] {
    exit_code = run_command(name, args->conn, io, poll, [&](CommandContext& ctx) { return body(ctx, *args); });
  });
}

}  // namespace stratus::core::client
