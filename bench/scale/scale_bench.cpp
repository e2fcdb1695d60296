// scale_bench: one controller at the scale of issue #16 (10,000 hosts and
// 100,000 instances), each figure beside a baseline measured in the same run.
//
// 1. Seeds a database directly, not through the API (the REST path would
//    take an hour): for each host a compute service (registered and given a
//    heartbeat) and a compute node, through ServiceRepository and
//    ComputeNodeRepository in one transaction per 1000 hosts; then the
//    instances of project "admin", ACTIVE, spread over the hosts, through
//    InstanceRepository::create in one transaction per 1000 (quota off).
// 2. The scheduler, in this process, over that database: SchedulerService
//    with the default filters and weighers (the plugin libraries), its cache
//    loaded from the database (load_from_database, timed), served on an
//    inproc router; `--concurrency` client threads call select_destinations
//    (one instance, m1.tiny, a claim in the database each) until `--selects`
//    calls are done. Baseline: the same threads calling `claim` on an
//    unknown node (an RPC round trip and one write transaction that finds
//    no node: the floor under a select that claims).
// 3. `stratus aio --fake-hosts 1` on the seeded data directory: its start
//    time, then GET /servers/detail?limit=1000 (first page, repeated), the
//    pages of GET /servers?limit=1000 and of /servers/detail?limit=1000
//    walked by marker, the process' RSS, and its idle CPU. Baseline: GET
//    /flavors/detail (the API's floor).
// 4. `stratus aio --fake-hosts N` in a fresh directory: time until ready
//    (the "ready at" line) and until GET /os-hypervisors/detail shows all N
//    hosts up, idle CPU over 5 s, RSS, threads. Baseline: `--fake-hosts 1`
//    in the same run. The fake hosts of one process share their threads
//    (docs/operations.md); the bench still measures the threads per host
//    on a probe first and refuses a count that would take more than half of
//    the machine's free process ids (as a build whose hosts had threads of
//    their own would), saying so, rather than starve the machine.
//
//   scale_bench [--hosts 10000] [--instances 100000] [--concurrency 50]
//               [--selects 1000] [--start-hosts N (default --hosts)]
//               [--rounds 15] [--stratus PATH] [--keep 1]
//               [--only-start 1 (step 4 alone)]
//
// No figure here is a pass/fail: the exit status says only whether every
// step ran (tests/integration/bench runs it tiny as a smoke test).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "bench/common/aio_process.h"
#include "bench/common/bench_instance.h"
#include "core/config/config.h"
#include "core/db/compute_node_repository.h"
#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "core/db/seed.h"
#include "core/db/service_repository.h"
#include "core/plugin/plugin_registry.h"
#include "core/rpcapi/scheduler_rpcapi.h"
#include "core/rpcapi/topics.h"
#include "core/scheduler/scheduler_service.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/rpc/router.h"

namespace {

using namespace stratus;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using json = nlohmann::json;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "scale_bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T must(sdk::Result<T> r, const std::string& what) {
  if (!r.ok()) die(what + ": " + r.status().to_string());
  return std::move(r.value());
}

void must(const sdk::Status& s, const std::string& what) {
  if (!s.ok()) die(what + ": " + s.to_string());
}

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

std::string host_name(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "scale-%05d", i);
  return buf;
}

struct Options {
  int hosts = 10000;
  int instances = 100000;
  int concurrency = 50;
  int selects = 1000;
  int start_hosts = -1;  // -1: --hosts
  int rounds = 15;
  std::string binary = STRATUS_BINARY;
  bool keep = false;  // leave the seeded data directory behind (its path is printed)
  bool only_start = false;  // step 4 alone
};

