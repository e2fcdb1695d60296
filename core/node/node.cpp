#include "core/network/port_security.h"
#include "core/node/node.h"
#include "core/node/service_reporter.h"

#include <chrono>
#include <cmath>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/http/api_server.h"
#include "core/http/metrics_server.h"
#include "core/metrics/process_metrics.h"
#include "core/metrics/rpc_metrics.h"
#include "core/metrics/service_metrics.h"
#include "core/compute/api/admin_routes.h"
#include "core/compute/api/aggregates_controller.h"
#include "core/compute/api/availability_zones_controller.h"
#include "core/compute/api/flavors_controller.h"
#include "core/compute/api/hypervisors_controller.h"
#include "core/compute/api/images_controller.h"
#include "core/image/image_store.h"
#include "core/image/api/images_v2_controller.h"
#include "core/compute/api/keypairs_controller.h"
#include "core/compute/api/limits_controller.h"
#include "core/network/api/network_routes.h"
#include "core/http/static_files.h"
#include "core/compute/api/quota_sets_controller.h"
#include "core/compute/api/server_groups_controller.h"
#include "core/compute/api/services_controller.h"
#include "core/compute/api/version_documents.h"
#include "core/compute/api/compute_api.h"
#include "core/compute/api/servers_controller.h"
#include "core/compute/compute_manager.h"
#include "core/compute/compute_options.h"
#include "core/compute/periodic_timer.h"
#include "core/compute/report_batcher.h"
#include "core/conductor/conductor_service.h"
#include "core/db/database.h"
#include "core/db/seed.h"
#include "core/identity/api/identity_controller.h"
#include "core/identity/keystone_authenticator.h"
#include "core/identity/token_service.h"
#include "core/rpcapi/compute_rpcapi.h"
#include "core/rpcapi/conductor_rpcapi.h"
#include "core/rpcapi/scheduler_rpcapi.h"
#include "core/rpcapi/topics.h"
#include "core/rpcapi/upgrade_levels.h"
#include "core/scheduler/scheduler_service.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/rpc/router.h"
#include "stratus/rpc/security.h"
#include "stratus/sdk/virt_driver.h"

namespace stratus::core {

namespace {

using namespace std::chrono_literals;

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

// Rounded up, so that a fractional config value never becomes 0 (off).
std::chrono::seconds whole_seconds(double seconds) {
  return std::chrono::seconds(static_cast<std::int64_t>(std::ceil(seconds)));
}

bool is_tcp(const std::string& address) { return address.rfind("tcp://", 0) == 0; }

// "127.0.0.1:8774" -> host, port; kInvalidArgument naming the key and value.
sdk::Result<std::pair<std::string, int>> split_listen(const std::string& listen, const char* key = "api.listen") {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return sdk::Status::InvalidArgument(std::string(key) + " '" + listen + "' is not HOST:PORT");
  }
  const std::string port_text = listen.substr(colon + 1);
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(port_text, &used);
    if (used != port_text.size()) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return sdk::Status::InvalidArgument(std::string(key) + " '" + listen + "' has no valid port");
  }
  return std::make_pair(listen.substr(0, colon), port);
}

// One compute host: its driver, endpoint, conductor client and manager.
struct ComputeHost {
  std::string host;
  std::shared_ptr<sdk::VirtDriver> driver;
  std::unique_ptr<rpc::Endpoint> endpoint;
  std::unique_ptr<rpcapi::ConductorRpcApi> conductor;
  std::unique_ptr<compute::ComputeManager> manager;
};

// What the compute hosts of one process share when it runs several (the
// fake hosts of `aio --fake-hosts N`): one RPC endpoint serving every
// host's compute.<host>, one conductor client, one bounded build pool, one
// periodic thread for every host's periodic tasks, and one batcher that
// sends their heartbeats and resource reports together. So 10,000 hosts
// cost a fixed number of threads instead of 16 each.
struct SharedCompute {
  std::unique_ptr<rpc::Endpoint> endpoint;
  std::unique_ptr<rpcapi::ConductorRpcApi> conductor;
  std::shared_ptr<compute::BuildPool> builds;
  std::shared_ptr<compute::PeriodicTimer> timer;
  std::shared_ptr<compute::ReportBatcher> batcher;
};

// The shared machinery's sizes: RPC workers (a compute method only queues a
// build or runs one short action), build threads at most (made as builds
// need them), the hosts per batch message and how often the batcher sends.
constexpr std::size_t kSharedComputeWorkers = 8;
constexpr std::size_t kSharedBuildThreads = 100;
constexpr std::size_t kReportBatchHosts = 1000;
constexpr auto kReportFlushInterval = std::chrono::milliseconds(250);
// Up to this many hosts each has its own endpoint, pool and periodic thread
// as before (16 threads a host; per-host metrics series); more share them.
// `describe` lists hosts one per line up to this many, then sums them up.
constexpr std::size_t kOwnMachineryHosts = 10;

}  // namespace

