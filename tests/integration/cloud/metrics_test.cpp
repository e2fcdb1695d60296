// /metrics of a whole cloud in one process (issue #14): the counters move as
// servers are built, requests served and RPC messages sent, and the text is
// valid exposition format (read back with a strict parser).
#include <regex>
#include <thread>

#include "cloud_fixture.h"
#include "core/metrics/registry.h"
#include "exposition_parser.h"

namespace stratus::test {
namespace {

// The cloud with the [metrics] listener on a free port and /metrics on the
// API port too.
class MetricsCloudTest : public CloudTest {
 protected:
  void tweak(core::Config& config) override {
    config.metrics.listen = "127.0.0.1:0";
    config.metrics.on_api_port = true;
  }

  struct Scrape {
    int status = 0;
    std::string content_type;
    std::string body;
  };

  Scrape fetch(int port) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    auto r = c.Get("/metrics");
    if (!r) return {};
    return Scrape{r->status, r->get_header_value("Content-Type"), r->body};
  }

  int metrics_port() {
    std::smatch m;
    const std::string url = node_->metrics_url();
    if (!std::regex_match(url, m, std::regex(R"(http://127\.0\.0\.1:(\d+)/metrics)"))) return 0;
    return std::stoi(m[1]);
  }

  prom::Exposition parse_ok(const std::string& text) {
    std::string error;
    auto e = prom::parse(text, error);
    EXPECT_TRUE(e.has_value()) << error;
    return e.value_or(prom::Exposition{});
  }

  // The registry is the process' (several tests may share one process under
  // --gtest_filter): each test compares against a scrape taken at its start.
  struct Delta {
    prom::Exposition before, after;
    double sum(const std::string& name, const std::map<std::string, std::string>& match = {}) const {
      return after.sum(name, match) - before.sum(name, match);
    }
  };
  prom::Exposition scrape() { return parse_ok(fetch(metrics_port()).body); }

