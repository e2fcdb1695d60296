// `stratus network create|list|delete`: the operator's tools for tenant
// networks. They work on the database in the data directory directly (as
// `stratus aio` finds it: --data-dir, else the config's data_dir), so they
// need no running API and no token; a running cloud sees the change at once
// (SQLite allows the second writer).
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/cli/commands.h"
#include "core/db/database.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"

namespace stratus::core {

namespace {

struct NetworkCommandOptions {
  std::string data_dir;  // empty: the config's
  std::string format = "table";
  // create
  std::string name;
  std::string subnet_range;
  std::string gateway;
  bool no_gateway = false;
  bool shared = false;
  std::string project;
  std::vector<std::string> dns;
  std::string pool_start;
  std::string pool_end;
  // delete
  std::vector<std::string> targets;
};

sdk::Result<std::unique_ptr<db::Database>> open_database(const GlobalOptions& options,
                                                         const NetworkCommandOptions& opts) {
  auto env = make_environment(options);
  if (!env.ok()) return env.status();
  const std::string dir = opts.data_dir.empty() ? (*env)->config.data_dir : opts.data_dir;
  // --data-dir given: SQLite there; else the config's [database].
  auto db = db::Database::open(opts.data_dir.empty() ? (*env)->config.database.connection : std::string(), dir);
  if (!db.ok()) return sdk::Status(db.status().code(), "database in " + dir + ": " + db.status().message());
  return db;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s + " ";
}

nlohmann::json to_json(const db::NetworkRecord& n, const std::vector<db::SubnetRecord>& subnets) {
  nlohmann::json out = {{"id", n.uuid},      {"name", n.name},     {"project_id", n.project_id},
                        {"shared", n.shared}, {"subnets", nlohmann::json::array()}};
  for (const auto& s : subnets) {
    if (s.network_uuid != n.uuid) continue;
    out["subnets"].push_back({{"id", s.uuid},
                              {"name", s.name},
                              {"cidr", s.cidr},
                              {"gateway_ip", s.gateway.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.gateway)},
                              {"dns_nameservers", s.dns_nameservers}});
  }
  return out;
}

void print(const std::vector<db::NetworkRecord>& networks, const std::vector<db::SubnetRecord>& subnets,
           const std::string& format) {
  if (format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& n : networks) list.push_back(to_json(n, subnets));
    std::cout << list.dump(2) << "\n";
    return;
  }
  std::cout << pad("ID", 36) << pad("NAME", 16) << pad("SUBNET", 18) << pad("GATEWAY", 15) << pad("SHARED", 6)
            << "PROJECT\n";
  for (const auto& n : networks) {
    std::cout << pad(n.uuid, 36) << pad(n.name, 16) << pad(n.cidr.empty() ? "-" : n.cidr, 18)
              << pad(n.gateway.empty() ? "-" : n.gateway, 15) << pad(n.shared ? "yes" : "no", 6)
              << (n.project_id.empty() ? "-" : n.project_id) << "\n";
  }
}

int create(const GlobalOptions& options, const NetworkCommandOptions& opts) {
  auto db = open_database(options, opts);
  if (!db.ok()) {
    std::cerr << "stratus: " << db.status().message() << "\n";
    return 2;
  }
  db::NetworkRecord net;
  net.name = opts.name;
  net.shared = opts.shared;
  net.project_id = opts.project;
  db::SubnetRecord subnet;
  subnet.name = opts.name + "-subnet";
  subnet.cidr = opts.subnet_range;
  subnet.gateway = opts.gateway;
  subnet.has_gateway = !opts.no_gateway;
  subnet.dns_nameservers = opts.dns;
  subnet.pool_start = opts.pool_start;
  subnet.pool_end = opts.pool_end;
  auto created = db::NetworkRepository(**db).create(net, subnet);
  if (!created.ok()) {
    std::cerr << "stratus: network create: " << created.status().message() << "\n";
    return 1;
  }
  auto subnets = db::SubnetRepository(**db).list_by_network(created->uuid);
  print({*created}, subnets.ok() ? *subnets : std::vector<db::SubnetRecord>{}, opts.format);
  return 0;
}