sdk::Result<Role> parse_role(std::string_view name) {
  if (name == "router") return Role::kRouter;
  if (name == "api") return Role::kApi;
  if (name == "conductor") return Role::kConductor;
  if (name == "scheduler") return Role::kScheduler;
  if (name == "compute") return Role::kCompute;
  return sdk::Status::InvalidArgument("unknown role '" + std::string(name) +
                                      "' (roles: router, api, conductor, scheduler, compute)");
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kRouter: return "router";
    case Role::kApi: return "api";
    case Role::kConductor: return "conductor";
    case Role::kScheduler: return "scheduler";
    case Role::kCompute: return "compute";
  }
  return "?";
}

struct Node::Impl {
  Config config;
  const PluginRegistry& registry;
  NodeOptions options;
  std::vector<std::string> compute_hosts;
  std::chrono::milliseconds call_timeout{60000};

  std::unique_ptr<rpc::Router> router;
  std::unique_ptr<db::Database> database;

  std::unique_ptr<rpc::Endpoint> scheduler_endpoint;
  std::unique_ptr<scheduler::SchedulerService> scheduler;
  std::unique_ptr<node::ServiceReporter> scheduler_reporter;  // its nova-scheduler row

  std::unique_ptr<rpc::Endpoint> conductor_endpoint;
  std::unique_ptr<conductor::ConductorService> conductor;
  std::unique_ptr<node::ServiceReporter> conductor_reporter;  // its nova-conductor row

  std::vector<ComputeHost> computes;
  std::unique_ptr<SharedCompute> shared_compute;  // several hosts without CURVE keys

  std::unique_ptr<rpc::Endpoint> api_endpoint;
  std::unique_ptr<rpcapi::ConductorRpcApi> api_conductor;
  std::unique_ptr<rpcapi::ComputeRpcApi> api_compute;
  std::unique_ptr<rpcapi::SchedulerRpcApi> api_scheduler;
  std::unique_ptr<compute::ComputeAPI> compute_api;
  std::unique_ptr<identity::TokenService> token_service;
  std::unique_ptr<image::ImageStore> image_store;
  std::unique_ptr<api::ApiServer> api_server;
  std::shared_ptr<const http::StaticSite> dashboard;  // null: no dashboard folder found
  std::string api_host;
  int api_port = 0;
  std::string auth_description;

  bool started = false;
  bool router_secure = false;

  // Metrics (docs/operations.md, "Metrics"): every endpoint reports to the
  // observer; the collectors read endpoints' and the router's counters at
  // scrape time and go before what they read.
  std::shared_ptr<rpc::Observer> rpc_observer = metrics::make_rpc_observer(metrics::default_registry());
  std::vector<metrics::CollectorHandle> metric_collectors;
  std::unique_ptr<api::MetricsServer> metrics_server;
  std::string metrics_host;
  int metrics_port = 0;

  Impl(Config c, const PluginRegistry& r, NodeOptions o)
      : config(std::move(c)), registry(r), options(std::move(o)) {}

  bool has(Role role) const { return options.roles.count(role) != 0; }

  sdk::Result<rpc::EndpointOptions> endpoint_options(const std::string& name, const std::string& key_name,
                                                     std::size_t workers) const {
    rpc::EndpointOptions o;
    o.router = config.rpc.router;
    o.name = name;
    o.workers = workers;
    o.heartbeat_interval = std::chrono::milliseconds(config.rpc.heartbeat_ms);
    o.default_timeout = call_timeout;
    o.observer = rpc_observer;
    if (!config.rpc.keys_dir.empty() && is_tcp(config.rpc.router)) {
      auto router_key = rpc::load_keypair(config.rpc.keys_dir, "router");
      if (!router_key.ok()) {
        return sdk::Status::InvalidArgument("rpc.keys_dir " + config.rpc.keys_dir +
                                            ": no router.pub: " + router_key.error().message);
      }
      auto own = rpc::load_keypair(config.rpc.keys_dir, key_name);
      if (!own.ok() || own->secret_key.empty()) {
        return sdk::Status::InvalidArgument("rpc.keys_dir " + config.rpc.keys_dir + ": no key pair '" + key_name +
                                            "' (stratus keys generate --keys-dir " + config.rpc.keys_dir + " " +
                                            key_name + ")");
      }
      o.curve.server_public_key = router_key->public_key;
      o.curve.public_key = own->public_key;
      o.curve.secret_key = own->secret_key;
    }
    return o;
  }

  sdk::Result<std::unique_ptr<rpc::Endpoint>> make_endpoint(const std::string& name, const std::string& key_name,
                                                            std::size_t workers) {
    auto o = endpoint_options(name, key_name, workers);
    if (!o.ok()) return o.status();
    auto endpoint = std::make_unique<rpc::Endpoint>(std::move(o.value()));
    metric_collectors.push_back(metrics::add_endpoint_collector(metrics::default_registry(), *endpoint, name));
    return endpoint;
  }

