// Family: one metric name with its HELP text, its label names, and one child
// (Counter, Gauge or Histogram) per combination of label values.
//
//   auto& requests = registry.histogram("stratus_api_request_duration_seconds", "...",
//                                       {"route", "method", "status"}, latency_buckets());
//   requests.labels({"/v2.1/servers", "POST", "2xx"}).observe(0.004);
//
// labels() finds or creates the child: a lookup in one of 16 shards, each
// under a reader-writer lock held for the lookup only, so threads touching
// different series rarely meet and a child once made is found under a shared
// lock. Callers with fixed label values may keep the reference it returns:
// children are never removed while the family lives.
//
// Label values must come from a bounded set (route templates, RPC method
// names the dispatcher knows, status classes), never from raw client input:
// every distinct value is a series kept for the life of the process.
//
// Thread safety: everything may be called from any thread.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/metrics/metric.h"

namespace stratus::core::metrics {

// What a family contributes to a scrape: one line per sample, already in the
// text format (name, labels, value), in a stable order.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {}
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const noexcept { return name_; }
  const std::string& help() const noexcept { return help_; }
  MetricType type() const noexcept { return type_; }
  const std::vector<std::string>& label_names() const noexcept { return label_names_; }

  // Appends the sample lines of every child, ordered by label values.
  virtual void render_samples(std::string& out) const = 0;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

namespace detail {

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// The key of a combination of label values: the values joined by '\xff',
// a byte that UTF-8 text never holds.
void append_key(std::string& key, std::string_view value);

// Renders one child's lines (text_format.cpp).
void render_child(std::string& out, const std::string& name, const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, const Counter& c);
void render_child(std::string& out, const std::string& name, const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, const Gauge& g);
void render_child(std::string& out, const std::string& name, const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, const Histogram& h);

// Logs (once per family) a labels() call with the wrong number of values.
void report_label_mismatch(const std::string& name, std::size_t wanted, std::size_t got);

}  // namespace detail

template <class T>
class Family final : public FamilyBase {
 public:
  // For Histogram families `bounds` are the bucket bounds (checked by the
  // Registry); other kinds ignore it.
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         std::shared_ptr<const std::vector<double>> bounds = nullptr)
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)),
        bounds_(std::move(bounds)),
        discard_(make_child()) {}

  // The child for these label values, in the order of label_names(). A call
  // with the wrong number of values is a bug: it is logged once and gets a
  // child that is never exported, rather than a crash.
  T& labels(std::initializer_list<std::string_view> values) { return find_or_add(values.begin(), values.size()); }
  T& labels(const std::vector<std::string_view>& values) { return find_or_add(values.data(), values.size()); }

  // A histogram family's bucket bounds; nullptr for other kinds.
  const std::vector<double>* bucket_bounds() const noexcept { return bounds_.get(); }

  void render_samples(std::string& out) const override {
    std::vector<const Entry*> all;
    for (const Shard& shard : shards_) {
      std::shared_lock lock(shard.mu);
      for (const auto& [key, entry] : shard.children) all.push_back(entry.get());
    }
    std::sort(all.begin(), all.end(), [](const Entry* a, const Entry* b) { return a->values < b->values; });
    for (const Entry* e : all) detail::render_child(out, name(), label_names(), e->values, *e->metric);
  }

 private:
  struct Entry {
    std::vector<std::string> values;
    std::unique_ptr<T> metric;
  };
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<std::string, std::unique_ptr<Entry>, detail::KeyHash, std::equal_to<>> children;
  };
  static constexpr std::size_t kShards = 16;

  std::unique_ptr<T> make_child() const {
    if constexpr (std::is_same_v<T, Histogram>) {
      return std::make_unique<T>(bounds_);
    } else {
      return std::make_unique<T>();
    }
  }

  T& find_or_add(const std::string_view* values, std::size_t n) {
    if (n != label_names().size()) {
      detail::report_label_mismatch(name(), label_names().size(), n);
      return *discard_;
    }
    // One buffer per thread: a lookup of an existing child allocates nothing.
    thread_local std::string key;
    key.clear();
    for (std::size_t i = 0; i < n; ++i) detail::append_key(key, values[i]);
    Shard& shard = shards_[detail::KeyHash{}(key) % kShards];
    {
      std::shared_lock lock(shard.mu);
      if (auto it = shard.children.find(std::string_view(key)); it != shard.children.end()) return *it->second->metric;
    }
    std::unique_lock lock(shard.mu);
    auto [it, inserted] = shard.children.try_emplace(key, nullptr);
    if (inserted) {
      auto entry = std::make_unique<Entry>();
      entry->values.assign(values, values + n);
      entry->metric = make_child();
      it->second = std::move(entry);
    }
    return *it->second->metric;
  }

  std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<T> discard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace stratus::core::metrics