// Step 1: hosts and instances straight into the database.
void seed(core::db::Database& db, const Options& o) {
  auto t0 = Clock::now();
  must(core::db::seed_defaults(db), "seed defaults");
  sdk::HostResources res;
  res.hypervisor_type = "fake";
  res.hypervisor_version = 1000;
  res.cpu_arch = "x86_64";
  res.vcpus = 64;
  res.memory_mb = 262144;
  res.local_gb = 2000;
  res.supported_instances = {{"x86_64", "fake", "hvm"}};
  const int per_host = o.hosts > 0 ? (o.instances + o.hosts - 1) / o.hosts : 0;
  res.vcpus_used = per_host;
  res.memory_mb_used = 512L * per_host;
  res.local_gb_used = per_host;
  res.running_vms = per_host;
  for (int first = 0; first < o.hosts; first += 1000) {
    auto tx = must(db.begin_write("seed hosts"), "begin");
    for (int i = first; i < std::min(o.hosts, first + 1000); ++i) {
      const std::string host = host_name(i);
      core::db::ServiceRepository services(tx);
      must(services.register_service(host, std::string(core::rpcapi::kComputeBinary),
                                     std::string(core::rpcapi::kComputeTopic))
               .status(),
           "register " + host);
      must(services.heartbeat(host, std::string(core::rpcapi::kComputeBinary)), "heartbeat " + host);
      res.hypervisor_hostname = host;
      must(core::db::ComputeNodeRepository(tx).upsert(host, res).status(), "compute node " + host);
    }
    must(tx.commit(), "commit hosts");
  }
  const double hosts_ms = ms_since(t0);
  t0 = Clock::now();
  for (int first = 0; first < o.instances; first += 1000) {
    std::vector<core::db::InstanceRecord> batch;
    for (int i = first; i < std::min(o.instances, first + 1000); ++i) {
      core::db::InstanceRecord r = bench::bench_instance(i, o.hosts > 0 ? host_name(i % o.hosts) : "");
      r.power_state = sdk::PowerState::kRunning;
      batch.push_back(std::move(r));
    }
    must(core::db::InstanceRepository(db).create(std::move(batch), core::db::InstanceQuotaCheck{false}).status(),
         "create instances");
  }
  std::printf("seeded %d hosts (service + compute node) in %.1f s, %d instances in %.1f s, directly in the database\n",
              o.hosts, hosts_ms / 1000, o.instances, ms_since(t0) / 1000);
}

// Step 2: select_destinations against the seeded hosts, in this process.
struct SchedulerFigures {
  double load_ms = 0;
  std::size_t nodes = 0;
  double select_p50 = 0, select_p99 = 0, claim_p50 = 0, claim_p99 = 0;
  int select_errors = 0;
};

