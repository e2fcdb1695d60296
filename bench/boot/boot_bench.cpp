// boot_bench: how fast `stratus aio` turns POST /servers into ACTIVE servers.
//
// For each N (default 100 and 1000) it starts `stratus aio --fake-hosts 10`
// in a fresh data directory, lifts the quota, and creates N servers with
// --clients concurrent REST clients (one server per POST, as a dashboard
// does). A poller watches /servers/detail?changes-since to see each server
// turn ACTIVE. Then it deletes them all and waits until they are gone.
//
// Prints: servers/s boot-to-ACTIVE, p50/p99 of POST latency and of
// boot-to-ACTIVE (POST sent -> first seen ACTIVE; the poll period bounds the
// error), delete rate, peak RSS of the aio process, and ratios: against the
// target (300 servers/s), against Nova 26's figure on this kind of machine
// (3 servers/s at best), and POST latency against a GET /flavors/detail
// measured in the same run (the API's floor), and the p50 of one boot on an
// idle system (15 servers one after another, each read every millisecond
// until ACTIVE, before the N are created).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "bench/common/aio_process.h"

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

struct Percentiles {
  double p50 = 0, p99 = 0;
};

Percentiles percentiles(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  p.p50 = v[v.size() / 2];
  p.p99 = v[std::min(v.size() - 1, v.size() * 99 / 100)];
  return p;
}