  // The [upgrade_levels] cap of a typed client to `topic`. "auto" reads the
  // services' versions from the database; a process without one (a compute
  // node) sends the newest, which every conductor and scheduler of this
  // release serves (their APIs are all at 1.0).
  sdk::Result<rpcapi::VersionCap> version_cap(std::string_view topic) const {
    const std::string& setting = topic == rpcapi::kComputeTopic     ? config.upgrade_levels.compute
                                 : topic == rpcapi::kConductorTopic ? config.upgrade_levels.conductor
                                                                    : config.upgrade_levels.scheduler;
    if (!database) {
      if (auto s = rpcapi::check_upgrade_level(topic, setting); !s.ok()) return s;
      return setting == "auto" ? rpcapi::VersionCap{} : rpcapi::fixed_cap(setting);
    }
    return rpcapi::make_version_cap(topic, setting, *database,
                                    rpcapi::AutoCapOptions{whole_seconds(config.service_down_time)});
  }

  static sdk::Status rpc_failure(const std::string& what, const rpc::Status& s) {
    return sdk::Status::Unavailable(what + ": " + s.error().message);
  }

  // Waits for the router's acknowledgement, so that the first message a role
  // sends is not lost; over tcp a router started later is fine (warned).
  void await_registration(const rpc::Endpoint& endpoint, const std::string& name) const {
    if (!endpoint.wait_registered(5s)) {
      spdlog::warn("{}: no answer from the router at {} yet; it keeps trying", name, config.rpc.router);
    }
  }

  sdk::Status start_router() {
    rpc::RouterOptions o;
    o.bind = {config.rpc.bind.empty() ? config.rpc.router : config.rpc.bind};
    o.heartbeat_interval = std::chrono::milliseconds(config.rpc.heartbeat_ms);
    if (is_tcp(o.bind[0]) && !options.insecure_router) {
      if (config.rpc.keys_dir.empty()) {
        return sdk::Status::InvalidArgument(
            "the router listens on tcp, which is encrypted by default: set rpc.keys_dir to a directory with "
            "router.secret (stratus keys generate --keys-dir DIR router), or pass --insecure on a trusted network");
      }
      auto keys = rpc::load_keypair(config.rpc.keys_dir, "router");
      if (!keys.ok() || keys->secret_key.empty()) {
        return sdk::Status::InvalidArgument("no router key pair in " + config.rpc.keys_dir);
      }
      o.curve.public_key = keys->public_key;
      o.curve.secret_key = keys->secret_key;
      o.curve.allowed_keys_dir = config.rpc.keys_dir;
      router_secure = true;
    }
    router = std::make_unique<rpc::Router>(o);
    metric_collectors.push_back(metrics::add_router_collector(metrics::default_registry(), *router));
    if (auto s = router->start(); !s.ok()) return rpc_failure("router", s);
    return sdk::Status::OK();
  }

  sdk::Status open_database() {
    db::DatabaseOptions db_options;
    db_options.pool_size = static_cast<int>(config.database.pool_size);
    auto opened = db::Database::open(config.database.connection, config.data_dir, db_options);
    if (!opened.ok()) {
      return sdk::Status(opened.status().code(),
                         (config.database.connection.empty() ? "database in " + config.data_dir : std::string("database")) +
                             ": " + opened.status().message());
    }
    database = std::move(opened.value());
    if (has(Role::kApi) && options.seed_database) {
      if (auto s = db::seed_defaults(*database); !s.ok()) return sdk::Status(s.code(), "seeding: " + s.message());
    }
    return sdk::Status::OK();
  }

  // The role's row in the services table, heartbeated every report
  // interval as compute hosts are (service_reporter.h); once it serves.
  sdk::Result<std::unique_ptr<node::ServiceReporter>> report_service(std::string_view binary, std::string_view topic,
                                                                     std::string_view rpc_version) {
    auto reporter = std::make_unique<node::ServiceReporter>(
        *database,
        node::ServiceIdentity{config.host, std::string(binary), std::string(topic), std::string(rpc_version)},
        millis(config.compute.heartbeat_interval));
    if (auto s = reporter->start(); !s.ok()) {
      return sdk::Status(s.code(), "registering the " + std::string(binary) + " service: " + s.message());
    }
    return reporter;
  }

  sdk::Status start_scheduler() {
    auto made = scheduler::SchedulerService::create(registry, config, *database);
    if (!made.ok()) return made.status();
    scheduler = std::move(made.value());
    auto endpoint = make_endpoint("scheduler-" + config.host, "scheduler", 4);
    if (!endpoint.ok()) return endpoint.status();
    scheduler_endpoint = std::move(endpoint.value());
    if (auto s = scheduler->register_on(*scheduler_endpoint); !s.ok()) return s;
    if (auto s = scheduler->load_from_database(); !s.ok()) return s;
    if (auto s = scheduler_endpoint->start(); !s.ok()) return rpc_failure("scheduler endpoint", s);
    await_registration(*scheduler_endpoint, "scheduler");
    auto reporter = report_service(rpcapi::kSchedulerBinary, rpcapi::kSchedulerTopic, rpcapi::kSchedulerVersion);
    if (!reporter.ok()) return reporter.status();
    scheduler_reporter = std::move(reporter.value());
    return sdk::Status::OK();
  }