SchedulerFigures measure_scheduler(core::db::Database& db, const Options& o) {
  SchedulerFigures f;
  core::PluginRegistry registry;
  for (const char* lib : {"libstratus_filters.so", "libstratus_weighers.so"}) {
    auto refusals = registry.load_library(fs::path(STRATUS_PLUGIN_DIR) / lib);
    if (!refusals.empty()) die(std::string("loading ") + lib + ": " + refusals.front().to_string());
  }
  core::Config config;
  config.host = "scale-bench";
  config.service_down_time = 3600;  // the seeded heartbeats stay fresh for the run
  auto service = must(core::scheduler::SchedulerService::create(registry, config, db), "scheduler");
  auto t0 = Clock::now();
  must(service->load_from_database(), "load_from_database");
  f.load_ms = ms_since(t0);
  f.nodes = service->host_state_cache().node_count();

  auto io = std::make_shared<rpc::IoContext>();
  rpc::RouterOptions ro;
  ro.bind = {"inproc://scale-bench-" + std::to_string(::getpid())};
  ro.io = io;
  rpc::Router router(ro);
  if (auto s = router.start(); !s.ok()) die("router: " + s.error().to_string());
  auto endpoint_options = [&](const std::string& name, std::size_t workers) {
    rpc::EndpointOptions eo;
    eo.router = ro.bind.front();
    eo.name = name;
    eo.io = io;
    eo.workers = workers;
    return eo;
  };
  rpc::Endpoint server(endpoint_options("scheduler", 4));  // as `stratus aio` makes it
  must(service->register_on(server), "register scheduler");
  if (auto s = server.start(); !s.ok()) die("scheduler endpoint: " + s.error().to_string());
  rpc::Endpoint client_ep(endpoint_options("client", 1));
  if (auto s = client_ep.start(); !s.ok()) die("client endpoint: " + s.error().to_string());
  if (!server.wait_registered(10s) || !client_ep.wait_registered(10s)) die("endpoints did not register");
  core::rpcapi::SchedulerRpcApi client(client_ep, 60000ms);

  sdk::RequestSpec spec;
  spec.flavor.id = "1";
  spec.flavor.name = "m1.tiny";
  spec.flavor.vcpus = 1;
  spec.flavor.memory_mb = 512;
  spec.flavor.root_gb = 1;
  spec.project_id = "admin";
  spec.user_id = "admin";
  spec.image.id = core::db::kDefaultImageUuid;

  // `calls` calls of `one(i)` from o.concurrency threads; the latencies.
  auto run = [&](int calls, auto one) {
    std::vector<double> ms;
    std::mutex mu;
    std::atomic<int> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < o.concurrency; ++t) {
      threads.emplace_back([&] {
        for (int i = next.fetch_add(1); i < calls; i = next.fetch_add(1)) {
          const auto c0 = Clock::now();
          one(i);
          const double took = ms_since(c0);
          std::lock_guard lock(mu);
          ms.push_back(took);
        }
      });
    }
    for (auto& t : threads) t.join();
    return ms;
  };
  const sdk::RequestContext ctx{"req-scale-bench", "admin", "admin", {}};
  std::atomic<int> errors{0};
  auto claim_ms = run(o.selects, [&](int i) {
    core::rpcapi::ClaimMsg claim;
    claim.destination = {"no-such-host", "no-such-host"};
    claim.instance_uuid = "scale-bench-unknown-" + std::to_string(i);
    claim.flavor = spec.flavor;
    (void)client.claim(ctx, claim);  // refused (no such node) after a write transaction's lookup
  });
  auto select_ms = run(o.selects, [&](int i) {
    auto r = client.select_destinations(
        ctx, core::rpcapi::SelectDestinationsRequest{spec, {"scale-bench-select-" + std::to_string(i)}, 0});
    if (!r.ok()) {
      if (errors.fetch_add(1) == 0) std::fprintf(stderr, "select_destinations: %s\n", r.status().to_string().c_str());
    }
  });
  f.select_p50 = percentile(select_ms, 0.5);
  f.select_p99 = percentile(select_ms, 0.99);
  f.claim_p50 = percentile(claim_ms, 0.5);
  f.claim_p99 = percentile(claim_ms, 0.99);
  f.select_errors = errors.load();
  client_ep.stop();
  server.stop();
  router.stop();
  return f;
}

// Step 3: the API of an aio over the seeded data.
struct ApiFigures {
  double start_ms = 0;
  double flavors_p50 = 0, detail_first_p50 = 0, detail_paged_p50 = 0, brief_paged_p50 = 0;
  int detail_pages = 0, brief_pages = 0;
  std::size_t brief_seen = 0;
  long rss_kb = 0, peak_kb = 0;
  double idle_cpu_percent = 0;
};

double idle_cpu_percent(const bench::AioProcess& aio, std::chrono::seconds over) {
  const double c0 = aio.cpu_seconds();
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(over);
  return 100.0 * (aio.cpu_seconds() - c0) / (ms_since(t0) / 1000.0);
}

std::vector<std::string> aio_options() {
  return {"--log-level", "warn", "--set", "host=scale-bench", "--set", "api.auth_strategy=noauth",
          "--set",       "service_down_time=3600"};
}

