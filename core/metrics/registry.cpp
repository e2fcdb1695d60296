#include "core/metrics/registry.h"

#include <cmath>

#include <spdlog/spdlog.h>

#include "core/metrics/text_format.h"

namespace stratus::core::metrics {

CollectorHandle::CollectorHandle(CollectorHandle&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(std::exchange(other.id_, 0)) {}

CollectorHandle& CollectorHandle::operator=(CollectorHandle&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void CollectorHandle::reset() {
  if (registry_ != nullptr) registry_->remove_collector(id_);
  registry_ = nullptr;
  id_ = 0;
}

namespace {

// Why a definition is refused, or "" if it is fine.
std::string check_definition(const std::string& name, MetricType type, const std::vector<std::string>& labels,
                             const std::vector<double>* bounds) {
  if (!valid_metric_name(name)) return "metric name '" + name + "' is not [a-zA-Z_:][a-zA-Z0-9_:]*";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!valid_label_name(labels[i])) {
      return "metric " + name + ": label name '" + labels[i] + "' is not [a-zA-Z_][a-zA-Z0-9_]* or starts with __";
    }
    if (type == MetricType::kHistogram && labels[i] == "le") return "metric " + name + ": a histogram has no label 'le'";
    for (std::size_t j = 0; j < i; ++j) {
      if (labels[j] == labels[i]) return "metric " + name + ": label '" + labels[i] + "' given twice";
    }
  }
  if (bounds != nullptr) {
    if (bounds->empty()) return "metric " + name + ": a histogram needs at least one bucket bound";
    for (std::size_t i = 0; i < bounds->size(); ++i) {
      if (!std::isfinite((*bounds)[i])) return "metric " + name + ": bucket bounds must be finite";
      if (i > 0 && !((*bounds)[i - 1] < (*bounds)[i])) {
        return "metric " + name + ": bucket bounds must be strictly ascending";
      }
    }
  }
  return "";
}

// Collector samples, merged into the families' output by name.
struct Merged {
  MetricType type;
  std::string help;
  std::string samples;
};

class MergingSink final : public CollectorSink {
 public:
  explicit MergingSink(std::map<std::string, Merged, std::less<>>& out) : out_(out) {}

  void gauge(std::string_view name, std::string_view help, const LabelPairs& labels, double value) override {
    add(MetricType::kGauge, name, help, labels, value);
  }
  void counter(std::string_view name, std::string_view help, const LabelPairs& labels, double value) override {
    add(MetricType::kCounter, name, help, labels, value);
  }

 private:
  void add(MetricType type, std::string_view name, std::string_view help, const LabelPairs& labels, double value) {
    if (!valid_metric_name(name)) return refuse(name, "invalid name");
    std::vector<std::string> names, values;
    for (const auto& [k, v] : labels) {
      if (!valid_label_name(k)) return refuse(name, "invalid label name '" + k + "'");
      names.push_back(k);
      values.push_back(v);
    }
    auto it = out_.find(name);
    if (it == out_.end()) {
      it = out_.emplace(std::string(name), Merged{type, std::string(help), ""}).first;
    } else if (it->second.type != type) {
      return refuse(name, std::string("already a ") + type_name(it->second.type));
    }
    std::string& s = it->second.samples;
    s += name;
    append_labels(s, names, values);
    s += ' ';
    s += format_value(value);
    s += '\n';
  }

  static void refuse(std::string_view name, const std::string& why) {
    spdlog::debug("metrics: collector sample {} dropped: {}", name, why);
  }

  std::map<std::string, Merged, std::less<>>& out_;
};

}  // namespace

template <class T>
Family<T>& Registry::define(const std::string& name, const std::string& help, MetricType type,
                            std::vector<std::string> labels, const std::vector<double>* bounds) {
  std::lock_guard lock(mu_);
  std::string error = check_definition(name, type, labels, bounds);
  if (error.empty()) {
    auto it = families_.find(name);
    if (it == families_.end()) {
      auto shared_bounds = bounds ? std::make_shared<const std::vector<double>>(*bounds) : nullptr;
      auto family = std::make_unique<Family<T>>(name, help, type, std::move(labels), std::move(shared_bounds));
      Family<T>& ref = *family;
      families_.emplace(name, std::move(family));
      return ref;
    }
    auto* same = dynamic_cast<Family<T>*>(it->second.get());
    bool matches = same != nullptr && same->type() == type && same->label_names() == labels;
    if (matches && bounds != nullptr) matches = same->bucket_bounds() != nullptr && *same->bucket_bounds() == *bounds;
    if (matches) return *same;
    error = "metric " + name + " is already defined with another kind, labels or buckets";
  }
  spdlog::error("metrics: definition refused: {}", error);
  errors_.push_back(error);
  auto shared_bounds = std::make_shared<const std::vector<double>>(bounds && !bounds->empty() ? *bounds
                                                                                              : std::vector<double>{1});
  auto family = std::make_unique<Family<T>>(name, help, type, std::move(labels), std::move(shared_bounds));
  Family<T>& ref = *family;
  detached_.push_back(std::move(family));
  return ref;
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  return define<Counter>(name, help, MetricType::kCounter, std::move(labels), nullptr);
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  return define<Gauge>(name, help, MetricType::kGauge, std::move(labels), nullptr);
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> labels, const std::vector<double>& bounds) {
  return define<Histogram>(name, help, MetricType::kHistogram, std::move(labels), &bounds);
}

CollectorHandle Registry::add_collector(Collector collector) {
  std::lock_guard lock(collectors_mu_);
  const std::uint64_t id = next_collector_++;
  collectors_.emplace(id, std::move(collector));
  return CollectorHandle(this, id);
}

void Registry::remove_collector(std::uint64_t id) {
  std::lock_guard lock(collectors_mu_);
  collectors_.erase(id);
}

std::string Registry::render() const {
  std::map<std::string, Merged, std::less<>> merged;
  std::vector<const FamilyBase*> families;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, family] : families_) families.push_back(family.get());
  }
  for (const FamilyBase* f : families) {
    Merged m{f->type(), f->help(), ""};
    f->render_samples(m.samples);
    merged.emplace(f->name(), std::move(m));
  }
  {
    std::lock_guard lock(collectors_mu_);
    MergingSink sink(merged);
    for (const auto& [id, collect] : collectors_) {
      try {
        collect(sink);
      } catch (const std::exception& e) {
        spdlog::warn("metrics: a collector failed: {}", e.what());
      }
    }
  }
  std::string out;
  for (const auto& [name, m] : merged) {
    out += "# HELP " + name + " " + escape_help(m.help) + "\n";
    out += "# TYPE " + name + " " + type_name(m.type) + "\n";
    out += m.samples;
  }
  return out;
}

std::vector<std::string> Registry::definition_errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

Registry& default_registry() {
  static Registry* registry = new Registry();  // never destroyed: see registry.h
  return *registry;
}

}  // namespace stratus::core::metrics