  sdk::Status start_conductor() {
    auto endpoint = make_endpoint("conductor-" + config.host, "conductor", 8);
    if (!endpoint.ok()) return endpoint.status();
    conductor_endpoint = std::move(endpoint.value());
    conductor::ConductorOptions o;
    o.call_timeout = call_timeout;
    o.max_attempts = static_cast<int>(config.scheduler.max_attempts);
    o.service_down_time = whole_seconds(config.service_down_time);
    o.host = config.host;
    o.port_security = network::port_security_for_instance;
    auto compute_cap = version_cap(rpcapi::kComputeTopic);
    if (!compute_cap.ok()) return compute_cap.status();
    auto scheduler_cap = version_cap(rpcapi::kSchedulerTopic);
    if (!scheduler_cap.ok()) return scheduler_cap.status();
    o.compute_version_cap = std::move(compute_cap.value());
    o.scheduler_version_cap = std::move(scheduler_cap.value());
    o.lost_build_timeout = whole_seconds(config.conductor.lost_build_timeout);
    o.instance_build_timeout = whole_seconds(config.conductor.instance_build_timeout);
    o.task_timeout = whole_seconds(config.conductor.task_timeout);
    o.max_build_resends = static_cast<int>(config.conductor.max_build_resends);
    o.stuck_check_interval =
        std::chrono::milliseconds(static_cast<std::int64_t>(config.conductor.stuck_check_interval * 1000));
    conductor = std::make_unique<conductor::ConductorService>(*database, *conductor_endpoint, o);
    if (auto s = conductor->register_on(*conductor_endpoint); !s.ok()) return s;
    if (auto s = conductor_endpoint->start(); !s.ok()) return rpc_failure("conductor endpoint", s);
    await_registration(*conductor_endpoint, "conductor");
    conductor->stuck_instance_sweeper().start();
    auto reporter = report_service(rpcapi::kConductorBinary, rpcapi::kConductorTopic, rpcapi::kConductorVersion);
    if (!reporter.ok()) return reporter.status();
    conductor_reporter = std::move(reporter.value());
    return sdk::Status::OK();
  }

  // A compute host's driver, checked to serve `host`.
  sdk::Result<std::shared_ptr<sdk::VirtDriver>> make_driver(const std::string& host) {
    auto driver = registry.create<sdk::VirtDriver>(config.compute.driver,
                                                   config.plugin_config(sdk::PluginKind::kVirtDriver,
                                                                        config.compute.driver));
    if (!driver.ok()) return sdk::Status(driver.status().code(), "compute driver: " + driver.status().message());
    if (auto s = (*driver)->init_host(host); !s.ok()) {
      return sdk::Status(s.code(), "compute driver '" + config.compute.driver + "' cannot serve host " + host + ": " +
                                       s.message());
    }
    return std::shared_ptr<sdk::VirtDriver>(std::move(driver.value()));
  }

  // The options every compute host of this process starts from.
  compute::ComputeOptions base_compute_options() {
    auto compute_options = compute::ComputeOptions::from_config(config);
    compute_options.image_fetcher = make_image_fetcher();
    compute_options.image_uploader = std::make_shared<const compute::ImageUploader>(image_service_options());
    // A plugin built for an older ABI lacks the newer driver methods.
    if (auto info = registry.find(sdk::PluginKind::kVirtDriver, config.compute.driver); info.ok()) {
      compute_options.driver_abi_version = info->abi_version;
    }
    return compute_options;
  }

  sdk::Status start_computes() {
    // Many hosts share an endpoint, only without CURVE keys: each host's
    // key may serve its own compute.<host> alone.
    auto probe = endpoint_options("compute", "compute-" + compute_hosts.front(), 1);
    if (!probe.ok()) return probe.status();
    if (compute_hosts.size() > kOwnMachineryHosts && !probe->curve.enabled()) return start_shared_computes();
    for (const auto& host : compute_hosts) {
      if (auto s = start_compute(host); !s.ok()) return sdk::Status(s.code(), "compute " + host + ": " + s.message());
    }
    return sdk::Status::OK();
  }

