// bench/rpc: Stratus RPC against raw libzmq, in one run, on tcp loopback.
//
//   rpc_bench [--calls N] [--casts N] [--codec N] [--rounds N] [--payload BYTES] [--profile-casts 1 | --profile-raw 1]
//
// Prints call round-trip p50/p99 through the router and cast throughput
// (messages/s received by the server), each beside the same pattern written with
// raw libzmq through a bare ROUTER forwarder, and the codec cost of a Nova-sized
// build_and_run_instance message. Ratios compare figures of this run only.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "bench_util.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/rpc/router.h"

namespace stratus::bench {
namespace {

using namespace std::chrono_literals;

struct Args {
  int calls = 20000;
  int casts = 200000;
  int codec = 20000;
  int rounds = 2;
  std::size_t payload = 200;
  bool profile_casts = false;  // --profile-casts 1: only Stratus casts, for perf record
  bool profile_raw = false;    // --profile-raw 1: only the raw forwarder's casts
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const long v = std::strtol(argv[i + 1], nullptr, 10);
    if (v <= 0) continue;
    if (k == "--calls") a.calls = static_cast<int>(v);
    if (k == "--casts") a.casts = static_cast<int>(v);
    if (k == "--codec") a.codec = static_cast<int>(v);
    if (k == "--rounds") a.rounds = static_cast<int>(v);
    if (k == "--payload") a.payload = static_cast<std::size_t>(v);
    if (k == "--profile-casts") a.profile_casts = true;
    if (k == "--profile-raw") a.profile_raw = true;
  }
  return a;
}

// A router, one server endpoint and one client endpoint on tcp loopback.
// The router has an IoContext of its own (in a deployment it is another
// process); the two endpoints share one, like the raw client and server.
struct StratusSetup {
  std::shared_ptr<rpc::IoContext> io = std::make_shared<rpc::IoContext>(1);
  std::shared_ptr<rpc::IoContext> router_io = std::make_shared<rpc::IoContext>(1);
  std::unique_ptr<rpc::Router> router;
  std::unique_ptr<rpc::Endpoint> server, client;
  std::atomic<std::size_t> casts{0};

  bool start() {
    rpc::RouterOptions ro;
    ro.bind = {"tcp://127.0.0.1:0"};
    ro.io = router_io;
    router = std::make_unique<rpc::Router>(ro);
    if (!router->start().ok()) return false;
    rpc::EndpointOptions eo;
    eo.router = router->endpoints().at(0);
    eo.io = io;
    eo.workers = 1;
    eo.queue_limit = 1 << 20;
    eo.name = "bench-server";
    server = std::make_unique<rpc::Endpoint>(eo);
    rpc::Dispatcher d;
    (void)d.add("echo", "1.0", [](const rpc::CallInfo&, const rpc::Payload& a) -> rpc::Result<rpc::Payload> { return a; });
    (void)d.add("count", "1.0", [this](const rpc::CallInfo&, const rpc::Payload&) -> rpc::Result<rpc::Payload> {
      casts.fetch_add(1, std::memory_order_relaxed);
      return rpc::Payload();
    });
    (void)server->serve("bench", "s1", std::move(d));
    eo.name = "bench-client";
    client = std::make_unique<rpc::Endpoint>(eo);
    if (!server->start().ok() || !client->start().ok()) return false;
    return server->wait_registered(5s) && client->wait_registered(5s);
  }
  ~StratusSetup() {
    if (client) client->stop();
    if (server) server->stop();
    if (router) router->stop();
  }
};

Latency stratus_call_latency(std::size_t payload_bytes, int iterations) {
  StratusSetup s;
  if (!s.start()) {
    std::fprintf(stderr, "stratus setup failed\n");
    return {};
  }
  const rpc::Payload args = rpc::Payload::of(std::string(payload_bytes > 8 ? payload_bytes - 3 : 1, 'x')).value();
  const rpc::Target t{.topic = "bench", .server = "s1"};
  rpc::RequestContext ctx = rpc::RequestContext::make();
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(iterations));
  for (int i = 0; i < iterations + iterations / 10; ++i) {
    const auto t0 = Clock::now();
    auto r = s.client->call(t, "echo", args, ctx, 2000ms);
    if (!r.ok()) {
      std::fprintf(stderr, "call failed: %s\n", r.error().to_string().c_str());
      break;
    }
    if (i >= iterations / 10) us.push_back(us_since(t0));
  }
  return summarize(std::move(us));
}

Throughput stratus_cast_throughput(std::size_t payload_bytes, int count) {
  StratusSetup s;
  Throughput t;
  if (!s.start()) return t;
  const rpc::Payload args = rpc::Payload::of(std::string(payload_bytes > 8 ? payload_bytes - 3 : 1, 'x')).value();
  const rpc::Target target{.topic = "bench"};
  rpc::RequestContext ctx = rpc::RequestContext::make();
  const auto t0 = Clock::now();
  for (int i = 0; i < count; ++i) {
    for (int attempt = 0; attempt < 10000; ++attempt) {
      if (s.client->cast(target, "count", args, ctx).ok()) {
        ++t.sent;
        break;
      }
      ++t.retries;  // the socket's queue is full: cast() refuses rather than blocks
      std::this_thread::sleep_for(20us);
    }
  }
  const auto deadline = t0 + 20s;
  while (s.casts.load() < t.sent && Clock::now() < deadline) std::this_thread::sleep_for(200us);
  t.received = s.casts.load();
  t.per_second = static_cast<double>(t.received) / (us_since(t0) / 1e6);
  return t;
}

}  // namespace
}  // namespace stratus::bench