ApiFigures measure_api(const fs::path& dir, const Options& o) {
  ApiFigures f;
  auto t0 = Clock::now();
  bench::AioProcess aio(o.binary, aio_options(), 1, dir);
  const int port = aio.wait_ready(600s);
  if (port == 0) die("the aio over the seeded database did not start (log: " + (dir / "aio.log").string() + ")");
  f.start_ms = ms_since(t0);
  httplib::Client api("127.0.0.1", port);
  api.set_read_timeout(120, 0);
  auto timed_get = [&](const std::string& path) -> std::pair<double, json> {
    const auto c0 = Clock::now();
    auto r = api.Get(path);
    const double took = ms_since(c0);
    if (!r || r->status != 200) die("GET " + path + ": " + (r ? std::to_string(r->status) : "no reply"));
    return {took, json::parse(r->body)};
  };
  std::vector<double> flavors, first, detail, brief;
  for (int i = 0; i < o.rounds; ++i) {
    flavors.push_back(timed_get("/v2.1/flavors/detail").first);
    first.push_back(timed_get("/v2.1/servers/detail?limit=1000").first);
  }
  // Walk the pages by marker, as a client lists everything.
  auto walk = [&](const std::string& base, std::vector<double>& out) {
    std::string marker;
    std::size_t seen = 0;
    for (int page = 0; page < 200; ++page) {
      auto [took, body] = timed_get(base + (marker.empty() ? "" : "&marker=" + marker));
      const auto& servers = body["servers"];
      if (servers.empty()) break;
      out.push_back(took);
      seen += servers.size();
      marker = servers.back()["id"];
      if (static_cast<int>(out.size()) >= o.rounds * 2) break;  // enough samples; the deep pages are like the first
    }
    return seen;
  };
  walk("/v2.1/servers/detail?limit=1000", detail);
  f.brief_seen = walk("/v2.1/servers?limit=1000", brief);
  f.flavors_p50 = percentile(flavors, 0.5);
  f.detail_first_p50 = percentile(first, 0.5);
  f.detail_paged_p50 = percentile(detail, 0.5);
  f.brief_paged_p50 = percentile(brief, 0.5);
  f.detail_pages = static_cast<int>(detail.size());
  f.brief_pages = static_cast<int>(brief.size());
  f.idle_cpu_percent = idle_cpu_percent(aio, 5s);
  std::tie(f.peak_kb, f.rss_kb) = aio.rss_kb();
  aio.stop();
  return f;
}

// Step 4: an aio with `hosts` fake hosts, from a fresh directory.
struct StartFigures {
  int hosts = 0;
  bool ready = false;
  bool all_up = false;
  double start_ms = 0, up_ms = 0, idle_cpu_percent = 0;
  long rss_kb = 0;
  int threads = 0;
};

StartFigures measure_start(const fs::path& dir, const Options& o, int hosts) {
  StartFigures f;
  f.hosts = hosts;
  const auto t0 = Clock::now();
  bench::AioProcess aio(o.binary, aio_options(), hosts, dir);
  const int port = aio.wait_ready(std::chrono::seconds(120));
  f.start_ms = ms_since(t0);
  f.ready = port != 0;
  if (f.ready) {
    // Every host works once the API shows it up (its first report and
    // heartbeat reached the conductor and the scheduler).
    httplib::Client api("127.0.0.1", port);
    api.set_read_timeout(60, 0);
    const auto until = Clock::now() + 120s;
    while (Clock::now() < until) {
      auto r = api.Get("/v2.1/os-hypervisors/detail");
      if (r && r->status == 200) {
        int up = 0;
        for (const auto& h : json::parse(r->body, nullptr, false).value("hypervisors", json::array())) {
          up += h.value("state", "") == "up" ? 1 : 0;
        }
        if (up >= hosts) {
          f.all_up = true;
          break;
        }
      }
      std::this_thread::sleep_for(100ms);
    }
    f.up_ms = ms_since(t0);
    std::this_thread::sleep_for(2s);  // the first reports and heartbeats
    f.idle_cpu_percent = idle_cpu_percent(aio, 5s);
  }
  f.rss_kb = aio.rss_kb().second;
  f.threads = aio.thread_count();
  aio.stop();
  return f;
}