std::string iso_utc(std::time_t t) {
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct RunResult {
  int n = 0;
  double boot_rate = 0;
  Percentiles post_ms, boot_ms;
  double delete_rate = 0;
  long peak_rss_kb = 0, rss_kb = 0;
  double flavors_get_p50_ms = 0;
  double idle_boot_p50_ms = 0;   // one server at a time on an idle system, POST sent -> ACTIVE read
  double cpu_ms_per_server = 0;  // the aio's user+sys CPU for boot + delete, per server
  int errors = 0;
  std::size_t posted = 0, seen_active = 0;
  bool complete = false;
};

RunResult run(const std::string& binary, int n, int hosts, int clients, const fs::path& dir) {
  RunResult result;
  result.n = n;
  // Fake hosts big enough for 1000 m1.tiny on 10 of them: 16 vcpus x 4.0
  // would hold 640, and Nova's max_instances_per_host (50) 500.
  stratus::bench::AioProcess aio(binary,
                                 {"--log-level", "warn", "--set", "host=bench", "--set", "driver.fake.vcpus=256", "--set",
                                  "filter.num_instances.max_instances_per_host=400", "--set",
                                  "api.auth_strategy=noauth"},
                                 hosts, dir);
  const int port = aio.wait_ready(60s);
  if (port == 0) {
    std::cerr << "boot_bench: aio did not start\n";
    return result;
  }
  httplib::Client api("127.0.0.1", port);
  api.set_read_timeout(60, 0);
  auto quota = api.Put("/v2.1/os-quota-sets/admin",
                       R"({"quota_set": {"instances": -1, "cores": -1, "ram": -1}})", "application/json");
  if (!quota || quota->status != 200) {
    std::cerr << "boot_bench: cannot lift the quota\n";
    return result;
  }
  // Wait for every host's first report.
  for (int i = 0; i < 300; ++i) {
    auto r = api.Get("/v2.1/os-hypervisors");
    if (r && r->status == 200 && json::parse(r->body)["hypervisors"].size() == static_cast<std::size_t>(hosts)) break;
    std::this_thread::sleep_for(50ms);
  }
  std::this_thread::sleep_for(1500ms);  // the scheduler hears reports a period later
  auto images = api.Get("/v2.1/images");
  const std::string image = json::parse(images->body)["images"][0]["id"];

  // Baseline: the API's floor, a read of similar size, same process, same run.
  std::vector<double> gets;
  for (int i = 0; i < 200; ++i) {
    const auto t0 = Clock::now();
    auto r = api.Get("/v2.1/flavors/detail");
    if (r && r->status == 200) gets.push_back(ms_between(t0, Clock::now()));
  }
  result.flavors_get_p50_ms = percentiles(gets).p50;

  // One boot on an idle system (issue #16: under 5 ms p50): POST, then read
  // the server every millisecond until it is ACTIVE; then delete it and wait
  // until it is gone, so that the next one starts idle too.
  std::vector<double> idle_boots;
  for (int i = 0; i < 15; ++i) {
    const std::string body = R"({"server": {"name": "idle-)" + std::to_string(i) + R"(", "imageRef": ")" + image +
                             R"(", "flavorRef": "1", "networks": "none"}})";
    const auto t0 = Clock::now();
    auto r = api.Post("/v2.1/servers", body, "application/json");
    if (!r || r->status != 202) continue;
    const std::string id = json::parse(r->body)["server"]["id"];
    for (int poll = 0; poll < 5000; ++poll) {
      auto g = api.Get("/v2.1/servers/" + id);
      if (g && g->status == 200 && json::parse(g->body)["server"].value("status", "") == "ACTIVE") {
        idle_boots.push_back(ms_between(t0, Clock::now()));
        break;
      }
      std::this_thread::sleep_for(1ms);
    }
    api.Delete("/v2.1/servers/" + id);
    for (int poll = 0; poll < 5000; ++poll) {
      auto g = api.Get("/v2.1/servers/" + id);
      if (g && g->status == 404) break;
      std::this_thread::sleep_for(1ms);
    }
  }
  result.idle_boot_p50_ms = percentiles(idle_boots).p50;

  const double cpu_at_start = aio.cpu_seconds();
  std::mutex mu;
  std::map<std::string, Clock::time_point> sent;  // id -> POST sent
  std::map<std::string, Clock::time_point> active;
  std::vector<double> post_ms;
  std::atomic<int> next{0};
  std::atomic<int> errors{0};
  std::atomic<bool> posting_done{false};

  const auto start = Clock::now();
  const std::time_t start_wall = std::time(nullptr) - 2;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(60, 0);
      for (int i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
        const std::string body = R"({"server": {"name": "bench-)" + std::to_string(i) + R"(", "imageRef": ")" + image +
                                 R"(", "flavorRef": "1", "networks": "none"}})";
        const auto t0 = Clock::now();
        auto r = client.Post("/v2.1/servers", body, "application/json");
        const auto t1 = Clock::now();
        if (!r || r->status != 202) {
          errors.fetch_add(1);
          continue;
        }
        const std::string id = json::parse(r->body)["server"]["id"];
        std::lock_guard lock(mu);
        sent[id] = t0;
        post_ms.push_back(ms_between(t0, t1));
      }
    });
  }

  // The poller: what turned ACTIVE since the start (changes-since keeps the
  // pages small once servers settle).
  std::thread poller([&] {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(60, 0);
    const auto deadline = Clock::now() + std::chrono::seconds(60 + n / 5);
    std::time_t since = start_wall;
    while (Clock::now() < deadline) {
      const std::time_t poll_wall = std::time(nullptr);
      auto r = client.Get("/v2.1/servers/detail?status=ACTIVE&changes-since=" + iso_utc(since));
      const auto seen_at = Clock::now();
      if (r && r->status == 200) {
        const json page = json::parse(r->body);  // named: the loop must not iterate a dead temporary
        std::lock_guard lock(mu);
        for (const auto& s : page["servers"]) {
          const std::string id = s["id"];
          if (active.count(id) == 0) active[id] = seen_at;
        }
        since = poll_wall - 2;
        if (posting_done && active.size() + static_cast<std::size_t>(errors.load()) >= static_cast<std::size_t>(n)) {
          return;
        }
      }
      std::this_thread::sleep_for(20ms);
    }
  });
  for (auto& t : threads) t.join();
  posting_done = true;
  poller.join();

  Clock::time_point last_active = start;
  std::vector<double> boot_ms;
  for (const auto& [id, t] : active) {
    last_active = std::max(last_active, t);
    auto s = sent.find(id);
    if (s != sent.end()) boot_ms.push_back(ms_between(s->second, t));
  }
  result.errors = errors.load();
  result.posted = sent.size();
  result.seen_active = active.size();
  result.complete = static_cast<int>(active.size()) == n;
  result.boot_rate = static_cast<double>(active.size()) / (ms_between(start, last_active) / 1000.0);
  result.post_ms = percentiles(post_ms);
  result.boot_ms = percentiles(boot_ms);
  if (!result.complete) {
    // Say where the missing ones are: a status histogram of every server.
    std::map<std::string, int> statuses;
    std::string marker;
    for (int page = 0; page < 100; ++page) {
      auto r = api.Get("/v2.1/servers/detail?limit=500" + (marker.empty() ? "" : "&marker=" + marker));
      if (!r || r->status != 200) break;
      const json body = json::parse(r->body);
      if (body["servers"].empty()) break;
      for (const auto& s : body["servers"]) {
        std::string key = s.value("status", "?");
        if (s.contains("fault")) key += " (" + s["fault"].value("message", "").substr(0, 100) + ")";
        ++statuses[key];
        marker = s["id"];
      }
    }
    for (const auto& [status, count] : statuses) std::fprintf(stderr, "  %5d %s\n", count, status.c_str());
  }
  const auto [peak, rss] = aio.rss_kb();
  result.peak_rss_kb = peak;
  result.rss_kb = rss;

  // Delete them all and wait until the list is empty.
  std::vector<std::string> ids;
  for (const auto& [id, t] : sent) ids.push_back(id);
  std::atomic<std::size_t> next_delete{0};
  const auto del_start = Clock::now();
  threads.clear();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      for (std::size_t i = next_delete.fetch_add(1); i < ids.size(); i = next_delete.fetch_add(1)) {
        client.Delete("/v2.1/servers/" + ids[i]);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 3000; ++i) {
    auto r = api.Get("/v2.1/servers?limit=1");
    if (r && r->status == 200 && json::parse(r->body)["servers"].empty()) break;
    std::this_thread::sleep_for(20ms);
  }
  result.delete_rate = static_cast<double>(ids.size()) / (ms_between(del_start, Clock::now()) / 1000.0);
  result.cpu_ms_per_server = (aio.cpu_seconds() - cpu_at_start) * 1000.0 / std::max(1, n);
  aio.stop();
  return result;
}


