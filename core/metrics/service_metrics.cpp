#include "core/metrics/service_metrics.h"

#include <string>

namespace stratus::core::metrics {

namespace {

struct ServiceMetrics {
  Family<Counter>& builds = default_registry().counter(
      "stratus_builds_total",
      "Builds finished, by outcome: active (counted by the compute service that spawned the guest), error (by the "
      "conductor that set ERROR) and rescheduled (by the conductor, once per alternate host tried).",
      {"outcome"});
  Counter& active = builds.labels({"active"});
  Counter& error = builds.labels({"error"});
  Counter& rescheduled = builds.labels({"rescheduled"});

  Family<Histogram>& select = default_registry().histogram(
      "stratus_scheduler_select_duration_seconds",
      "Time the scheduler took for one select_destinations request (all its instances), by outcome: ok, "
      "no_valid_host, error.",
      {"outcome"}, latency_buckets());
  Histogram& select_ok = select.labels({"ok"});
  Histogram& select_none = select.labels({"no_valid_host"});
  Histogram& select_error = select.labels({"error"});

  Histogram& considered = default_registry()
                              .histogram("stratus_scheduler_hosts_considered",
                                         "Compute nodes the scheduler knew when it placed an instance.", {},
                                         host_count_buckets())
                              .labels({});
  Histogram& passed = default_registry()
                          .histogram("stratus_scheduler_hosts_passed_filters",
                                     "Compute nodes left for an instance after ignore/force hosts, driver "
                                     "requirements and the filters (0: no valid host).",
                                     {}, host_count_buckets())
                          .labels({});
};

ServiceMetrics& service() {
  static ServiceMetrics m;
  return m;
}

}  // namespace

void count_build(BuildOutcome outcome) noexcept {
  ServiceMetrics& m = service();
  switch (outcome) {
    case BuildOutcome::kActive: m.active.inc(); break;
    case BuildOutcome::kError: m.error.inc(); break;
    case BuildOutcome::kRescheduled: m.rescheduled.inc(); break;
  }
}

void observe_select(double seconds, SelectOutcome outcome) noexcept {
  ServiceMetrics& m = service();
  switch (outcome) {
    case SelectOutcome::kOk: m.select_ok.observe(seconds); break;
    case SelectOutcome::kNoValidHost: m.select_none.observe(seconds); break;
    case SelectOutcome::kError: m.select_error.observe(seconds); break;
  }
}

void observe_hosts(std::size_t considered, std::size_t passed) noexcept {
  ServiceMetrics& m = service();
  m.considered.observe(static_cast<double>(considered));
  m.passed.observe(static_cast<double>(passed));
}

CollectorHandle add_build_queue_collector(Registry& registry, std::string host, std::function<BuildQueue()> stats) {
  return registry.add_collector([host = std::move(host), stats = std::move(stats)](CollectorSink& sink) {
    const BuildQueue q = stats();
    sink.gauge("stratus_compute_builds_running",
               "Builds a compute host is running now (at most [compute] max_concurrent_builds).", {{"host", host}},
               static_cast<double>(q.running));
    sink.gauge("stratus_compute_builds_queued", "Builds waiting for a free build slot on a compute host.",
               {{"host", host}}, static_cast<double>(q.queued));
  });
}

}  // namespace stratus::core::metrics