int list(const GlobalOptions& options, const NetworkCommandOptions& opts) {
  auto db = open_database(options, opts);
  if (!db.ok()) {
    std::cerr << "stratus: " << db.status().message() << "\n";
    return 2;
  }
  auto networks = db::NetworkRepository(**db).list();
  auto subnets = db::SubnetRepository(**db).list();
  if (!networks.ok() || !subnets.ok()) {
    std::cerr << "stratus: network list: " << (networks.ok() ? subnets.status() : networks.status()).message()
              << "\n";
    return 1;
  }
  print(*networks, *subnets, opts.format);
  return 0;
}

int remove(const GlobalOptions& options, const NetworkCommandOptions& opts) {
  auto db = open_database(options, opts);
  if (!db.ok()) {
    std::cerr << "stratus: " << db.status().message() << "\n";
    return 2;
  }
  db::NetworkRepository networks(**db);
  auto all = networks.list();
  if (!all.ok()) {
    std::cerr << "stratus: network delete: " << all.status().message() << "\n";
    return 1;
  }
  int failures = 0;
  for (const auto& target : opts.targets) {
    std::vector<std::string> ids;
    for (const auto& n : *all) {
      if (n.uuid == target) ids = {n.uuid};
    }
    if (ids.empty()) {
      for (const auto& n : *all) {
        if (n.name == target) ids.push_back(n.uuid);
      }
    }
    if (ids.size() != 1) {
      std::cerr << "stratus: network delete: "
                << (ids.empty() ? "no network named or with id '" + target + "'"
                                : std::to_string(ids.size()) + " networks are named '" + target +
                                      "': delete by id")
                << "\n";
      ++failures;
      continue;
    }
    auto st = networks.remove(ids[0]);
    if (!st.ok()) {
      std::cerr << "stratus: network delete " << target << ": " << st.message() << "\n";
      ++failures;
      continue;
    }
    std::cout << "deleted network " << target << " (" << ids[0] << ")\n";
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

void add_network_commands(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  static NetworkCommandOptions opts;
  CLI::App* network = app.add_subcommand("network", "Create, list and delete tenant networks (in the database)");
  network->require_subcommand(1);
  auto data_dir = [](CLI::App* cmd) {
    cmd->add_option("--data-dir", opts.data_dir, "Data directory of the database (default: config data_dir)");
  };
  auto format = [](CLI::App* cmd) {
    cmd->add_option("-f,--format", opts.format, "table or json")->check(CLI::IsMember({"table", "json"}));
  };

  CLI::App* create_cmd = network->add_subcommand("create", "Create a network with one IPv4 subnet");
  create_cmd->add_option("name", opts.name, "Network name")->required();
  create_cmd->add_option("--subnet-range", opts.subnet_range, "The subnet's IPv4 CIDR, e.g. 192.168.10.0/24")
      ->required();
  create_cmd->add_option("--gateway", opts.gateway, "Gateway address inside the range (default: its first address)");
  create_cmd->add_flag("--no-gateway", opts.no_gateway, "A subnet without a gateway");
  create_cmd->add_flag("--shared", opts.shared, "Usable by every project");
  create_cmd->add_option("--project", opts.project, "Owning project id (default: none, a network of the cloud)");
  create_cmd->add_option("--dns", opts.dns, "DNS name server address (repeatable)");
  create_cmd->add_option("--pool-start", opts.pool_start, "First address of the allocation pool");
  create_cmd->add_option("--pool-end", opts.pool_end, "Last address of the allocation pool");
  data_dir(create_cmd);
  format(create_cmd);
  create_cmd->callback([&options, &exit_code] {
    if (!opts.gateway.empty() && opts.no_gateway) {
      std::cerr << "stratus: network create: --gateway and --no-gateway exclude each other\n";
      exit_code = 2;
      return;
    }
    exit_code = create(options, opts);
  });

  CLI::App* list_cmd = network->add_subcommand("list", "List every network with its first subnet");
  data_dir(list_cmd);
  format(list_cmd);
  list_cmd->callback([&options, &exit_code] { exit_code = list(options, opts); });

  CLI::App* delete_cmd = network->add_subcommand("delete", "Delete networks (and their subnets) without ports");
  delete_cmd->add_option("network", opts.targets, "Network name or id")->required();
  data_dir(delete_cmd);
  delete_cmd->callback([&options, &exit_code] { exit_code = remove(options, opts); });
}

}  // namespace stratus::core