  // Scrapes until `done` holds (the counters of a build move just after the
  // API shows it ACTIVE) or 10 s pass; returns the last scrape.
  template <class F>
  prom::Exposition scrape_until(F done) {
    prom::Exposition e;
    for (int i = 0; i < 100; ++i) {
      Scrape s = fetch(metrics_port());
      EXPECT_EQ(s.status, 200);
      e = parse_ok(s.body);
      if (done(e)) break;
      std::this_thread::sleep_for(100ms);
    }
    return e;
  }
};

TEST_F(MetricsCloudTest, CountersMoveWithBuildsRequestsAndRpc) {
  ASSERT_NE(metrics_port(), 0) << node_->metrics_url();
  Delta e;
  e.before = scrape();
  constexpr int kServers = 3;
  std::vector<std::string> ids;
  for (int i = 0; i < kServers; ++i) ids.push_back(create_server("m-" + std::to_string(i)));
  for (const auto& id : ids) {
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(wait_for_status(id, "ACTIVE"));
  }
  EXPECT_EQ(get("/v2.1/no-such-thing").status, 404);

  e.after = scrape_until([&e](const prom::Exposition& x) {
    return x.sum("stratus_builds_total", {{"outcome", "active"}}) >=
           e.before.sum("stratus_builds_total", {{"outcome", "active"}}) + kServers;
  });
  EXPECT_EQ(e.sum("stratus_builds_total", {{"outcome", "active"}}), kServers);
  EXPECT_EQ(e.sum("stratus_builds_total", {{"outcome", "error"}}), 0);
  EXPECT_EQ(e.after.families.at("stratus_builds_total").type, "counter");

  // REST: by route template, method and status class.
  EXPECT_EQ(e.sum("stratus_api_request_duration_seconds_count",
                  {{"route", "/v2.1/servers"}, {"method", "POST"}, {"status", "2xx"}}),
            kServers);
  EXPECT_GE(e.sum("stratus_api_request_duration_seconds_count",
                  {{"route", "/v2.1/servers/{id}"}, {"method", "GET"}, {"status", "2xx"}}),
            kServers);
  EXPECT_EQ(e.after.families.at("stratus_api_request_duration_seconds").type, "histogram");
  EXPECT_EQ(e.sum("stratus_api_rejected_requests_total", {{"method", "GET"}, {"status", "404"}}), 1);

  // Scheduler: one select per POST, every host considered and passing.
  EXPECT_EQ(e.sum("stratus_scheduler_select_duration_seconds_count", {{"outcome", "ok"}}), kServers);
  EXPECT_EQ(e.sum("stratus_scheduler_hosts_considered_count"), kServers);
  EXPECT_EQ(e.sum("stratus_scheduler_hosts_considered_sum"), kServers * host_count());
  EXPECT_EQ(e.sum("stratus_scheduler_hosts_passed_filters_sum"), kServers * host_count());

  // RPC: the api casts build_instances, the conductor calls the scheduler and
  // casts to the computes; both sides count.
  EXPECT_EQ(e.sum("stratus_rpc_sent_total", {{"service", "conductor"}, {"method", "build_instances"},
                                             {"kind", "cast"}, {"outcome", "ok"}}),
            kServers);
  EXPECT_EQ(e.sum("stratus_rpc_handled_total",
                  {{"service", "conductor"}, {"method", "build_instances"}, {"outcome", "ok"}}),
            kServers);
  EXPECT_EQ(e.sum("stratus_rpc_call_duration_seconds_count",
                  {{"service", "scheduler"}, {"method", "select_destinations"}}),
            kServers);
  EXPECT_EQ(e.sum("stratus_rpc_handled_total", {{"service", "compute"}, {"method", "build_and_run_instance"}}),
            kServers);
  EXPECT_GT(e.sum("stratus_rpc_handle_duration_seconds_count", {{"service", "conductor"}}), kServers);
  EXPECT_GT(e.sum("stratus_rpc_router_messages_received_total"), 0);
  EXPECT_GT(e.sum("stratus_rpc_router_messages_sent_total"), 0);
  EXPECT_GT(e.sum("stratus_rpc_router_routed_total"), 0);
  EXPECT_GE(e.after.sum("stratus_rpc_router_peers"), 3 + host_count());

  // Queue depths: one series per endpoint and per compute host; idle now.
  for (const auto& h : hosts()) {
    EXPECT_TRUE(e.after.families.count("stratus_compute_builds_running"));
    EXPECT_EQ(e.after.sum("stratus_compute_builds_running", {{"host", h}}), 0) << h;
    EXPECT_EQ(e.after.sum("stratus_rpc_dispatcher_queued", {{"endpoint", "compute-" + h}}), 0) << h;
  }
  std::size_t endpoints = 0;
  for (const auto& s : e.after.samples) endpoints += s.name == "stratus_rpc_dispatcher_queued";
  EXPECT_EQ(endpoints, 3u + hosts().size());  // scheduler, conductor, api, computes

  // The process.
  EXPECT_GT(e.after.sum("process_resident_memory_bytes"), 1e6);
  EXPECT_GT(e.after.sum("process_cpu_seconds_total"), 0);
  EXPECT_GT(e.after.sum("process_start_time_seconds"), 1.6e9);
}

TEST_F(MetricsCloudTest, ServedOnItsOwnListenerAndOnTheApiPortWithTheFormatsContentType) {
  const Scrape own = fetch(metrics_port());
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.content_type, core::metrics::Registry::kContentType);
  const Scrape on_api = fetch(node_->api_port());
  EXPECT_EQ(on_api.status, 200);
  EXPECT_EQ(on_api.content_type, core::metrics::Registry::kContentType);
  EXPECT_TRUE(parse_ok(on_api.body).has("process_resident_memory_bytes"));
  // Only /metrics on the metrics listener.
  httplib::Client c("127.0.0.1", metrics_port());
  auto other = c.Get("/v2.1/servers");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

TEST_F(MetricsCloudTest, FailedBuildsCountAsRescheduledThenError) {
  Delta e;
  e.before = scrape();
  for (const auto& h : hosts()) {
    ASSERT_TRUE(driver(h).inject_fault(drivers::fake::FakeOperation::kSpawn, "fail:unavailable").ok());
  }
  const std::string failing = create_server("fails-everywhere");
  ASSERT_TRUE(wait_for_status(failing, "ERROR"));
  Reply flavor = post("/v2.1/flavors", {{"flavor", {{"name", "huge"}, {"ram", 10000000}, {"vcpus", 1}, {"disk", 1}}}});
  ASSERT_EQ(flavor.status, 200) << flavor.body.dump();
  const std::string too_big = create_server("too-big", {{"flavorRef", flavor.body["flavor"]["id"]}});
  ASSERT_TRUE(wait_for_status(too_big, "ERROR"));

  e.after = scrape_until([&e](const prom::Exposition& x) {
    return x.sum("stratus_builds_total", {{"outcome", "error"}}) >=
           e.before.sum("stratus_builds_total", {{"outcome", "error"}}) + 2;
  });
  // Three hosts, max_attempts 3: each failed spawn asks the conductor to
  // reschedule (3), which tries the two alternates, then sets ERROR; the
  // huge flavor finds no host at all.
  EXPECT_EQ(e.sum("stratus_builds_total", {{"outcome", "rescheduled"}}), 2);
  EXPECT_EQ(e.sum("stratus_builds_total", {{"outcome", "error"}}), 2);
  EXPECT_EQ(e.sum("stratus_builds_total", {{"outcome", "active"}}), 0);
  EXPECT_EQ(e.sum("stratus_scheduler_select_duration_seconds_count", {{"outcome", "no_valid_host"}}), 1);
  EXPECT_EQ(e.sum("stratus_scheduler_hosts_passed_filters_bucket", {{"le", "0"}}), 1);
  EXPECT_EQ(e.sum("stratus_rpc_handled_total", {{"service", "conductor"}, {"method", "reschedule_instance"}}), 3);
}

// Without [metrics] on_api_port the API port does not answer /metrics, and
// without [metrics] listen there is no other listener.
TEST_F(CloudTest, MetricsAreNotOnTheApiPortUnlessEnabled) {
  EXPECT_EQ(node_->metrics_url(), "");
  EXPECT_EQ(get("/metrics").status, 404);
}

}  // namespace
}  // namespace stratus::test
