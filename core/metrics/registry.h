// Registry: the metrics of one process, and their rendering in Prometheus'
// text exposition format, version 0.0.4 (what GET /metrics answers).
//
// Two sources feed a scrape:
//  - families (family.h), updated where things happen: a REST request, an
//    RPC message, a build;
//  - collectors, callbacks asked at scrape time for values that already live
//    elsewhere (an endpoint's queue depth, the router's counters, the
//    process' RSS and CPU time). A collector is registered with an RAII
//    handle, so an object that goes away takes its callback with it.
// Samples of one name from several sources (one queue-depth gauge per RPC
// endpoint in an aio process) are merged under one HELP and TYPE line.
//
// default_registry() is the process' registry, which Stratus' own code
// records into (as Prometheus' client libraries have a default registry):
// several roles in one process (`stratus aio`) share it, and /metrics shows
// it whole. Tests may make registries of their own.
//
// Definition rules (checked; a refused definition is logged, listed by
// definition_errors(), and answered with a family that is never exported,
// so that a bad name is a visible bug, not a crash):
//  - names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
//    and do not start with "__"; a histogram has no label "le";
//  - histogram bounds are finite and strictly ascending;
//  - defining a name again with the same kind, labels (and bounds) returns
//    the same family; with anything different it is refused.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/metrics/family.h"
#include "core/metrics/metric.h"

namespace stratus::core::metrics {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

// What a collector writes into at scrape time.
class CollectorSink {
 public:
  virtual ~CollectorSink() = default;
  virtual void gauge(std::string_view name, std::string_view help, const LabelPairs& labels, double value) = 0;
  virtual void counter(std::string_view name, std::string_view help, const LabelPairs& labels, double value) = 0;
};

using Collector = std::function<void(CollectorSink&)>;

class Registry;

// Unregisters its collector when destroyed (or reset()). Must not outlive
// the registry. Movable.
class CollectorHandle {
 public:
  CollectorHandle() = default;
  CollectorHandle(Registry* registry, std::uint64_t id) : registry_(registry), id_(id) {}
  CollectorHandle(CollectorHandle&& other) noexcept;
  CollectorHandle& operator=(CollectorHandle&& other) noexcept;
  CollectorHandle(const CollectorHandle&) = delete;
  CollectorHandle& operator=(const CollectorHandle&) = delete;
  ~CollectorHandle() { reset(); }
  // Unregisters now; once it returns the collector is not running and will
  // not run again.
  void reset();

 private:
  Registry* registry_ = nullptr;
  std::uint64_t id_ = 0;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Family<Counter>& counter(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help, std::vector<std::string> labels,
                               const std::vector<double>& bounds);

  // `collector` runs during render(), on the rendering thread, one at a time
  // (collectors need no locking against each other); it must not call
  // add_collector or render.
  [[nodiscard]] CollectorHandle add_collector(Collector collector);

  // The whole exposition: for each name, in name order, "# HELP", "# TYPE"
  // and its samples. Content type: kContentType.
  std::string render() const;

  // Definitions refused since the registry was made (see the rules above).
  std::vector<std::string> definition_errors() const;

  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  friend class CollectorHandle;
  void remove_collector(std::uint64_t id);

  template <class T>
  Family<T>& define(const std::string& name, const std::string& help, MetricType type,
                    std::vector<std::string> labels, const std::vector<double>* bounds);

  mutable std::mutex mu_;  // families_, detached_, errors_
  std::map<std::string, std::unique_ptr<FamilyBase>, std::less<>> families_;
  std::vector<std::unique_ptr<FamilyBase>> detached_;  // refused definitions, never rendered
  std::vector<std::string> errors_;

  mutable std::mutex collectors_mu_;  // held while collectors run, so reset() waits for them
  std::map<std::uint64_t, Collector> collectors_;
  std::uint64_t next_collector_ = 1;
};

// The process' registry; never destroyed (it outlives every static that
// records into it).
Registry& default_registry();

}  // namespace stratus::core::metrics