void print_steps_1_to_3(const SchedulerFigures& sched, const ApiFigures& api) {
  std::printf("scheduler: loaded %zu nodes from the database in %.1f ms\n", sched.nodes, sched.load_ms);
  std::printf("scheduler: select_destinations p50 %.2f ms p99 %.2f ms (%d errors); baseline claim (unknown node) p50 %.2f ms p99 %.2f ms\n",
              sched.select_p50, sched.select_p99, sched.select_errors, sched.claim_p50, sched.claim_p99);

  std::printf("api: aio over the seeded database ready in %.2f s; RSS %.1f MB (peak %.1f MB); idle CPU %.1f%%\n",
              api.start_ms / 1000, api.rss_kb / 1024.0, api.peak_kb / 1024.0, api.idle_cpu_percent);
  std::printf("api: GET /flavors/detail p50 %.2f ms (baseline)\n", api.flavors_p50);
  std::printf("api: GET /servers/detail?limit=1000 first page p50 %.2f ms; by marker p50 %.2f ms over %d pages\n",
              api.detail_first_p50, api.detail_paged_p50, api.detail_pages);
  std::printf("api: GET /servers?limit=1000 by marker p50 %.2f ms over %d pages (%zu servers seen)\n",
              api.brief_paged_p50, api.brief_pages, api.brief_seen);
}

void print_start(const StartFigures& f) {
  std::printf("start: --fake-hosts %d: %s in %.2f s, %s at %.2f s, idle CPU %.1f%%, RSS %.1f MB, %d threads\n",
              f.hosts, f.ready ? "ready" : "NOT ready", f.start_ms / 1000,
              f.all_up ? "every host up" : "NOT every host up", f.up_ms / 1000, f.idle_cpu_percent,
              f.rss_kb / 1024.0, f.threads);
}