  sdk::Status start_shared_computes() {
    const auto started_at = std::chrono::steady_clock::now();
    auto shared = std::make_unique<SharedCompute>();
    auto endpoint = make_endpoint("compute-" + config.host + "-hosts", "compute", kSharedComputeWorkers);
    if (!endpoint.ok()) return endpoint.status();
    shared->endpoint = std::move(endpoint.value());
    auto conductor_cap = version_cap(rpcapi::kConductorTopic);
    if (!conductor_cap.ok()) return conductor_cap.status();
    shared->conductor = std::make_unique<rpcapi::ConductorRpcApi>(*shared->endpoint, call_timeout, *conductor_cap);
    auto base = base_compute_options();
    shared->builds = std::make_shared<compute::BuildPool>(
        std::min(kSharedBuildThreads, std::max<std::size_t>(1, base.max_concurrent_builds) * compute_hosts.size()));
    shared->timer = std::make_shared<compute::PeriodicTimer>("compute hosts");
    shared->batcher = std::make_shared<compute::ReportBatcher>(
        *shared->conductor, compute::ReportBatcher::Options{kReportBatchHosts, base.first_report_timeout});
    base.build_pool = shared->builds;
    base.periodic_timer = shared->timer;
    base.report_batcher = shared->batcher;
    metric_collectors.push_back(metrics::add_build_queue_collector(
        metrics::default_registry(), config.host, [builds = shared->builds.get()] {
          const auto stats = builds->stats();
          return metrics::BuildQueue{stats.running, stats.queued};
        }));
    computes.reserve(compute_hosts.size());
    for (std::size_t i = 0; i < compute_hosts.size(); ++i) {
      const std::string& host = compute_hosts[i];
      auto driver = make_driver(host);
      if (!driver.ok()) return sdk::Status(driver.status().code(), "compute " + host + ": " + driver.status().message());
      ComputeHost c;
      c.host = host;
      c.driver = std::move(driver.value());
      auto host_options = base;
      host_options.periodic_phase = static_cast<double>(i + 1) / static_cast<double>(compute_hosts.size());
      c.manager = std::make_unique<compute::ComputeManager>(host, c.driver, *shared->conductor, std::move(host_options));
      if (auto s = c.manager->register_on(*shared->endpoint); !s.ok()) {
        return sdk::Status(s.code(), "compute " + host + ": " + s.message());
      }
      computes.push_back(std::move(c));
    }
    shared_compute = std::move(shared);
    SharedCompute& sc = *shared_compute;
    if (auto s = sc.endpoint->start(); !s.ok()) return rpc_failure("compute endpoint", s);
    await_registration(*sc.endpoint, "compute hosts");
    sc.timer->add(
        [batcher = sc.batcher.get()](compute::PeriodicTimer::Clock::time_point) {
          batcher->flush();
          return compute::PeriodicTimer::Clock::now() + kReportFlushInterval;
        },
        compute::PeriodicTimer::Clock::now());
    for (auto& c : computes) {
      if (auto s = c.manager->start(); !s.ok()) return sdk::Status(s.code(), "compute " + c.host + ": " + s.message());
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_at);
    spdlog::info("{} compute hosts started in {} ms on one endpoint ({} workers, up to {} build threads, one periodic "
                 "thread)",
                 computes.size(), took.count(), kSharedComputeWorkers,
                 std::min(kSharedBuildThreads, std::max<std::size_t>(1, base.max_concurrent_builds) * computes.size()));
    return sdk::Status::OK();
  }

  sdk::Status start_compute(const std::string& host) {
    auto driver = make_driver(host);
    if (!driver.ok()) return driver.status();
    ComputeHost c;
    c.host = host;
    c.driver = std::move(driver.value());
    auto endpoint = make_endpoint("compute-" + host, "compute-" + host, 4);
    if (!endpoint.ok()) return endpoint.status();
    c.endpoint = std::move(endpoint.value());
    auto conductor_cap = version_cap(rpcapi::kConductorTopic);
    if (!conductor_cap.ok()) return conductor_cap.status();
    c.conductor = std::make_unique<rpcapi::ConductorRpcApi>(*c.endpoint, call_timeout, *conductor_cap);
    auto compute_options = base_compute_options();
    c.manager = std::make_unique<compute::ComputeManager>(host, c.driver, *c.conductor, std::move(compute_options));
    metric_collectors.push_back(metrics::add_build_queue_collector(
        metrics::default_registry(), host, [manager = c.manager.get()] {
          const auto stats = manager->build_stats();
          return metrics::BuildQueue{stats.running, stats.queued};
        }));
    if (auto s = c.manager->register_on(*c.endpoint); !s.ok()) return s;
    if (auto s = c.endpoint->start(); !s.ok()) return rpc_failure("compute endpoint " + host, s);
    await_registration(*c.endpoint, "compute " + host);
    computes.push_back(std::move(c));
    return computes.back().manager->start();
  }

  // The compute hosts' image downloader, or null when no directory is set
  // for image data ([compute] image_download_path, else the driver's own
  // image_source_path): a driver that reads no image data needs none.
  std::shared_ptr<const compute::ImageFetcher> make_image_fetcher() {
    std::string path = config.compute.image_download_path;
    if (path.empty()) {
      auto from_driver = config.plugin_config(sdk::PluginKind::kVirtDriver, config.compute.driver)
                             .get_string("image_source_path", "");
      if (from_driver.ok()) path = *from_driver;
    }
    if (path.empty()) return nullptr;
    compute::ImageFetcherOptions o = image_service_options();
    o.download_path = path;
    return std::make_shared<const compute::ImageFetcher>(std::move(o));
  }

  // How a compute host reaches the image service (downloads, snapshot
  // uploads): its URL and the token it presents.
  compute::ImageFetcherOptions image_service_options() {
    compute::ImageFetcherOptions o;
    // [compute] image_api_url, else this process's own API (aio), else the
    // address [api] listen names.
    o.image_api_url = [this]() -> std::string {
      if (!config.compute.image_api_url.empty()) return config.compute.image_api_url;
      if (api_server && api_port != 0) return "http://" + api_host + ":" + std::to_string(api_port) + "/image";
      return "http://" + config.api.listen + "/image";
    };
    // The token the image API wants: under keystone, one issued in-process
    // for the admin user on the admin project (this process holds the
    // identity database; a compute-only process has none yet, see
    // docs/image.md); the static admin token; or none under noauth.
    if (config.api.auth_strategy == "token") {
      o.token = [token = config.api.admin_token]() -> std::optional<std::string> { return token; };
    } else if (config.api.auth_strategy == "keystone") {
      o.token = [this]() -> std::optional<std::string> {
        if (!token_service) return std::nullopt;
        auto issued = token_service->issue_for("admin", "admin");
        if (!issued.ok()) {
          spdlog::warn("image fetch: no service token: {}", issued.status().message());
          return std::nullopt;
        }
        return issued->token;
      };
    }
    return o;
  }

