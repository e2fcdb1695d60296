#include "core/cli/client/command_support.h"

#include <cmath>
#include <exception>

#include "core/cli/client/keystone_login.h"

namespace stratus::core::client {

void add_connection_options(CLI::App* cmd, ConnectionArgs& args, bool with_format) {
  cmd->add_option("--os-compute-url", args.url,
                  "Compute API endpoint (default: $STRATUS_URL, else the catalog's after a login, else " +
                      std::string(kDefaultComputeUrl) + ")")
      ->envname("STRATUS_URL");
  add_auth_options(cmd, args.auth);
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

void add_auth_options(CLI::App* cmd, AuthSettings& auth) {
  const std::string group = "Login (clouds.yaml or OS_* variables; see docs/client.md)";
  const auto opt = [&](const char* flag, std::string& into, const char* env, const char* what) {
    cmd->add_option(flag, into, std::string(what) + " ($" + env + ")")->envname(env)->group(group);
  };
  opt("--os-cloud", auth.cloud, "OS_CLOUD", "Cloud name in clouds.yaml");
  opt("--os-auth-type", auth.auth_type, "OS_AUTH_TYPE", "password or v3applicationcredential");
  opt("--os-auth-url", auth.auth_url, "OS_AUTH_URL", "Keystone URL");
  opt("--os-username", auth.username, "OS_USERNAME", "User name");
  opt("--os-user-id", auth.user_id, "OS_USER_ID", "User id");
  opt("--os-password", auth.password, "OS_PASSWORD", "Password");
  opt("--os-user-domain-name", auth.user_domain_name, "OS_USER_DOMAIN_NAME", "User's domain name");
  opt("--os-user-domain-id", auth.user_domain_id, "OS_USER_DOMAIN_ID", "User's domain id");
  opt("--os-project-name", auth.project_name, "OS_PROJECT_NAME", "Project name");
  opt("--os-project-id", auth.project_id, "OS_PROJECT_ID", "Project id");
  opt("--os-project-domain-name", auth.project_domain_name, "OS_PROJECT_DOMAIN_NAME", "Project's domain name");
  opt("--os-project-domain-id", auth.project_domain_id, "OS_PROJECT_DOMAIN_ID", "Project's domain id");
  opt("--os-application-credential-id", auth.application_credential_id, "OS_APPLICATION_CREDENTIAL_ID",
      "Application credential id");
  opt("--os-application-credential-name", auth.application_credential_name, "OS_APPLICATION_CREDENTIAL_NAME",
      "Application credential name");
  opt("--os-application-credential-secret", auth.application_credential_secret, "OS_APPLICATION_CREDENTIAL_SECRET",
      "Application credential secret");
  opt("--os-region-name", auth.region_name, "OS_REGION_NAME", "Region of the compute endpoint");
  opt("--os-interface", auth.interface, "OS_INTERFACE", "Endpoint interface: public, internal or admin");
}

sdk::Result<ClientOptions> connection_options(const ConnectionArgs& args) {
  ClientOptions options;
  options.timeout = std::chrono::milliseconds(static_cast<long long>(std::llround(args.timeout_seconds * 1000)));
  if (options.timeout.count() <= 0) return sdk::Status::InvalidArgument("--timeout must be positive");
  options.microversion = args.api_version;
  options.compute_url = args.url.empty() ? std::string(kDefaultComputeUrl) : args.url;
  if (!args.token.empty()) {
    options.token = args.token;
    return options;
  }
  if (!args.auth.wants_login()) return options;
  auto auth = resolve_cloud_auth(args.auth, clouds_yaml_search_path());
  if (!auth.ok()) return auth.status();
  auto session = keystone_login(*auth, options.timeout);
  if (!session.ok()) return session.status();
  options.token = session->token;
  if (args.url.empty()) options.compute_url = session->compute_url;
  return options;
}

int CommandContext::fail(const std::string& message, int code) const {
  *io.err << "stratus: " << name << ": " << message << "\n";
  return code;
}

int run_command(const std::string& name, const ConnectionArgs& args, const CommandIo& io, PollSettings poll,
                const std::function<int(CommandContext&)>& body) {
  try {
    auto resolved = connection_options(args);
    if (!resolved.ok()) {
      *io.err << "stratus: " << name << ": " << resolved.status().message() << "\n";
      // Unusable settings are a command-line problem; an unknown cloud or a
      // refused login is the configuration or the service saying no.
      return resolved.status().code() == sdk::StatusCode::kInvalidArgument ? 2 : 1;
    }
    ClientOptions options = *resolved;
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