void print_row(const char* label, const RunResult& r) {
  if (!r.complete) {
    std::printf("%-9s %6d incomplete run: %zu posted, %d POST errors, %zu seen ACTIVE\n", label, r.n, r.posted,
                r.errors, r.seen_active);
    return;
  }
  std::printf("%-9s %6d %10.1f %7.1fms %7.1fms %7.1fms %7.1fms %10.1f %7.1fMB %9.2f %8.2f %9.0f %9.2f %7.1fms\n",
              label, r.n, r.boot_rate, r.post_ms.p50, r.post_ms.p99, r.boot_ms.p50, r.boot_ms.p99, r.delete_rate,
              r.peak_rss_kb / 1024.0, r.cpu_ms_per_server, r.boot_rate / 300.0, r.boot_rate / 3.0,
              r.post_ms.p50 / std::max(r.flavors_get_p50_ms, 1e-3), r.idle_boot_p50_ms);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string binary = STRATUS_BINARY;
  std::string baseline;  // another stratus binary, run alternately with `binary`
  std::vector<int> sizes = {100, 1000};
  int hosts = 10;
  int clients = 8;
  int rounds = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--servers") {
      sizes.clear();
      std::stringstream in(value);
      std::string item;
      while (std::getline(in, item, ',')) sizes.push_back(std::stoi(item));
    } else if (flag == "--hosts") {
      hosts = std::stoi(value);
    } else if (flag == "--clients") {
      clients = std::stoi(value);
    } else if (flag == "--stratus") {
      binary = value;
    } else if (flag == "--baseline") {
      baseline = value;
    } else if (flag == "--rounds") {
      rounds = std::max(1, std::stoi(value));
    } else {
      std::cerr << "usage: boot_bench [--servers 100,1000] [--hosts 10] [--clients 8] [--stratus PATH]\n"
                   "                  [--baseline PATH --rounds R]\n";
      return 2;
    }
  }
  const fs::path dir = fs::temp_directory_path() / ("stratus-boot-bench-" + std::to_string(getpid()));
  std::printf("boot_bench: stratus aio --fake-hosts %d, %d REST clients, one server per POST\n", hosts, clients);
  if (!baseline.empty()) {
    std::printf("baseline: %s\nthis:     %s\n(run alternately, %d round(s) per N)\n", baseline.c_str(), binary.c_str(),
                rounds);
  }
  std::printf("%-9s %6s %10s %9s %9s %9s %9s %10s %9s %9s %8s %9s %9s %9s\n", "binary", "N", "boot/s", "post p50",
              "post p99", "boot p50", "boot p99", "delete/s", "peak RSS", "CPU ms/s", "x target", "x Nova26",
              "post/get", "idle boot");
  int rc = 0;
  int run_index = 0;
  for (int n : sizes) {
    std::vector<double> boot_ratios, cpu_ratios;
    for (int round = 0; round < rounds; ++round) {
      RunResult base;
      if (!baseline.empty()) {
        base = run(baseline, n, hosts, clients, dir / std::to_string(run_index++));
        print_row("baseline", base);
        if (!base.complete) rc = 1;
      }
      RunResult r = run(binary, n, hosts, clients, dir / std::to_string(run_index++));
      print_row(baseline.empty() ? "stratus" : "this", r);
      if (!r.complete) rc = 1;
      if (base.complete && r.complete) {
        boot_ratios.push_back(r.boot_rate / base.boot_rate);
        cpu_ratios.push_back(r.cpu_ms_per_server / std::max(base.cpu_ms_per_server, 1e-6));
      }
    }
    if (!boot_ratios.empty()) {
      std::printf("N=%d this/baseline: boot/s ratio %.2fx, CPU per server ratio %.2fx (medians of %zu round(s))\n", n,
                  median(boot_ratios), median(cpu_ratios), boot_ratios.size());
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return rc;
}