  sdk::Status start_api() {
    auto listen = split_listen(config.api.listen);
    if (!listen.ok()) return listen.status();
    auto endpoint = make_endpoint("api-" + config.host, "api", 2);
    if (!endpoint.ok()) return endpoint.status();
    api_endpoint = std::move(endpoint.value());
    if (auto s = api_endpoint->start(); !s.ok()) return rpc_failure("api endpoint", s);
    await_registration(*api_endpoint, "api");
    auto conductor_cap = version_cap(rpcapi::kConductorTopic);
    if (!conductor_cap.ok()) return conductor_cap.status();
    auto compute_cap = version_cap(rpcapi::kComputeTopic);
    if (!compute_cap.ok()) return compute_cap.status();
    auto scheduler_cap = version_cap(rpcapi::kSchedulerTopic);
    if (!scheduler_cap.ok()) return scheduler_cap.status();
    api_conductor = std::make_unique<rpcapi::ConductorRpcApi>(*api_endpoint, call_timeout, *conductor_cap);
    api_compute = std::make_unique<rpcapi::ComputeRpcApi>(*api_endpoint, call_timeout, std::move(compute_cap.value()));
    api_scheduler = std::make_unique<rpcapi::SchedulerRpcApi>(*api_endpoint, call_timeout, *scheduler_cap);

    compute::ComputeApiOptions api_options;
    api_options.reclaim_instance_interval = whole_seconds(config.compute.reclaim_instance_interval);
    api_options.service_down_time = whole_seconds(config.service_down_time);
    api_options.conductors_recover_lost_builds = config.conductor.lost_build_timeout > 0;
    compute_api = std::make_unique<compute::ComputeAPI>(*database, *api_conductor, *api_compute, api_options);

    // The identity service is served whatever the strategy, so clients can
    // always get a token; "keystone" makes the other APIs require one.
    token_service = std::make_unique<identity::TokenService>(
        *database, identity::IdentityOptions{config.identity.token_expiration});
    std::shared_ptr<api::Authenticator> authenticator;
    if (config.api.auth_strategy == "keystone") {
      authenticator = identity::make_keystone_authenticator(*token_service);
    } else if (config.api.auth_strategy == "token") {
      authenticator = api::make_static_token_authenticator(config.api.admin_token);
    } else {
      authenticator = api::make_noauth_authenticator();
    }
    auth_description = authenticator->describe();
    image_store = std::make_unique<image::ImageStore>(
        config.image.store_path.empty() ? std::filesystem::path(config.data_dir) / "images"
                                        : std::filesystem::path(config.image.store_path),
        static_cast<std::uint64_t>(config.image.max_image_size));
    api::ApiServerOptions server_options;
    server_options.max_upload_bytes = image_store->max_image_size();
    server_options.request_head_time =
        std::chrono::milliseconds(static_cast<std::int64_t>(config.api.request_head_time * 1000));
    server_options.body_min_rate = static_cast<std::uint64_t>(config.api.body_min_rate);
    api_server = std::make_unique<api::ApiServer>(authenticator, server_options);
    const auto down = whole_seconds(config.service_down_time);
    api::add_version_routes(*api_server);
    identity::add_identity_routes(*api_server, *token_service, *database,
                                  identity::IdentityRoutesOptions{config.api.public_url});
    api::add_flavor_routes(*api_server, *database);
    api::add_image_routes(*api_server, *database,
                          [store = image_store.get()](const std::string& id) { return store->remove(id); });
    image::add_image_service_routes(*api_server, *database, *image_store);
    api::add_keypair_routes(*api_server, *database);
    api::add_limits_routes(*api_server, *database);
    api::add_availability_zone_routes(*api_server, *database);
    api::add_aggregate_routes(*api_server, *database);
    api::add_admin_routes(*api_server, *database);
    api::HypervisorsOptions hypervisors;
    hypervisors.service_down_time = down;
    hypervisors.host_uptime = [to_computes = api_compute.get()](const sdk::RequestContext& ctx, const std::string& host) {
      return to_computes->get_host_uptime(ctx, host);
    };
    api::add_hypervisor_routes(*api_server, *database, std::move(hypervisors));
    api::ServicesOptions services;
    services.service_down_time = down;
    rpcapi::SchedulerRpcApi* to_schedulers = api_scheduler.get();
    services.on_disabled_change = [to_schedulers](const std::string& host, const std::string& binary, bool disabled) {
      rpcapi::ServiceMsg msg{host, binary, "", disabled};
      if (auto s = to_schedulers->service_set_disabled(sdk::RequestContext{}, msg); !s.ok()) {
        spdlog::warn("telling the schedulers that {} {} is {}: {}", host, binary, disabled ? "disabled" : "enabled",
                     s.to_string());
      }
    };
    api::add_service_routes(*api_server, *database, std::move(services));
    api::add_server_group_routes(*api_server, *database);
    api::add_quota_set_routes(*api_server, *database);
    api::add_server_routes(*api_server, *compute_api, *database);
    api::add_network_routes(*api_server, *database, &compute_api->security_group_refresh());
    if (auto web = http::find_dashboard_root(config.api.dashboard_dir)) {
      dashboard = std::make_shared<http::StaticSite>(*web);
      http::add_static_site_routes(*api_server, "/dashboard", dashboard);
    } else {
      spdlog::warn("no dashboard: {} holds no index.html", config.api.dashboard_dir.empty()
                                                               ? std::string("share/stratus/web beside the binary")
                                                               : config.api.dashboard_dir);
    }
    if (config.metrics.on_api_port) api::add_metrics_route(*api_server, metrics::default_registry());
    auto port = api_server->start(listen->first, listen->second);
    if (!port.ok()) return port.status();
    api_host = listen->first;
    api_port = *port;
    if (config.api.auth_strategy == "noauth") {
      spdlog::warn("API authentication is off (api.auth_strategy = noauth): every request acts as admin");
    }
    return sdk::Status::OK();
  }

