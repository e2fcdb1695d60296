// Metric values: Counter, Gauge and Histogram, the three kinds /metrics
// exposes (Prometheus' text format, version 0.0.4).
//
// Each is one labelled series ("child") of a Family (family.h). They are
// updated on hot paths (every REST request, every RPC message, every build),
// so an update is a few relaxed atomic operations: no lock, no allocation,
// no system call. A scrape reads them with relaxed loads too; a histogram
// read while it is being updated may show a sum one observation ahead of its
// count, which Prometheus tolerates (its own client libraries do the same).
//
// Thread safety: every method may be called from any thread at any time.
// Objects are created by their Family and live as long as it does.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace stratus::core::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// "counter", "gauge", "histogram": the word the TYPE line uses.
const char* type_name(MetricType type) noexcept;

// A count that only goes up (requests served, builds finished). Integral:
// every counter Stratus keeps counts events.
class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down (builds in flight, queue depth).
class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void inc(double v = 1.0) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1.0) noexcept { value_.fetch_sub(v, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted into fixed buckets (upper bounds, ascending; +Inf is
// implicit), plus their sum: Prometheus' histogram, which
// histogram_quantile() turns into percentiles on the server side.
class Histogram {
 public:
  // `bounds` must be ascending and finite (Family checks it).
  explicit Histogram(std::shared_ptr<const std::vector<double>> bounds);

  // Counts `v` in the first bucket whose bound is >= v (Prometheus' "le").
  void observe(double v) noexcept {
    const auto& b = *bounds_;
    const auto i = static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), v) - b.begin());
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
  }

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const noexcept { return *bounds_; }

 private:
  std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_->size() + 1 (the last is +Inf)
  std::atomic<double> sum_{0.0};
};

// Bucket sets used across Stratus, so that series of one kind compare.
// Latencies in seconds, 1 ms to 60 s (a REST call, an RPC round trip).
const std::vector<double>& latency_buckets();
// Counts of hosts (the scheduler's candidates): 0 to 10000.
const std::vector<double>& host_count_buckets();

}  // namespace stratus::core::metrics