int free_pids() {
  std::ifstream max_in("/proc/sys/kernel/pid_max");
  std::ifstream threads_in("/proc/sys/kernel/threads-max");
  long pid_max = 32768, threads_max = 32768;
  max_in >> pid_max;
  threads_in >> threads_max;
  long used = 0;
  std::ifstream loadavg("/proc/loadavg");  // "... running/total ..."
  std::string a, b, c, rt;
  loadavg >> a >> b >> c >> rt;
  if (auto slash = rt.find('/'); slash != std::string::npos) used = std::atol(rt.c_str() + slash + 1);
  return static_cast<int>(std::min(pid_max, threads_max) - used);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const std::string v = argv[i + 1];
    if (a == "--hosts") o.hosts = std::atoi(v.c_str());
    else if (a == "--instances") o.instances = std::atoi(v.c_str());
    else if (a == "--concurrency") o.concurrency = std::atoi(v.c_str());
    else if (a == "--selects") o.selects = std::atoi(v.c_str());
    else if (a == "--start-hosts") o.start_hosts = std::atoi(v.c_str());
    else if (a == "--rounds") o.rounds = std::atoi(v.c_str());
    else if (a == "--stratus") o.binary = v;
    else if (a == "--keep") o.keep = v == "1" || v == "true";
    else if (a == "--only-start") o.only_start = v == "1" || v == "true";
    else die("unknown option " + a);
  }
  if (o.hosts < 1 || o.instances < 0 || o.concurrency < 1 || o.selects < 1 || o.rounds < 1) {
    die("--hosts, --concurrency, --selects and --rounds must be at least 1");
  }
  if (o.start_hosts < 0) o.start_hosts = o.hosts;
  spdlog::set_level(spdlog::level::warn);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure as soon as it is measured
  const fs::path dir = fs::temp_directory_path() / ("stratus-scale-bench-" + std::to_string(::getpid()));
  std::printf("scale_bench: %d hosts, %d instances, %d concurrent selects (%d calls), stratus %s\n", o.hosts,
              o.instances, o.concurrency, o.selects, o.binary.c_str());

  SchedulerFigures sched;
  ApiFigures api;
  if (!o.only_start) {
    {
      auto db = must(core::db::Database::open(dir / "seeded" / "data"), "open database");
      seed(*db, o);
      sched = measure_scheduler(*db, o);
    }
    api = measure_api(dir / "seeded", o);
    print_steps_1_to_3(sched, api);
  }

  // Step 4: the baseline (one host), then a count of hosts the machine can hold.
  const StartFigures one = measure_start(dir / "start-1", o, 1);
  print_start(one);
  // A probe the machine holds whatever the count asked for: the threads per
  // host, and a start time to scale from when the full count cannot run.
  const int probe_hosts = std::min(o.start_hosts, 100);
  StartFigures probe = one;
  if (probe_hosts > 1) {
    probe = measure_start(dir / "start-probe", o, probe_hosts);
    print_start(probe);
  }
  StartFigures big = probe;
  if (o.start_hosts > probe_hosts) {
    const double per_host =
        probe_hosts > 1 ? static_cast<double>(probe.threads - one.threads) / (probe_hosts - 1) : 20.0;
    const double wanted = one.threads + per_host * (o.start_hosts - 1);
    const int headroom = free_pids();
    if (wanted > headroom / 2.0) {
      std::printf("start: --fake-hosts %d NOT RUN: %.1f threads per fake host would make %.0f threads, more than half of "
                  "the %d process ids free on this machine (kernel.pid_max and threads-max are shared)\n",
                  o.start_hosts, per_host, wanted, headroom);
      big = StartFigures{};
    } else {
      big = measure_start(dir / "start-big", o, o.start_hosts);
      print_start(big);
    }
  }

  std::printf("\nsummary (issue #16 goals; ratios against the baseline of this run)\n");
  if (big.hosts == o.start_hosts && big.ready) {
    std::printf("  aio --fake-hosts %-6d start %8.2f s  (goal < 10 s)    x%.1f the 1-host start\n", o.start_hosts,
                big.start_ms / 1000, big.start_ms / one.start_ms);
    std::printf("  aio --fake-hosts %-6d all up %7.2f s  (%s)          1 host: %.2f s\n", o.start_hosts,
                big.up_ms / 1000, big.all_up ? "every host up" : "NOT all up in 120 s", one.up_ms / 1000);
    std::printf("  aio --fake-hosts %-6d idle  %7.1f %%   (goal < 10 %%)   1 host: %.1f %%\n", o.start_hosts,
                big.idle_cpu_percent, one.idle_cpu_percent);
  } else {
    std::printf("  aio --fake-hosts %-6d not measured (see above)\n", o.start_hosts);
  }
  if (!o.only_start) {
    std::printf("  GET /servers/detail?limit=1000 p50 %7.2f ms (goal < 50 ms)   x%.1f GET /flavors/detail\n",
                api.detail_first_p50, api.detail_first_p50 / std::max(api.flavors_p50, 1e-3));
    std::printf("  GET /servers?limit=1000 paged  p50 %7.2f ms (goal < 20 ms)   x%.1f GET /flavors/detail\n",
                api.brief_paged_p50, api.brief_paged_p50 / std::max(api.flavors_p50, 1e-3));
    std::printf("  select_destinations, %d hosts, %d concurrent: p50 %7.2f ms (goal < 5 ms)   x%.1f the claim baseline\n",
                o.hosts, o.concurrency, sched.select_p50, sched.select_p50 / std::max(sched.claim_p50, 1e-3));
    std::printf("  controller RSS with %d instances: %.1f MB (goal < 1024 MB)\n", o.instances, api.rss_kb / 1024.0);
  }

  std::error_code ec;
  if (o.keep) {
    std::printf("kept %s\n", dir.string().c_str());
  } else {
    fs::remove_all(dir, ec);
  }
  return sched.select_errors == 0 && one.ready ? 0 : 1;
}