  // The [metrics] listen listener, first, so that a role slow to start can
  // be watched.
  sdk::Status start_metrics() {
    metrics::ensure_process_metrics();
    if (config.metrics.listen.empty()) return sdk::Status::OK();
    auto listen = split_listen(config.metrics.listen, "metrics.listen");
    if (!listen.ok()) return listen.status();
    metrics_server = std::make_unique<api::MetricsServer>(metrics::default_registry());
    auto port = metrics_server->start(listen->first, listen->second);
    if (!port.ok()) return port.status();
    metrics_host = listen->first;
    metrics_port = *port;
    return sdk::Status::OK();
  }

  sdk::Status start_all() {
    if (auto s = start_metrics(); !s.ok()) return sdk::Status(s.code(), "metrics: " + s.message());
    if (has(Role::kRouter)) {
      if (auto s = start_router(); !s.ok()) return sdk::Status(s.code(), "router: " + s.message());
    }
    if (has(Role::kApi) || has(Role::kConductor) || has(Role::kScheduler)) {
      if (auto s = open_database(); !s.ok()) return s;
    }
    if (has(Role::kScheduler)) {
      if (auto s = start_scheduler(); !s.ok()) return sdk::Status(s.code(), "scheduler: " + s.message());
    }
    if (has(Role::kConductor)) {
      if (auto s = start_conductor(); !s.ok()) return sdk::Status(s.code(), "conductor: " + s.message());
    }
    if (has(Role::kCompute)) {
      if (auto s = start_computes(); !s.ok()) return s;
    }
    if (has(Role::kApi)) {
      if (auto s = start_api(); !s.ok()) return sdk::Status(s.code(), "api: " + s.message());
    }
    return sdk::Status::OK();
  }

  // The shared build pool: queued builds go back to the conductor (while
  // the hosts still run), running ones get graceful_shutdown_timeout, then
  // the drivers are asked to give up.
  void stop_shared_builds() {
    compute::BuildPool& builds = *shared_compute->builds;
    builds.close();
    const auto grace = compute::ComputeOptions::from_config(config).graceful_shutdown_timeout;
    if (!builds.wait_idle(std::chrono::steady_clock::now() + grace)) {
      spdlog::warn("{} build(s) still running after {} ms; asking the drivers to give up", builds.stats().running,
                   grace.count());
      for (auto& c : computes) {
        if (auto s = c.driver->cleanup_host(c.host); !s.ok()) spdlog::warn("cleanup of host {}: {}", c.host, s.to_string());
      }
    }
    builds.join();
  }

  void stop_all() {
    if (metrics_server) metrics_server->stop();
    metric_collectors.clear();  // before the endpoints and router they read
    if (api_server) api_server->stop();
    if (api_endpoint) api_endpoint->stop();
    if (shared_compute) stop_shared_builds();
    for (auto& c : computes) {
      if (c.manager) c.manager->stop();
    }
    if (shared_compute) {
      shared_compute->timer->stop();
      shared_compute->endpoint->stop();
    }
    for (auto& c : computes) {
      if (c.endpoint) c.endpoint->stop();
      if (c.driver) {
        if (auto s = c.driver->cleanup_host(c.host); !s.ok()) spdlog::warn("cleanup of host {}: {}", c.host, s.to_string());
      }
    }
    if (conductor_reporter) conductor_reporter->stop();
    if (scheduler_reporter) scheduler_reporter->stop();
    if (conductor) conductor->stuck_instance_sweeper().stop();
    if (conductor_endpoint) conductor_endpoint->stop();
    if (scheduler_endpoint) scheduler_endpoint->stop();
    if (router) router->stop();
    // Destroy in reverse order of dependency: users before what they use.
    api_server.reset();
    token_service.reset();
    compute_api.reset();
    api_scheduler.reset();
    api_compute.reset();
    api_conductor.reset();
    api_endpoint.reset();
    computes.clear();
    shared_compute.reset();
    conductor_reporter.reset();
    scheduler_reporter.reset();
    conductor.reset();
    conductor_endpoint.reset();
    scheduler.reset();
    scheduler_endpoint.reset();
    database.reset();
    router.reset();
  }
};

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() { stop(); }

