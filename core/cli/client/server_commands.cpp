// `stratus server create|list|show|delete|reboot|stop|start|console-log`.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/cli/client/client_commands.h"
#include "core/cli/client/command_support.h"
#include "core/cli/client/resource_lookup.h"

namespace stratus::core::client {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

namespace {

// Nova takes "networks": "auto" | "none" from microversion 2.37 on.
constexpr const char* kAutoNetworkMicroversion = "2.37";

std::string text_of(const json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key)) return "";
  const auto& v = obj[key];
  if (v.is_string()) return v.get<std::string>();
  return v.is_null() ? "" : v.dump();
}

// "2.37" -> 37 (major 2 assumed, as in Nova); "latest" -> a large number.
int microversion_minor(const std::string& version) {
  if (version == "latest") return 1'000;
  const auto dot = version.find('.');
  if (dot == std::string::npos) return 0;
  try {
    return std::stoi(version.substr(dot + 1));
  } catch (const std::exception&) {
    return 0;
  }
}

std::string base64(const std::string& data) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
    out += {table[(n >> 18) & 63], table[(n >> 12) & 63], table[(n >> 6) & 63], table[n & 63]};
  }
  if (i + 1 == data.size()) {
    const unsigned n = static_cast<unsigned char>(data[i]) << 16;
    out += {table[(n >> 18) & 63], table[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == data.size()) {
    const unsigned n = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out += {table[(n >> 18) & 63], table[(n >> 12) & 63], table[(n >> 6) & 63], '='};
  }
  return out;
}

// Names of flavors and images by id, fetched once and only when needed. A
// failed lookup leaves the id to be shown instead.
class NameCache {
 public:
  explicit NameCache(ComputeClient& client) : client_(client) {}

  // is_public=None: an admin's servers may use private flavors (see resolve_flavor).
  std::string flavor(const std::string& id) {
    return lookup(flavors_, "/flavors/detail", "flavors", id, {{"is_public", "None"}});
  }
  std::string image(const std::string& id) { return lookup(images_, "/images/detail", "images", id); }

 private:
  std::string lookup(std::optional<std::map<std::string, std::string>>& cache, const char* path, const char* key,
                     const std::string& id, Query query = {}) {
    if (!cache) {
      cache.emplace();
      auto items = client_.list_all(path, key, std::move(query));
      if (items.ok()) {
        for (const auto& item : *items) (*cache)[text_of(item, "id")] = text_of(item, "name");
      }
    }
    const auto it = cache->find(id);
    return it == cache->end() ? "" : it->second;
  }

  ComputeClient& client_;
  std::optional<std::map<std::string, std::string>> flavors_;
  std::optional<std::map<std::string, std::string>> images_;
};

struct ImageFlavor {
  std::string image_name, image_id, flavor_name, flavor_id;
};

ImageFlavor describe_image_flavor(const json& server, NameCache& names) {
  ImageFlavor out;
  const json image = server.value("image", json());
  if (image.is_object()) {
    out.image_id = text_of(image, "id");
    out.image_name = names.image(out.image_id);
  } else {
    out.image_name = "N/A (booted from volume)";
  }
  const json flavor = server.value("flavor", json());
  if (flavor.is_object() && flavor.contains("original_name")) {
    out.flavor_name = text_of(flavor, "original_name");  // microversion 2.47+
  } else if (flavor.is_object()) {
    out.flavor_id = text_of(flavor, "id");
    out.flavor_name = names.flavor(out.flavor_id);
  }
  return out;
}

std::string name_or_id(const std::string& name, const std::string& id) { return name.empty() ? id : name; }

// One server as `server show` prints it. Table: openstackclient's formatting;
// json: the API's object without links.
Record server_record(const json& server, OutputFormat format, NameCache& names,
                     const std::optional<std::string>& admin_pass = std::nullopt) {
  Record r;
  for (const auto& [key, value] : server.items()) {
    if (key == "links") continue;
    if (format == OutputFormat::kJson) {
      r.fields.emplace_back(key, value);
      continue;
    }
    if (key == "addresses") {
      r.fields.emplace_back(key, format_addresses(value));
    } else if (key == "flavor") {
      const auto d = describe_image_flavor(server, names);
      if (value.is_object() && value.contains("original_name")) {
        r.fields.emplace_back(key, d.flavor_name + " (vcpus=" + text_of(value, "vcpus") + ", ram=" +
                                       text_of(value, "ram") + ", disk=" + text_of(value, "disk") + ")");
      } else {
        r.fields.emplace_back(key, d.flavor_name.empty() ? d.flavor_id : d.flavor_name + " (" + d.flavor_id + ")");
      }
    } else if (key == "image") {
      const auto d = describe_image_flavor(server, names);
      r.fields.emplace_back(key, d.image_id.empty() || d.image_name.empty() ? name_or_id(d.image_name, d.image_id)
                                                                            : d.image_name + " (" + d.image_id + ")");
    } else if (key == "tenant_id") {
      r.fields.emplace_back("project_id", value);
    } else if (key == "metadata") {
      r.fields.emplace_back("properties", format_properties(value));
    } else if (key == "OS-EXT-STS:power_state") {
      r.fields.emplace_back(key, format_power_state(value));
    } else if (key == "fault" && value.is_object()) {
      r.fields.emplace_back(key, text_of(value, "message") + " (code " + text_of(value, "code") + ")");
    } else if (key == "security_groups" && value.is_array()) {
      std::string groups;
      for (const auto& g : value) groups += (groups.empty() ? "" : ", ") + std::string("name='") + text_of(g, "name") + "'";
      r.fields.emplace_back(key, groups);
    } else if (key == "os-extended-volumes:volumes_attached" && value.is_array()) {
      std::string ids;
      for (const auto& v : value) ids += (ids.empty() ? "" : ", ") + text_of(v, "id");
      r.fields.emplace_back("volumes_attached", ids);
    } else {
      r.fields.emplace_back(key, value);
    }
  }
  if (admin_pass) r.fields.emplace_back("adminPass", *admin_pass);
  if (format == OutputFormat::kTable) {
    std::sort(r.fields.begin(), r.fields.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  }
  return r;
}

Result<json> get_server(ComputeClient& client, const std::string& id) {
  auto reply = client.get("/servers/" + id);
  if (!reply.ok()) return reply.status();
  if (!reply->is_object() || !reply->contains("server")) {
    return Status::Internal("the answer to GET /servers/" + id + " has no 'server'");
  }
  return (*reply)["server"];
}

Table servers_table(const std::vector<json>& servers, bool long_listing, NameCache& names) {
  Table t;
  t.columns = long_listing ? std::vector<std::string>{"ID", "Name", "Status", "Task State", "Power State", "Networks",
                                                      "Image Name", "Image ID", "Flavor Name", "Flavor ID",
                                                      "Availability Zone", "Host", "Properties"}
                           : std::vector<std::string>{"ID", "Name", "Status", "Networks", "Image", "Flavor"};
  for (const auto& s : servers) {
    const auto d = describe_image_flavor(s, names);
    const std::string networks = format_addresses(s.value("addresses", json()));
    if (long_listing) {
      t.rows.push_back({text_of(s, "id"), text_of(s, "name"), text_of(s, "status"),
                        text_of(s, "OS-EXT-STS:task_state").empty() ? "None" : text_of(s, "OS-EXT-STS:task_state"),
                        format_power_state(s.value("OS-EXT-STS:power_state", json())), networks, d.image_name,
                        d.image_id, d.flavor_name, d.flavor_id, text_of(s, "OS-EXT-AZ:availability_zone"),
                        text_of(s, "OS-EXT-SRV-ATTR:host"), format_properties(s.value("metadata", json()))});
    } else {
      t.rows.push_back({text_of(s, "id"), text_of(s, "name"), text_of(s, "status"), networks,
                        name_or_id(d.image_name, d.image_id), name_or_id(d.flavor_name, d.flavor_id)});
    }
  }
  return t;
}

// ---- server create -------------------------------------------------------

struct CreateArgs {
  ConnectionArgs conn;
  std::string name, flavor, image, key_name, user_data_file, availability_zone;
  std::vector<std::string> networks, properties;
  int count = 1;
  bool wait = false;
  bool config_drive = false;
};

// The servers one multi-create made: those of its reservation, named like it.
Result<std::vector<json>> reservation_servers(ComputeClient& client, const std::string& reservation_id,
                                              const std::string& name, std::chrono::milliseconds request_timeout) {
  client.set_request_timeout(request_timeout);
  auto listed = client.list_all("/servers/detail", "servers", {{"reservation_id", reservation_id}});
  if (!listed.ok()) return listed.status();
  std::vector<json> out;
  for (const auto& s : *listed) {
    const std::string rid = text_of(s, "OS-EXT-SRV-ATTR:reservation_id");
    if (!rid.empty() && rid != reservation_id) continue;
    const std::string n = text_of(s, "name");
    if (n != name && n.rfind(name + "-", 0) != 0) continue;  // a server that ignored the filter
    out.push_back(s);
  }
  return out;
}

int create_many(CommandContext& ctx, const CreateArgs& a, const std::string& reservation_id) {
  NameCache names(ctx.client);
  const auto started = std::chrono::steady_clock::now();
  const auto fetch = [&]() {
    const auto left = ctx.wait.timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - started);
    return reservation_servers(ctx.client, reservation_id, a.name,
                               std::max(left, std::min(ctx.wait.timeout, std::chrono::milliseconds(1'000))));
  };
  std::vector<json> servers;
  if (!a.wait) {
    auto listed = fetch();
    if (!listed.ok()) return ctx.fail(listed.status());
    servers = std::move(*listed);
  } else {
    std::string last_line;
    const auto progress = [&](const FleetProgress& p) {
      const std::string line = p.to_string();
      if (ctx.io.err_is_tty) {
        *ctx.io.err << "\r" << line << std::string(last_line.size() > line.size() ? last_line.size() - line.size() : 0, ' ')
                    << std::flush;
      } else if (line != last_line) {
        *ctx.io.err << line << "\n";
      }
      last_line = line;
    };
    auto waited = wait_for_servers(fetch, static_cast<std::size_t>(a.count), WaitTarget::kActive, ctx.wait, progress);
    if (ctx.io.err_is_tty && !last_line.empty()) *ctx.io.err << "\n";
    ctx.client.set_request_timeout(ctx.client.options().timeout);
    if (!waited.ok()) return ctx.fail(waited.status());
    servers = std::move(*waited);
  }
  std::sort(servers.begin(), servers.end(),
            [](const json& x, const json& y) { return text_of(x, "name") < text_of(y, "name"); });
  *ctx.io.out << render_list(servers_table(servers, false, names), ctx.format);
  if (!a.wait) return 0;
  std::size_t errors = 0, active = 0;
  for (const auto& s : servers) {
    if (text_of(s, "status") == "ERROR") {
      ++errors;
      ctx.fail("server " + text_of(s, "id") + " (" + text_of(s, "name") + ") is in ERROR: " + fault_message(s));
    } else if (text_of(s, "status") == "ACTIVE") {
      ++active;
    }
  }
  if (ctx.format == OutputFormat::kTable) {
    *ctx.io.out << "reservation " << reservation_id << ": " << active << "/" << a.count << " ACTIVE, " << errors
                << " ERROR\n";
  }
  return errors == 0 ? 0 : 1;
}

int server_create(CommandContext& ctx, const CreateArgs& a) {
  // Local checks first: a bad command line changes nothing.
  json metadata = json::object();
  for (const auto& p : a.properties) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) return ctx.fail("--property takes key=value, not '" + p + "'", 2);
    metadata[p.substr(0, eq)] = p.substr(eq + 1);
  }
  std::optional<std::string> special_network;  // "auto" or "none"
  json networks = json::array();
  for (const auto& n : a.networks) {
    if (n == "auto" || n == "none") {
      special_network = n;
    } else if (is_uuid_like(n)) {
      networks.push_back({{"uuid", n}});
    } else {
      return ctx.fail("--network takes auto, none or a network UUID, not '" + n + "'", 2);
    }
  }
  if (special_network && a.networks.size() > 1) {
    return ctx.fail("--network " + *special_network + " cannot be combined with other --network options", 2);
  }
  std::optional<std::string> user_data;
  if (!a.user_data_file.empty()) {
    std::ifstream in(a.user_data_file, std::ios::binary);
    if (!in) return ctx.fail("cannot read --user-data file '" + a.user_data_file + "'", 2);
    user_data = base64(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
  }

  auto flavor = resolve_flavor(ctx.client, a.flavor);
  if (!flavor.ok()) return ctx.fail(flavor.status());
  auto image = resolve_image(ctx.client, a.image);
  if (!image.ok()) return ctx.fail(image.status());

  json server = {{"name", a.name}, {"flavorRef", text_of(*flavor, "id")}, {"imageRef", text_of(*image, "id")}};
  if (!a.key_name.empty()) server["key_name"] = a.key_name;
  if (!a.availability_zone.empty()) server["availability_zone"] = a.availability_zone;
  if (!metadata.empty()) server["metadata"] = metadata;
  if (user_data) server["user_data"] = *user_data;
  if (a.config_drive) server["config_drive"] = true;
  if (a.count > 1) {
    server["min_count"] = a.count;
    server["max_count"] = a.count;
    server["return_reservation_id"] = true;
  }
  const std::string configured = ctx.client.options().microversion;
  const bool new_networks = microversion_minor(configured) >= microversion_minor(kAutoNetworkMicroversion);
  std::optional<std::string> microversion;
  if (special_network) {
    server["networks"] = *special_network;
    if (!new_networks) microversion = kAutoNetworkMicroversion;
  } else if (!networks.empty()) {
    server["networks"] = networks;
  } else if (new_networks) {
    server["networks"] = "auto";  // required from 2.37 on; what openstackclient sends
  }

  auto created = ctx.client.post("/servers", {{"server", server}}, microversion);
  if (!created.ok() && microversion && created.status().code() == sdk::StatusCode::kNotSupported) {
    // The API predates 2.37. Before 2.37 no "networks" means Nova's automatic
    // choice, which is what "auto" asks for; "none" cannot be said at all.
    if (*special_network == "none") {
      return ctx.fail("--network none needs Compute API microversion 2.37, which " +
                      ctx.client.options().compute_url + " does not support (" + created.status().message() + ")");
    }
    server.erase("networks");
    *ctx.io.err << "stratus: " << ctx.name << ": note: the API does not support microversion 2.37; "
                << "creating without --network auto (the API picks the networks)\n";
    created = ctx.client.post("/servers", {{"server", server}});
  }
  if (!created.ok()) return ctx.fail(created.status());

  if (a.count > 1) {
    const std::string reservation_id = text_of(*created, "reservation_id");
    if (reservation_id.empty()) return ctx.fail("the API answered a multiple create without a reservation_id");
    return create_many(ctx, a, reservation_id);
  }
  const json reply = created->is_object() ? created->value("server", json::object()) : json::object();
  const std::string id = text_of(reply, "id");
  if (id.empty()) return ctx.fail("the API answered the create without a server id");
  std::optional<std::string> admin_pass;
  if (reply.contains("adminPass")) admin_pass = text_of(reply, "adminPass");

  json shown;
  if (a.wait) {
    auto waited = wait_for_server(ctx.client, id, WaitTarget::kActive, ctx.wait);
    if (!waited.ok()) return ctx.fail(waited.status());
    shown = std::move(*waited);
  } else {
    auto got = get_server(ctx.client, id);
    if (!got.ok()) return ctx.fail(got.status());
    shown = std::move(*got);
  }
  NameCache names(ctx.client);
  *ctx.io.out << render_record(server_record(shown, ctx.format, names, admin_pass), ctx.format);
  return 0;
}

// ---- list, show, console-log -----------------------------------------------

struct ListArgs {
  ConnectionArgs conn;
  bool all_projects = false, long_listing = false;
  std::string status, name;
};

int server_list(CommandContext& ctx, const ListArgs& a) {
  Query query;
  if (a.all_projects) query.emplace_back("all_tenants", "True");
  if (!a.status.empty()) query.emplace_back("status", a.status);
  if (!a.name.empty()) query.emplace_back("name", a.name);
  auto servers = ctx.client.list_all("/servers/detail", "servers", query);
  if (!servers.ok()) return ctx.fail(servers.status());
  NameCache names(ctx.client);
  *ctx.io.out << render_list(servers_table(*servers, a.long_listing, names), ctx.format);
  return 0;
}

struct ShowArgs {
  ConnectionArgs conn;
  std::string server;
};

int server_show(CommandContext& ctx, const ShowArgs& a) {
  auto id = resolve_server(ctx.client, a.server);
  if (!id.ok()) return ctx.fail(id.status());
  auto server = get_server(ctx.client, *id);
  if (!server.ok()) return ctx.fail(server.status());
  NameCache names(ctx.client);
  *ctx.io.out << render_record(server_record(*server, ctx.format, names), ctx.format);
  return 0;
}

struct ConsoleArgs {
  ConnectionArgs conn;
  std::string server;
  int lines = -1;
};

int server_console_log(CommandContext& ctx, const ConsoleArgs& a) {
  auto id = resolve_server(ctx.client, a.server);
  if (!id.ok()) return ctx.fail(id.status());
  json request = json::object();
  if (a.lines >= 0) request["length"] = a.lines;
  auto reply = ctx.client.post("/servers/" + *id + "/action", {{"os-getConsoleOutput", request}});
  if (!reply.ok()) return ctx.fail(reply.status());
  const std::string output = text_of(*reply, "output");
  *ctx.io.out << output;
  if (!output.empty() && output.back() != '\n') *ctx.io.out << "\n";
  return 0;
}

// ---- delete, reboot, stop, start -----------------------------------------

struct ActionArgs {
  ConnectionArgs conn;
  std::vector<std::string> servers;
  bool wait = false;
  bool hard = false;
};

// Resolves each server, sends `send(id)`, then (with --wait) waits for each to
// reach `target` within one shared deadline. Failures are reported per server
// and the others still proceed.
int act_on_servers(CommandContext& ctx, const ActionArgs& a, WaitTarget target,
                   const std::function<Result<json>(const std::string&)>& send) {
  int failures = 0;
  std::vector<std::string> sent;
  for (const auto& s : a.servers) {
    auto id = resolve_server(ctx.client, s);
    if (!id.ok()) {
      ctx.fail(id.status());
      ++failures;
      continue;
    }
    auto reply = send(*id);
    if (!reply.ok()) {
      ctx.fail(reply.status());
      ++failures;
      continue;
    }
    sent.push_back(*id);
  }
  if (a.wait) {
    const auto deadline = std::chrono::steady_clock::now() + ctx.wait.timeout;
    for (const auto& id : sent) {
      WaitOptions w = ctx.wait;
      w.timeout = std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                             deadline - std::chrono::steady_clock::now()));
      auto waited = wait_for_server(ctx.client, id, target, w);
      if (!waited.ok()) {
        ctx.fail(waited.status());
        ++failures;
      }
    }
  }
  if (failures > 0 && a.servers.size() > 1) {
    ctx.fail(std::to_string(failures) + " of " + std::to_string(a.servers.size()) + " servers failed");
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

void add_server_commands(CLI::App& app, int& exit_code, const CommandIo& io, PollSettings poll) {
  CLI::App* server = app.add_subcommand("server", "Create, list and act on servers (Compute API)");
  server->require_subcommand(1);

  {
    auto a = std::make_shared<CreateArgs>();
    CLI::App* cmd = server->add_subcommand("create", "Create a server (POST /servers)");
    cmd->add_option("name", a->name, "New server name")->required();
    cmd->add_option("--flavor", a->flavor, "Flavor name or ID")->required();
    cmd->add_option("--image", a->image, "Image name or ID")->required();
    cmd->add_option("--network", a->networks, "auto, none or a network UUID (repeatable)")->allow_extra_args(false);
    cmd->add_option("--key-name", a->key_name, "Keypair to inject");
    cmd->add_option("--user-data", a->user_data_file, "File passed to the server as user data");
    cmd->add_flag("--config-drive", a->config_drive, "Attach a config drive (user data and metadata on an ISO)");
    cmd->add_option("--availability-zone", a->availability_zone, "Availability zone");
    cmd->add_option("--property", a->properties, "Metadata key=value (repeatable)")->allow_extra_args(false);
    cmd->add_option("--count", a->count, "Create this many servers (min_count = max_count = N)")
        ->check(CLI::Range(1, 10000));
    cmd->add_flag("--wait", a->wait, "Wait until ACTIVE (or ERROR) before returning");
    add_connection_options(cmd, a->conn);
    on_run<CreateArgs>(cmd, a, "server create", exit_code, io, poll, &server_create);
  }
  {
    auto a = std::make_shared<ListArgs>();
    CLI::App* cmd = server->add_subcommand("list", "List servers (GET /servers/detail)");
    cmd->add_flag("--all-projects", a->all_projects, "Servers of every project (admin)");
    cmd->add_option("--status", a->status, "Only servers in this status (ACTIVE, BUILD, ERROR, SHUTOFF, ...)");
    cmd->add_option("--name", a->name, "Only servers whose name matches this regular expression");
    cmd->add_flag("--long", a->long_listing, "More columns");
    add_connection_options(cmd, a->conn);
    on_run<ListArgs>(cmd, a, "server list", exit_code, io, poll, &server_list);
  }
  {
    auto a = std::make_shared<ShowArgs>();
    CLI::App* cmd = server->add_subcommand("show", "Show one server");
    cmd->add_option("server", a->server, "Server name or ID")->required();
    add_connection_options(cmd, a->conn);
    on_run<ShowArgs>(cmd, a, "server show", exit_code, io, poll, &server_show);
  }
  {
    auto a = std::make_shared<ActionArgs>();
    CLI::App* cmd = server->add_subcommand("delete", "Delete servers");
    cmd->add_option("server", a->servers, "Server names or IDs")->required();
    cmd->add_flag("--wait", a->wait, "Wait until the servers are gone");
    add_connection_options(cmd, a->conn, false);
    on_run<ActionArgs>(cmd, a, "server delete", exit_code, io, poll, +[](CommandContext& ctx, const ActionArgs& args) {
      return act_on_servers(ctx, args, WaitTarget::kGone,
                            [&ctx](const std::string& id) { return ctx.client.del("/servers/" + id); });
    });
  }
  {
    auto a = std::make_shared<ActionArgs>();
    CLI::App* cmd = server->add_subcommand("reboot", "Reboot a server (soft unless --hard)");
    cmd->add_option("server", a->servers, "Server name or ID")->required()->expected(1);
    cmd->add_flag("--hard", a->hard, "Hard reboot (power cycle)");
    cmd->add_flag("--wait", a->wait, "Wait until the server is ACTIVE again");
    add_connection_options(cmd, a->conn, false);
    on_run<ActionArgs>(cmd, a, "server reboot", exit_code, io, poll, +[](CommandContext& ctx, const ActionArgs& args) {
      const json body = {{"reboot", {{"type", args.hard ? "HARD" : "SOFT"}}}};
      return act_on_servers(ctx, args, WaitTarget::kActive, [&ctx, &body](const std::string& id) {
        return ctx.client.post("/servers/" + id + "/action", body);
      });
    });
  }
  {
    auto a = std::make_shared<ActionArgs>();
    CLI::App* cmd = server->add_subcommand("stop", "Stop (power off) servers");
    cmd->add_option("server", a->servers, "Server names or IDs")->required();
    cmd->add_flag("--wait", a->wait, "Wait until the servers are SHUTOFF");
    add_connection_options(cmd, a->conn, false);
    on_run<ActionArgs>(cmd, a, "server stop", exit_code, io, poll, +[](CommandContext& ctx, const ActionArgs& args) {
      return act_on_servers(ctx, args, WaitTarget::kShutoff, [&ctx](const std::string& id) {
        return ctx.client.post("/servers/" + id + "/action", {{"os-stop", nullptr}});
      });
    });
  }
  {
    auto a = std::make_shared<ActionArgs>();
    CLI::App* cmd = server->add_subcommand("start", "Start (power on) servers");
    cmd->add_option("server", a->servers, "Server names or IDs")->required();
    cmd->add_flag("--wait", a->wait, "Wait until the servers are ACTIVE");
    add_connection_options(cmd, a->conn, false);
    on_run<ActionArgs>(cmd, a, "server start", exit_code, io, poll, +[](CommandContext& ctx, const ActionArgs& args) {
      return act_on_servers(ctx, args, WaitTarget::kActive, [&ctx](const std::string& id) {
        return ctx.client.post("/servers/" + id + "/action", {{"os-start", nullptr}});
      });
    });
  }
  {
    auto a = std::make_shared<ConsoleArgs>();
    CLI::App* cmd = server->add_subcommand("console-log", "Print a server's console output");
    cmd->add_option("server", a->server, "Server name or ID")->required();
    cmd->add_option("--lines", a->lines, "Only the last N lines")->check(CLI::NonNegativeNumber);
    add_connection_options(cmd, a->conn, false);
    on_run<ConsoleArgs>(cmd, a, "server console-log", exit_code, io, poll, &server_console_log);
  }
}

}  // namespace stratus::core::client