int main(int argc, char** argv) {
  using namespace stratus::bench;
  spdlog::set_level(spdlog::level::warn);
  const Args a = parse(argc, argv);
  std::printf("bench/rpc: tcp loopback, payload %zu bytes, %d calls, %d casts, %d rounds\n\n", a.payload, a.calls,
              a.casts, a.rounds);

  // Each round measures raw and Stratus back to back; the headline ratio is the
  // median of the per-round ratios, which is robust to a noisy neighbour
  // slowing down one round.
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
  };
  if (a.profile_casts || a.profile_raw) {
    for (int r = 0; r < a.rounds; ++r) {
      const Throughput st =
          a.profile_raw ? raw_cast_throughput(a.payload, a.casts) : stratus_cast_throughput(a.payload, a.casts);
      std::printf("%s casts, round %d: %9.0f msg/s (%zu/%zu), %zu refused while the queue was full\n",
                  a.profile_raw ? "raw" : "stratus", r + 1, st.per_second, st.received, st.sent, st.retries);
    }
    return 0;
  }
  std::vector<double> p50_ratios, p99_ratios, cast_ratios;
  double best_raw_p50 = 1e18, best_st_p50 = 1e18, best_raw_p99 = 1e18, best_st_p99 = 1e18;
  for (int r = 0; r < a.rounds; ++r) {
    const Latency raw = raw_call_latency(a.payload, a.calls);
    const Latency st = stratus_call_latency(a.payload, a.calls);
    std::printf("call round trip, round %d:  raw forwarder p50 %7.1f us  p99 %7.1f us | stratus p50 %7.1f us  p99 %7.1f us\n",
                r + 1, raw.p50_us, raw.p99_us, st.p50_us, st.p99_us);
    p50_ratios.push_back(st.p50_us / raw.p50_us);
    p99_ratios.push_back(st.p99_us / raw.p99_us);
    best_raw_p50 = std::min(best_raw_p50, raw.p50_us);
    best_raw_p99 = std::min(best_raw_p99, raw.p99_us);
    best_st_p50 = std::min(best_st_p50, st.p50_us);
    best_st_p99 = std::min(best_st_p99, st.p99_us);
  }
  double best_raw_tp = 0, best_st_tp = 0;
  for (int r = 0; r < a.rounds; ++r) {
    const Throughput raw = raw_cast_throughput(a.payload, a.casts);
    const Throughput st = stratus_cast_throughput(a.payload, a.casts);
    std::printf("cast throughput, round %d:  raw forwarder %9.0f msg/s (%zu/%zu) | stratus %9.0f msg/s (%zu/%zu)\n",
                r + 1, raw.per_second, raw.received, raw.sent, st.per_second, st.received, st.sent);
    cast_ratios.push_back(st.per_second / raw.per_second);
    best_raw_tp = std::max(best_raw_tp, raw.per_second);
    best_st_tp = std::max(best_st_tp, st.per_second);
  }
  const CodecFigures c = codec_figures(a.codec);

  std::printf("\nsummary: ratio = median over %d rounds of stratus/raw measured back to back; best values beside\n",
              a.rounds);
  std::printf("  call p50     ratio %.2fx  (target <= 1.2x)   best: stratus %7.1f us  raw %7.1f us\n",
              median(p50_ratios), best_st_p50, best_raw_p50);
  std::printf("  call p99     ratio %.2fx                     best: stratus %7.1f us  raw %7.1f us\n",
              median(p99_ratios), best_st_p99, best_raw_p99);
  std::printf("  cast rate    ratio %.2fx  (target >= 0.8x)   best: stratus %9.0f/s raw %9.0f/s\n",
              median(cast_ratios), best_st_tp, best_raw_tp);
  std::printf("  codec, Nova build_and_run_instance:\n");
  std::printf("    positional arrays %5zu bytes  encode %6.2f us  decode %6.2f us  total %6.2f us\n", c.arr_bytes,
              c.arr_encode_us, c.arr_decode_us, c.arr_encode_us + c.arr_decode_us);
  std::printf("    string-keyed maps %5zu bytes  encode %6.2f us  decode %6.2f us  total %6.2f us\n", c.map_bytes,
              c.map_encode_us, c.map_decode_us, c.map_encode_us + c.map_decode_us);
  std::printf("    arrays / maps     %.2fx\n", (c.arr_encode_us + c.arr_decode_us) / (c.map_encode_us + c.map_decode_us));
  std::printf("    rpc envelope (header + request, encode + decode) %.2f us = %.1f%% of the raw call p50\n",
              c.envelope_us, 100.0 * c.envelope_us / best_raw_p50);
  return 0;
}