sdk::Result<std::unique_ptr<Node>> Node::create(Config config, const PluginRegistry& registry, NodeOptions options) {
  if (options.roles.empty()) return sdk::Status::InvalidArgument("no role to run");
  auto impl = std::make_unique<Impl>(std::move(config), registry, std::move(options));
  impl->call_timeout = millis(impl->config.rpc.call_timeout);
  impl->compute_hosts = impl->options.compute_hosts;
  if (impl->compute_hosts.empty()) impl->compute_hosts.push_back(impl->config.host);
  if (impl->has(Role::kApi)) {
    if (auto listen = split_listen(impl->config.api.listen); !listen.ok()) return listen.status();
  }
  if (!impl->config.metrics.listen.empty()) {
    if (auto listen = split_listen(impl->config.metrics.listen, "metrics.listen"); !listen.ok()) {
      return listen.status();
    }
  }
  if (impl->config.rpc.router.empty()) return sdk::Status::InvalidArgument("rpc.router is empty");
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

sdk::Status Node::start() {
  if (impl_->started) return sdk::Status::InvalidState("node already started");
  impl_->started = true;
  sdk::Status s = impl_->start_all();
  if (!s.ok()) impl_->stop_all();
  return s;
}

void Node::stop() {
  if (!impl_ || !impl_->started) return;
  impl_->stop_all();
  impl_->started = false;
}

std::string Node::api_url() const {
  if (!impl_->api_server || impl_->api_port == 0) return "";
  return "http://" + impl_->api_host + ":" + std::to_string(impl_->api_port);
}
int Node::api_port() const { return impl_->api_port; }
std::string Node::metrics_url() const {
  if (!impl_->metrics_server || impl_->metrics_port == 0) return "";
  return "http://" + impl_->metrics_host + ":" + std::to_string(impl_->metrics_port) + "/metrics";
}
std::string Node::public_url() const {
  return impl_->config.api.public_url.empty() ? api_url() : impl_->config.api.public_url;
}
identity::TokenService* Node::token_service() const { return impl_->token_service.get(); }
std::vector<std::string> Node::router_addresses() const {
  return impl_->router ? impl_->router->endpoints() : std::vector<std::string>{};
}
std::optional<rpc::RouterStats> Node::router_stats() const {
  if (!impl_->router) return std::nullopt;
  return impl_->router->stats();
}
bool Node::router_secure() const { return impl_->router_secure; }
const Config& Node::config() const { return impl_->config; }
const std::vector<std::string>& Node::compute_hosts() const { return impl_->compute_hosts; }

std::vector<std::string> Node::describe() const {
  std::vector<std::string> lines;
  const Impl& i = *impl_;
  if (i.router) {
    std::string l = "rpc router on";
    for (const auto& e : i.router->endpoints()) l += " " + e;
    lines.push_back(l);
  }
  if (i.database) lines.push_back("database " + i.database->path().string());
  if (i.scheduler) {
    std::string l = "scheduler: filters";
    for (const auto& f : i.config.scheduler.enabled_filters) l += " " + f;
    l += "; weighers";
    for (const auto& w : i.config.scheduler.weighers) l += " " + w;
    lines.push_back(l);
  }
  if (i.conductor) lines.push_back("conductor");
  if (i.computes.size() > kOwnMachineryHosts) {
    lines.push_back("compute hosts " + i.computes.front().host + " .. " + i.computes.back().host + " (" +
                    std::to_string(i.computes.size()) + "): driver " + i.config.compute.driver +
                    ", sharing one RPC endpoint, build pool and periodic thread");
  }
  for (const auto& c : i.computes) {
    if (i.computes.size() > kOwnMachineryHosts) break;
    std::string l = "compute host " + c.host + ": driver " + i.config.compute.driver;
    auto res = c.driver->get_available_resource(c.host);
    if (res.ok()) {
      l += " (" + res->hypervisor_type + ", " + std::to_string(res->vcpus) + " vcpus, " +
           std::to_string(res->memory_mb) + " MB RAM, " + std::to_string(res->local_gb) + " GB disk)";
    }
    lines.push_back(l);
  }
  if (i.api_server) {
    lines.push_back("compute API " + api_url() + "/v2.1 ; auth: " + i.auth_description);
    lines.push_back("identity API " + api_url() + "/identity/v3");
    lines.push_back("network API " + api_url() + "/network/v2.0");
    lines.push_back(i.dashboard ? "dashboard " + api_url() + "/dashboard/ (files in " + i.dashboard->root().string() + ")"
                                : std::string("dashboard: none (no share/stratus/web; set api.dashboard_dir)"));
  }
  if (i.image_store) {
    lines.push_back("image API " + api_url() + "/image/v2 ; data in " + i.image_store->directory().string());
  }
  if (i.metrics_server) lines.push_back("metrics " + metrics_url() + " (Prometheus text format; no authentication)");
  if (i.api_server && i.config.metrics.on_api_port) {
    lines.push_back("metrics " + api_url() + "/metrics (on the API port; no authentication)");
  }
  return lines;
}

}  // namespace stratus::core
