// Shared set-up for the scheduler tests: a registry holding the real built-in
// filter and weigher plugins, a manual clock, and small report builders.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config/config.h"
#include "core/plugin/plugin_registry.h"
#include "core/scheduler/filter_chain.h"
#include "core/scheduler/filter_scheduler.h"
#include "core/scheduler/host_state_cache.h"
#include "core/scheduler/in_memory_claimer.h"
#include "core/scheduler/weigher_chain.h"

namespace stratus::core::scheduler::testing {

// Loads libstratus_filters.so and libstratus_weighers.so from the build tree.
inline void load_builtin_plugins(PluginRegistry& registry) {
  const std::filesystem::path dir(STRATUS_PLUGIN_DIR);
  for (const char* lib : {"libstratus_filters.so", "libstratus_weighers.so"}) {
    auto refusals = registry.load_library(dir / lib);
    ASSERT_TRUE(refusals.empty()) << refusals.front().to_string();
  }
}

// A steady clock that moves only when told to.
class ManualClock {
 public:
  HostStateCache::Clock fn() {
    return [this] { return now_; };
  }
  void advance(std::chrono::seconds s) { now_ += s; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(100)};
};

struct HostSpec {
  std::string name;
  std::int64_t memory_mb = 8192;
  std::int32_t vcpus = 8;
  std::int64_t disk_gb = 100;
  std::int64_t memory_mb_used = 0;
  std::int32_t running_vms = 0;
  std::string zone = "nova";
};

inline NodeReport make_report(const HostSpec& h) {
  NodeReport r;
  r.host = h.name;
  r.nodename = h.name;
  r.availability_zone = h.zone;
  r.resources.hypervisor_hostname = h.name;
  r.resources.hypervisor_type = "fake";
  r.resources.hypervisor_version = 1000;
  r.resources.cpu_arch = "x86_64";
  r.resources.vcpus = h.vcpus;
  r.resources.memory_mb = h.memory_mb;
  r.resources.memory_mb_used = h.memory_mb_used;
  r.resources.local_gb = h.disk_gb;
  r.resources.running_vms = h.running_vms;
  r.resources.supported_instances = {{"x86_64", "fake", "hvm"}};
  return r;
}

inline sdk::Flavor make_flavor(std::int64_t memory_mb, std::int32_t vcpus = 1, std::int64_t root_gb = 1) {
  sdk::Flavor f;
  f.id = "test";
  f.name = "test";
  f.memory_mb = memory_mb;
  f.vcpus = vcpus;
  f.root_gb = root_gb;
  return f;
}

inline sdk::RequestSpec make_spec(const sdk::Flavor& flavor) {
  sdk::RequestSpec spec;
  spec.flavor = flavor;
  spec.project_id = "p";
  spec.user_id = "u";
  return spec;
}

inline std::vector<std::string> uuids(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + "-" + std::to_string(i));
  return out;
}

inline SchedulerOptions options(int host_subset_size, int max_attempts = 3,
                                std::optional<std::uint64_t> rng_seed = std::nullopt) {
  SchedulerOptions o;
  o.host_subset_size = host_subset_size;
  o.max_attempts = max_attempts;
  o.rng_seed = rng_seed;
  return o;
}

// Plugin config tables by kind and name, for FilterChain/WeigherChain::create.
class ConfigTables {
 public:
  ConfigTables& set(sdk::PluginKind kind, const std::string& name, const std::string& key, sdk::ConfigValue v) {
    auto [it, inserted] = tables_.try_emplace({kind, name}, sdk::PluginConfig("[test." + name + "]"));
    it->second.set(key, std::move(v));
    return *this;
  }
  PluginConfigLookup lookup() const {
    return [this](sdk::PluginKind kind, const std::string& name) {
      auto it = tables_.find({kind, name});
      return it == tables_.end() ? sdk::PluginConfig() : it->second;
    };
  }

 private:
  std::map<std::pair<sdk::PluginKind, std::string>, sdk::PluginConfig> tables_;
};

// A cloud of fake hosts: the cache, an InMemoryClaimer with the same
// inventory, and a scheduler built from the real plugins.
class SchedulerFixture : public ::testing::Test {
 protected:
  void SetUp() override { load_builtin_plugins(registry_); }

  void add_host(const HostSpec& h) {
    ASSERT_TRUE(cache_.update_from_report(make_report(h)).ok());
    Inventory inv;
    inv.vcpus = h.vcpus;
    inv.memory_mb = h.memory_mb;
    inv.disk_gb = h.disk_gb;
    claimer_.set_inventory(h.name, h.name, inv);
  }

  std::unique_ptr<FilterScheduler> make_scheduler(SchedulerOptions options = {},
                                                  std::vector<std::string> filters = SchedulerSection{}.enabled_filters,
                                                  std::vector<std::string> weighers = SchedulerSection{}.weighers,
                                                  Claimer* claimer = nullptr) {
    auto f = FilterChain::create(registry_, filters, tables_.lookup());
    EXPECT_TRUE(f.ok()) << f.status();
    auto w = WeigherChain::create(registry_, weighers, tables_.lookup());
    EXPECT_TRUE(w.ok()) << w.status();
    if (!f.ok() || !w.ok()) return nullptr;
    return std::make_unique<FilterScheduler>(cache_, std::move(*f), std::move(*w),
                                             claimer != nullptr ? *claimer : claimer_, options);
  }

  std::int64_t free_ram(const std::string& host) { return cache_.get(host, host)->free_ram_mb; }

  PluginRegistry registry_;
  ManualClock clock_;
  HostStateCache cache_{std::chrono::seconds(60), clock_.fn()};
  InMemoryClaimer claimer_;
  ConfigTables tables_;
};

}  // namespace stratus::core::scheduler::testing
