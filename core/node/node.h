// Node: the Stratus services one process runs, wired together and started
// and stopped in order.
//
// The roles are Nova's services plus the RPC broker: `router`, `api`,
// `conductor`, `scheduler` and `compute` (one compute service per host name
// in `compute_hosts`; `stratus aio --fake-hosts N` runs N of them). Every
// role is an RPC endpoint of its own that connects to config.rpc.router, so
// the same Node runs the whole cloud in one process over inproc:// (aio) or
// any subset of it over tcp:// (`stratus serve ROLE...`), and a role never
// knows whether its peers share its process. The exception: more than 10
// compute hosts in one process (without CURVE keys) share one endpoint, one
// build pool, one periodic thread and one batcher of their heartbeats and
// reports (docs/operations.md, "Many fake hosts share their threads"), so
// that `aio --fake-hosts 10000` runs in a few dozen threads.
//
// Start order: router, database (api, conductor, scheduler own it; compute
// never opens it), scheduler (loads host state from the database),
// conductor, compute services, and the REST API last, so a request never
// finds a service missing in its own process. stop() reverses it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/plugin/plugin_registry.h"
#include "stratus/rpc/router.h"
#include "stratus/sdk/result.h"

namespace stratus::core {

namespace identity {
class TokenService;
}  // namespace identity

enum class Role { kRouter, kApi, kConductor, kScheduler, kCompute };

// "router", "api", ...; kInvalidArgument naming the unknown role.
sdk::Result<Role> parse_role(std::string_view name);
std::string_view role_name(Role role);

struct NodeOptions {
  std::set<Role> roles;
  // Host names of the compute services to run (role compute); empty: config.host.
  std::vector<std::string> compute_hosts;
  // Seed the default flavors, network and image on start (api role).
  bool seed_database = true;
  // Router role: listen on tcp without CURVE keys (trusted networks, tests).
  bool insecure_router = false;
};

class Node {
 public:
  // Checks the options against the config (plugins load, router address
  // parses, keys present) without starting anything. `registry` must
  // outlive the node.
  static sdk::Result<std::unique_ptr<Node>> create(Config config, const PluginRegistry& registry,
                                                   NodeOptions options);
  ~Node();  // stop()
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Starts the roles in order; on failure stops what started and says which
  // role failed and why.
  sdk::Status start();
  // Stops every role in reverse order. Idempotent.
  void stop();

  // The REST API's address once started ("http://127.0.0.1:8774"), else "".
  std::string api_url() const;
  int api_port() const;
  // The [metrics] listen listener's URL once started
  // ("http://127.0.0.1:9464/metrics"), else "".
  std::string metrics_url() const;
  // Where clients reach the API: [api] public_url, else api_url().
  std::string public_url() const;
  // The identity token service (api role, once started), else nullptr: for
  // in-process tokens (TokenService::issue_for), e.g. a compute host's
  // service credentials. Valid until stop().
  identity::TokenService* token_service() const;
  // The router's bound addresses (router role), e.g. "tcp://127.0.0.1:5672".
  std::vector<std::string> router_addresses() const;
  // The router's counters (router role), for the line `serve` prints on stop.
  std::optional<rpc::RouterStats> router_stats() const;
  // True when the router encrypts (CURVE with an allow-list).
  bool router_secure() const;
  const Config& config() const;
  const std::vector<std::string>& compute_hosts() const;
  // Human-readable lines describing what runs (for `aio` and `serve`).
  std::vector<std::string> describe() const;

  struct Impl;

 private:
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace stratus::core
