#include "core/cli/client/command_support.h"

#include <cmath>
#include <exception>

namespace stratus::core::client {

void add_connection_options(CLI::App* cmd, ConnectionArgs& args, bool with_format) {
  cmd->add_option("--os-compute-url", args.url, "Compute API endpoint (default: $STRATUS_URL, else " +
                                                    std::string(kDefaultComputeUrl) + ")")
      ->envname("STRATUS_URL");
  cmd->add_option("--os-token", args.token, "Token sent as X-Auth-Token (default: $STRATUS_TOKEN)")
      ->envname("STRATUS_TOKEN");
  cmd->add_option("--timeout", args.timeout_seconds, "Seconds a request, and a whole --wait, may take (default 300)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--os-compute-api-version", args.api_version,
                  "Compute API microversion to request (default: $STRATUS_COMPUTE_API_VERSION, else 2.1)")
      ->envname("STRATUS_COMPUTE_API_VERSION");
  if (with_format) {
    cmd->add_option("-f,--format", args.format, "table or json")->check(CLI::IsMember({"table", "json"}));
  }
}

int CommandContext::fail(const std::string& message, int code) const {
  *io.err << "stratus: " << name << ": " << message << "\n";
  return code;
}

int run_command(const std::string& name, const ConnectionArgs& args, const CommandIo& io, PollSettings poll,
                const std::function<int(CommandContext&)>& body) {
  try {
    ClientOptions options;
    options.compute_url = args.url;
    if (!args.token.empty()) options.token = args.token;
    options.timeout = std::chrono::milliseconds(static_cast<long long>(std::llround(args.timeout_seconds * 1000)));
    options.microversion = args.api_version;
    auto client = ComputeClient::create(options);
    if (!client.ok()) {
      *io.err << "stratus: " << name << ": " << client.status().message() << "\n";
      return 2;
    }
    WaitOptions wait{options.timeout, poll.first, poll.max};
    CommandContext ctx{name, **client, parse_output_format(args.format), wait, io};
    return body(ctx);
  } catch (const std::exception& e) {
    *io.err << "stratus: " << name << ": " << e.what() << "\n";
    return 1;
  } catch (...) {
    *io.err << "stratus: " << name << ": unexpected error\n";
    return 1;
  }
}

}  // namespace stratus::core::client
