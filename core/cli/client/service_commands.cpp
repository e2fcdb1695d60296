// `stratus service list` (GET /os-services).
#include <memory>
#include <string>

#include "core/cli/client/client_commands.h"
#include "core/cli/client/command_support.h"

namespace stratus::core::client {

using nlohmann::json;

namespace {

std::string field(const json& obj, const char* key) {
  return obj.is_object() && obj.contains(key) ? cell(obj[key]) : "";
}

struct ListArgs {
  ConnectionArgs conn;
  std::string host, binary;
};

int service_list(CommandContext& ctx, const ListArgs& a) {
  Query query;
  if (!a.host.empty()) query.emplace_back("host", a.host);
  if (!a.binary.empty()) query.emplace_back("binary", a.binary);
  auto reply = ctx.client.get("/os-services", query);
  if (!reply.ok()) return ctx.fail(reply.status());
  if (!reply->is_object() || !reply->contains("services") || !(*reply)["services"].is_array()) {
    return ctx.fail("the answer to GET /os-services has no 'services' list");
  }
  Table t{{"ID", "Binary", "Host", "Zone", "Status", "State", "Updated At"}, {}};
  for (const auto& s : (*reply)["services"]) {
    t.rows.push_back({field(s, "id"), field(s, "binary"), field(s, "host"), field(s, "zone"), field(s, "status"),
                      field(s, "state"), field(s, "updated_at")});
  }
  *ctx.io.out << render_list(t, ctx.format);
  return 0;
}

}  // namespace

void add_service_commands(CLI::App& app, int& exit_code, const CommandIo& io, PollSettings poll) {
  CLI::App* service = app.add_subcommand("service", "List compute services (Compute API, admin)");
  service->require_subcommand(1);
  auto a = std::make_shared<ListArgs>();
  CLI::App* cmd = service->add_subcommand("list", "List services");
  cmd->add_option("--host", a->host, "Only services on this host");
  cmd->add_option("--service", a->binary, "Only this binary (nova-compute, nova-conductor, ...)");
  add_connection_options(cmd, a->conn);
  on_run<ListArgs>(cmd, a, "service list", exit_code, io, poll, &service_list);
}

}  // namespace stratus::core::client
