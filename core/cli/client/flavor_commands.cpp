// `stratus flavor list|show|create|delete`.
#include <memory>
#include <string>
#include <vector>

#include "core/cli/client/client_commands.h"
#include "core/cli/client/command_support.h"
#include "core/cli/client/resource_lookup.h"

namespace stratus::core::client {

using nlohmann::json;

namespace {

std::string text_of(const json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key)) return "";
  const auto& v = obj[key];
  return v.is_string() ? v.get<std::string>() : cell(v);
}

Record flavor_record(const json& flavor, OutputFormat format) {
  Record r;
  for (const auto& [key, value] : flavor.items()) {
    if (key == "links") continue;
    if (format == OutputFormat::kTable && key == "extra_specs") {
      r.fields.emplace_back("properties", format_properties(value));
    } else {
      r.fields.emplace_back(key, value);
    }
  }
  return r;
}

struct ListArgs {
  ConnectionArgs conn;
  bool all = false;
};

int flavor_list(CommandContext& ctx, const ListArgs& a) {
  Query query;
  if (a.all) query.emplace_back("is_public", "None");
  auto flavors = ctx.client.list_all("/flavors/detail", "flavors", query);
  if (!flavors.ok()) return ctx.fail(flavors.status());
  Table t{{"ID", "Name", "RAM", "Disk", "Ephemeral", "VCPUs", "Is Public"}, {}};
  for (const auto& f : *flavors) {
    t.rows.push_back({text_of(f, "id"), text_of(f, "name"), text_of(f, "ram"), text_of(f, "disk"),
                      text_of(f, "OS-FLV-EXT-DATA:ephemeral"), text_of(f, "vcpus"),
                      text_of(f, "os-flavor-access:is_public")});
  }
  *ctx.io.out << render_list(t, ctx.format);
  return 0;
}

struct ShowArgs {
  ConnectionArgs conn;
  std::string flavor;
};

int flavor_show(CommandContext& ctx, const ShowArgs& a) {
  auto flavor = resolve_flavor(ctx.client, a.flavor);
  if (!flavor.ok()) return ctx.fail(flavor.status());
  *ctx.io.out << render_record(flavor_record(*flavor, ctx.format), ctx.format);
  return 0;
}

struct CreateArgs {
  ConnectionArgs conn;
  std::string name, id;
  int vcpus = 0, ram = 0, disk = 0, ephemeral = 0, swap = 0;
  bool is_private = false;
};

int flavor_create(CommandContext& ctx, const CreateArgs& a) {
  json flavor = {{"name", a.name}, {"vcpus", a.vcpus}, {"ram", a.ram}, {"disk", a.disk}};
  if (!a.id.empty() && a.id != "auto") flavor["id"] = a.id;
  if (a.ephemeral > 0) flavor["OS-FLV-EXT-DATA:ephemeral"] = a.ephemeral;
  if (a.swap > 0) flavor["swap"] = a.swap;
  if (a.is_private) flavor["os-flavor-access:is_public"] = false;
  auto created = ctx.client.post("/flavors", {{"flavor", flavor}});
  if (!created.ok()) return ctx.fail(created.status());
  const json out = created->is_object() ? created->value("flavor", json::object()) : json::object();
  *ctx.io.out << render_record(flavor_record(out, ctx.format), ctx.format);
  return 0;
}

struct DeleteArgs {
  ConnectionArgs conn;
  std::vector<std::string> flavors;
};

int flavor_delete(CommandContext& ctx, const DeleteArgs& a) {
  int failures = 0;
  for (const auto& f : a.flavors) {
    auto flavor = resolve_flavor(ctx.client, f);
    auto deleted = flavor.ok() ? ctx.client.del("/flavors/" + url_encode(text_of(*flavor, "id")))
                               : sdk::Result<json>(flavor.status());
    if (!deleted.ok()) {
      ctx.fail(deleted.status());
      ++failures;
    }
  }
  if (failures > 0 && a.flavors.size() > 1) {
    ctx.fail(std::to_string(failures) + " of " + std::to_string(a.flavors.size()) + " flavors failed");
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

void add_flavor_commands(CLI::App& app, int& exit_code, const CommandIo& io, PollSettings poll) {
  CLI::App* flavor = app.add_subcommand("flavor", "List, show, create and delete flavors (Compute API)");
  flavor->require_subcommand(1);
  {
    auto a = std::make_shared<ListArgs>();
    CLI::App* cmd = flavor->add_subcommand("list", "List flavors");
    cmd->add_flag("--all", a->all, "Public and private flavors (admin)");
    add_connection_options(cmd, a->conn);
    on_run<ListArgs>(cmd, a, "flavor list", exit_code, io, poll, &flavor_list);
  }
  {
    auto a = std::make_shared<ShowArgs>();
    CLI::App* cmd = flavor->add_subcommand("show", "Show one flavor");
    cmd->add_option("flavor", a->flavor, "Flavor name or ID")->required();
    add_connection_options(cmd, a->conn);
    on_run<ShowArgs>(cmd, a, "flavor show", exit_code, io, poll, &flavor_show);
  }
  {
    auto a = std::make_shared<CreateArgs>();
    CLI::App* cmd = flavor->add_subcommand("create", "Create a flavor (admin)");
    cmd->add_option("name", a->name, "New flavor name")->required();
    cmd->add_option("--vcpus", a->vcpus, "Number of vCPUs")->required()->check(CLI::PositiveNumber);
    cmd->add_option("--ram", a->ram, "Memory in MiB")->required()->check(CLI::PositiveNumber);
    cmd->add_option("--disk", a->disk, "Root disk in GiB")->required()->check(CLI::NonNegativeNumber);
    cmd->add_option("--id", a->id, "Flavor ID (default: the API picks a UUID)");
    cmd->add_option("--ephemeral", a->ephemeral, "Ephemeral disk in GiB")->check(CLI::NonNegativeNumber);
    cmd->add_option("--swap", a->swap, "Swap in MiB")->check(CLI::NonNegativeNumber);
    cmd->add_flag("--private", a->is_private, "Only projects given access may use it");
    add_connection_options(cmd, a->conn);
    on_run<CreateArgs>(cmd, a, "flavor create", exit_code, io, poll, &flavor_create);
  }
  {
    auto a = std::make_shared<DeleteArgs>();
    CLI::App* cmd = flavor->add_subcommand("delete", "Delete flavors (admin)");
    cmd->add_option("flavor", a->flavors, "Flavor names or IDs")->required();
    add_connection_options(cmd, a->conn, false);
    on_run<DeleteArgs>(cmd, a, "flavor delete", exit_code, io, poll, &flavor_delete);
  }
}

}  // namespace stratus::core::client
