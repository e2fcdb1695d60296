// server_list_bench: what GET /servers/detail?limit=1000 costs, in time and
// in SQL statements, over 1000 servers (each with a port, two metadata items;
// one in ten in ERROR with a fault).
//
// Everything runs in this process: a seeded database in a temporary
// directory, the servers routes on an ApiServer on 127.0.0.1 (port 0), an
// HTTP client. The baseline is GET /servers?limit=1000 (the brief list: the
// same page, one query) measured in the same rounds; the summary prints the
// detail/brief ratio of time and the statements per request, which the
// database counts (Database::statements_prepared: every statement prepared,
// BEGIN and COMMIT included).
//
//   server_list_bench [--servers N] [--rounds R]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "bench/common/bench_instance.h"
#include "core/http/api_server.h"
#include "core/http/authenticator.h"
#include "core/compute/api/compute_api.h"
#include "core/compute/api/servers_controller.h"
#include "core/db/database.h"
#include "core/db/instance_fault_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/seed.h"
#include "core/rpcapi/compute_rpcapi.h"
#include "core/rpcapi/conductor_rpcapi.h"
#include "stratus/rpc/endpoint.h"

namespace {

using namespace stratus;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "server_list_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T must(sdk::Result<T> r, const char* what) {
  if (!r.ok()) die(std::string(what) + ": " + r.status().to_string());
  return std::move(r.value());
}

void must(const sdk::Status& s, const char* what) {
  if (!s.ok()) die(std::string(what) + ": " + s.to_string());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// `servers` instances of project "admin" (what the noauth caller lists).
void populate(core::db::Database& db, int servers) {
  core::db::NetworkRecord n;
  n.name = "bench";
  n.cidr = "10.100.0.0/20";  // 4093 addresses
  n.shared = true;
  auto net = must(core::db::NetworkRepository(db).create(n), "create network");
  core::db::InstanceRepository instances(db);
  core::db::PortRepository ports(db);
  core::db::InstanceFaultRepository faults(db);
  for (int i = 0; i < servers; ++i) {
    core::db::InstanceRecord r = bench::bench_instance(i, "host" + std::to_string(i % 10));
    if (i % 10 == 9) r.vm_state = "error";
    r.metadata = {{"role", "web"}, {"index", std::to_string(i)}};
    auto made = must(instances.create({r}, core::db::InstanceQuotaCheck{false}), "create instance");
    must(ports.create(net.uuid, made.front().uuid).status(), "create port");
    if (i % 10 == 9) must(faults.add(made.front().uuid, 500, "No valid host was found.", "trace").status(), "add fault");
  }
}

}  // namespace

int main(int argc, char** argv) {
  int servers = 1000;
  int rounds = 7;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--servers") servers = std::atoi(argv[i + 1]);
    else if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    else die("unknown option " + a + " (--servers N --rounds R)");
  }
  if (servers < 1 || rounds < 1) die("--servers and --rounds must be at least 1");
  spdlog::set_level(spdlog::level::warn);  // no access log line per request

  const fs::path dir = fs::temp_directory_path() / ("stratus-list-bench-" + std::to_string(::getpid()));
  int rc = 0;
  {
    auto db = must(core::db::Database::open(dir), "open database");
    must(core::db::seed_defaults(*db), "seed");
    std::printf("populating %d servers ...\n", servers);
    populate(*db, servers);

    // The list never casts: RPC clients over an endpoint that is never started.
    rpc::EndpointOptions eo;
    eo.router = "inproc://server-list-bench-unused";
    eo.name = "bench";
    rpc::Endpoint endpoint(eo);
    core::rpcapi::ConductorRpcApi conductor(endpoint, std::chrono::milliseconds(1000));
    core::rpcapi::ComputeRpcApi compute_rpc(endpoint, std::chrono::milliseconds(1000));
    core::compute::ComputeAPI compute(*db, conductor, compute_rpc);
    core::api::ApiServer server(core::api::make_noauth_authenticator());
    core::api::add_server_routes(server, compute, *db);
    const int port = must(server.start("127.0.0.1", 0), "start API server");
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(120, 0);

    const std::string limit = "?limit=" + std::to_string(servers);
    struct Measure {
      double ms = 0;
      std::uint64_t statements = 0;
      std::size_t servers = 0;
    };
    auto measure = [&](const std::string& path) {
      const auto before = db->statements_prepared();
      const auto t0 = Clock::now();
      auto r = client.Get(path.c_str(), {{"X-Auth-Token", "bench"}});
      const auto t1 = Clock::now();
      if (!r || r->status != 200) die("GET " + path + ": " + (r ? std::to_string(r->status) + " " + r->body : "no reply"));
      Measure m;
      m.ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
      m.statements = db->statements_prepared() - before;
      m.servers = nlohmann::json::parse(r->body)["servers"].size();
      return m;
    };
    (void)measure("/v2.1/servers/detail" + limit);  // warm the statement cache
    std::vector<double> brief_ms, detail_ms, ratios;
    Measure brief, detail;
    for (int round = 1; round <= rounds; ++round) {
      brief = measure("/v2.1/servers" + limit);
      detail = measure("/v2.1/servers/detail" + limit);
      brief_ms.push_back(brief.ms);
      detail_ms.push_back(detail.ms);
      ratios.push_back(detail.ms / brief.ms);
      std::printf("round %d: brief %8.2f ms %5llu statements | detail %8.2f ms %5llu statements (%zu servers)\n", round,
                  brief.ms, static_cast<unsigned long long>(brief.statements), detail.ms,
                  static_cast<unsigned long long>(detail.statements), detail.servers);
    }
    if (detail.servers != static_cast<std::size_t>(servers)) {
      std::fprintf(stderr, "expected %d servers in the page, got %zu\n", servers, detail.servers);
      rc = 1;
    }
    std::printf("\nsummary over %d rounds, %d servers:\n", rounds, servers);
    std::printf("  GET /servers/detail%s  median %8.2f ms  %llu statements (%.2f per server)\n", limit.c_str(),
                median(detail_ms), static_cast<unsigned long long>(detail.statements),
                static_cast<double>(detail.statements) / servers);
    std::printf("  GET /servers%s         median %8.2f ms  %llu statements (baseline)\n", limit.c_str(),
                median(brief_ms), static_cast<unsigned long long>(brief.statements));
    std::printf("  detail / brief         ratio  %6.2fx (median of per-round ratios)\n", median(ratios));
    server.stop();
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return rc;
}
