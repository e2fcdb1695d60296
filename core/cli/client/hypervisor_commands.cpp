// `stratus hypervisor list` (GET /os-hypervisors/detail).
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
  bool long_listing = false;
};

int hypervisor_list(CommandContext& ctx, const ListArgs& a) {
  auto hypervisors = ctx.client.list_all("/os-hypervisors/detail", "hypervisors");
  if (!hypervisors.ok()) return ctx.fail(hypervisors.status());
  Table t{{"ID", "Hypervisor Hostname", "Hypervisor Type", "Host IP", "State"}, {}};
  if (a.long_listing) {
    for (const char* c : {"vCPUs Used", "vCPUs", "Memory MB Used", "Memory MB", "Running VMs"}) t.columns.push_back(c);
  }
  for (const auto& h : *hypervisors) {
    std::vector<std::string> row = {field(h, "id"), field(h, "hypervisor_hostname"), field(h, "hypervisor_type"),
                                    field(h, "host_ip"), field(h, "state")};
    if (a.long_listing) {
      for (const char* k : {"vcpus_used", "vcpus", "memory_mb_used", "memory_mb", "running_vms"}) {
        row.push_back(field(h, k));
      }
    }
    t.rows.push_back(std::move(row));
  }
  *ctx.io.out << render_list(t, ctx.format);
  return 0;
}

}  // namespace

void add_hypervisor_commands(CLI::App& app, int& exit_code, const CommandIo& io, PollSettings poll) {
  CLI::App* hypervisor = app.add_subcommand("hypervisor", "List hypervisors (Compute API, admin)");
  hypervisor->require_subcommand(1);
  auto a = std::make_shared<ListArgs>();
  CLI::App* cmd = hypervisor->add_subcommand("list", "List hypervisors");
  cmd->add_flag("--long", a->long_listing, "Also vCPU and memory usage");
  add_connection_options(cmd, a->conn);
  on_run<ListArgs>(cmd, a, "hypervisor list", exit_code, io, poll, &hypervisor_list);
}

}  // namespace stratus::core::client
