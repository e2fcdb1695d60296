// The best-first walk against the full pass it replaces: on random clouds,
// random requests and random weigher multipliers, the walk must rank the
// hosts as FilterChain::run + WeigherChain::weigh do, with the very same
// weights, hosts differing only among equal weights.
#include "core/scheduler/best_first.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/scheduler/driver_requirements.h"
#include "scheduler_test_support.h"

namespace stratus::core::scheduler {
namespace {

using testing::make_flavor;
using testing::make_spec;

class BestFirstTest : public testing::SchedulerFixture {
 protected:
  // Hosts of random sizes and usage, some over-committed, some in zone "az2".
  void add_random_hosts(std::mt19937_64& rng, int n) {
    for (int i = 0; i < n; ++i) {
      testing::HostSpec h;
      h.name = "h" + std::to_string(1000 + i);
      h.memory_mb = 1024 * std::uniform_int_distribution<int>(1, 64)(rng);
      h.memory_mb_used = std::uniform_int_distribution<std::int64_t>(0, h.memory_mb)(rng);
      h.vcpus = std::uniform_int_distribution<int>(1, 32)(rng);
      h.disk_gb = std::uniform_int_distribution<int>(5, 500)(rng);
      h.running_vms = std::uniform_int_distribution<int>(0, 20)(rng);
      h.zone = rng() % 4 == 0 ? "az2" : "nova";
      NodeReport r = testing::make_report(h);
      r.resources.vcpus_used = std::uniform_int_distribution<int>(0, h.vcpus * 2)(rng);
      r.resources.local_gb_used = std::uniform_int_distribution<std::int64_t>(0, h.disk_gb)(rng);
      r.allocation_ratios.cpu = rng() % 2 == 0 ? 1.0 : 4.0;
      r.allocation_ratios.ram = rng() % 3 == 0 ? 1.5 : 1.0;
      ASSERT_TRUE(cache_.update_from_report(r).ok());
      names_.push_back(h.name);
    }
  }

  sdk::RequestSpec random_spec(std::mt19937_64& rng) {
    sdk::RequestSpec spec = make_spec(make_flavor(512 * std::uniform_int_distribution<int>(1, 16)(rng),
                                                  std::uniform_int_distribution<int>(1, 8)(rng),
                                                  std::uniform_int_distribution<int>(1, 40)(rng)));
    spec.instance_uuid = "placing-" + std::to_string(rng());
    if (rng() % 4 == 0) spec.availability_zone = rng() % 2 == 0 ? "az2" : "nova";
    if (rng() % 4 == 0) spec.ignore_hosts = {names_[rng() % names_.size()], names_[rng() % names_.size()]};
    if (rng() % 5 == 0) {
      sdk::InstanceGroup g;
      g.uuid = "g";
      g.policy = rng() % 2 == 0 ? "anti-affinity" : "affinity";
      for (int k = 0; k < 3; ++k) g.hosts.push_back(names_[rng() % names_.size()]);
      spec.instance_group = g;
    }
    if (rng() % 6 == 0) spec.scheduler_hints["different_host"] = {placed_.empty() ? "x" : placed_.front()};
    return spec;
  }

  // Changes the cloud the way requests and reports do.
  void mutate(std::mt19937_64& rng, const sdk::RequestSpec& spec) {
    const std::string& host = names_[rng() % names_.size()];
    switch (rng() % 5) {
      case 0:
      case 1: {
        const std::string uuid = "inst-" + std::to_string(rng());
        if (cache_.consume_from_request(host, host, spec.flavor, uuid).ok()) placed_.push_back(uuid);
        break;
      }
      case 2:
        if (!placed_.empty()) {
          cache_.release_instance(placed_.back());
          placed_.pop_back();
        }
        break;
      case 3:
        cache_.set_disabled(host, rng() % 3 == 0);
        break;
      case 4:
        clock_.advance(std::chrono::seconds(25));  // hosts not heard from for 60 s go down
        for (const std::string& h : names_) {
          if (rng() % 8 != 0) cache_.heartbeat(h);
        }
        break;
    }
  }

  // The full pass: what FilterScheduler does without the walk.
  std::vector<WeighedHost> full_pass(const HostSnapshot& snapshot, const FilterChain& filters,
                                     const WeigherChain& weighers, const sdk::RequestSpec& spec) {
    std::vector<const sdk::HostState*> hosts = snapshot.hosts();
    std::erase_if(hosts, [&](const sdk::HostState* h) {
      return std::find(spec.ignore_hosts.begin(), spec.ignore_hosts.end(), h->host) != spec.ignore_hosts.end() ||
             unmet_driver_requirement(h->capabilities, spec).has_value();
    });
    return weighers.weigh(filters.run(std::move(hosts), spec).hosts, spec);
  }

  // Compares the walk with the full pass for `spec`, wanting `wanted` hosts.
  void compare(const FilterChain& filters, const WeigherChain& weighers, const sdk::RequestSpec& spec,
               std::size_t wanted) {
    const HostSnapshot snapshot = cache_.snapshot();
    const std::vector<WeighedHost> full = full_pass(snapshot, filters, weighers, spec);
    std::map<std::string, double> full_weight;
    for (const WeighedHost& w : full) full_weight[w.host->host] = w.weight;

    const auto host_only = weighers.host_only();
    ASSERT_TRUE(host_only.has_value());
    const BatchFilter filter = [&](std::vector<const sdk::HostState*>& hosts) {
      std::erase_if(hosts, [&](const sdk::HostState* h) {
        return std::find(spec.ignore_hosts.begin(), spec.ignore_hosts.end(), h->host) != spec.ignore_hosts.end() ||
               unmet_driver_requirement(h->capabilities, spec).has_value();
      });
      hosts = filters.run(std::move(hosts), spec).hosts;
    };
    const HostStateCache::RankedView view = cache_.ranked_view();
    const auto walked = best_first(view, *host_only, filter, wanted);
    if (full.empty()) {
      EXPECT_FALSE(walked.has_value()) << "no host passes, yet the walk ranked some";
      return;
    }
    ASSERT_TRUE(walked.has_value());
    const std::size_t expect = std::min(wanted, full.size());
    ASSERT_EQ(walked->hosts.size(), expect);
    // Complete means all of them; a walk may stop without knowing it has all.
    EXPECT_TRUE(!walked->complete || walked->hosts.size() == full.size());
    EXPECT_TRUE(wanted >= full.size() || !walked->complete);
    std::set<std::string> seen;
    for (std::size_t k = 0; k < expect; ++k) {
      const WeighedHost& w = walked->hosts[k];
      ASSERT_TRUE(full_weight.count(w.host->host)) << w.host->host << " does not pass the filters";
      EXPECT_TRUE(seen.insert(w.host->host).second) << w.host->host << " ranked twice";
      // Bit for bit: the same operations on the same numbers.
      EXPECT_EQ(w.weight, full[k].weight) << "position " << k;
      EXPECT_EQ(w.weight, full_weight[w.host->host]) << w.host->host;
      const bool tied = (k > 0 && full[k - 1].weight == full[k].weight) ||
                        (k + 1 < full.size() && full[k + 1].weight == full[k].weight);
      if (!tied) {
        EXPECT_EQ(w.host->host, full[k].host->host) << "position " << k;
      }
    }
  }

  std::vector<std::string> names_;
  std::vector<std::string> placed_;
};

TEST_F(BestFirstTest, RanksAsTheFullPassOnRandomClouds) {
  std::mt19937_64 rng(20261207);
  const std::vector<std::vector<double>> multipliers = {
      {1.0, 1.0, 1.0, 0.0},    // the defaults
      {1.0, 0.0, 0.0, 0.0},    // one weigher
      {2.0, -1.0, 0.5, 1.0},   // stack on CPU, several scales
      {-1.0, -1.0, -1.0, -3.0},  // everything reversed
      {0.0, 0.0, 0.0, 0.0},    // no weigher: host order
  };
  const std::vector<std::string> weigher_names = {"ram", "cpu", "disk", "num_instances"};
  for (std::size_t m = 0; m < multipliers.size(); ++m) {
    for (std::size_t i = 0; i < weigher_names.size(); ++i) {
      tables_.set(sdk::PluginKind::kSchedulerWeigher, weigher_names[i], "multiplier", multipliers[m][i]);
    }
    auto filters = FilterChain::create(registry_, SchedulerSection{}.enabled_filters, tables_.lookup());
    ASSERT_TRUE(filters.ok()) << filters.status();
    auto weighers = WeigherChain::create(registry_, weigher_names, tables_.lookup());
    ASSERT_TRUE(weighers.ok()) << weighers.status();
    auto host_only = weighers->host_only();
    ASSERT_TRUE(host_only.has_value());
    std::vector<std::string> names;
    std::vector<HostStateCache::RankKey> keys;
    for (const auto& w : *host_only) {
      names.push_back(w.name);
      keys.push_back(w.raw);
    }
    cache_.set_rank_keys(names, keys);
    if (m == 0) add_random_hosts(rng, 200);
    for (int round = 0; round < 150; ++round) {
      const sdk::RequestSpec spec = random_spec(rng);
      const std::size_t wanted = std::uniform_int_distribution<std::size_t>(1, 12)(rng);
      SCOPED_TRACE("multipliers " + std::to_string(m) + ", round " + std::to_string(round));
      compare(*filters, *weighers, spec, wanted);
      if (::testing::Test::HasFailure()) return;
      mutate(rng, spec);
    }
    // Every host that passes, and more than pass.
    compare(*filters, *weighers, make_spec(make_flavor(512)), 1000);
  }
}

TEST_F(BestFirstTest, IdenticalHostsGoInHostOrderThenToTheFreest) {
  for (int i = 0; i < 40; ++i) add_host({.name = "n" + std::to_string(100 + i)});
  auto s = make_scheduler(testing::options(1, 3, 7));
  ASSERT_NE(s, nullptr);
  const sdk::RequestSpec spec = make_spec(make_flavor(1024));
  // All equal: the first host; then it is the fullest, so the next one.
  auto first = s->select_destinations(spec, {"i-1"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->front().destination.host, "n100");
  EXPECT_EQ(first->front().alternates.size(), 2u);
  auto second = s->select_destinations(spec, {"i-2"});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->front().destination.host, "n101");
  EXPECT_NE(second->front().alternates.front().host, "n100") << "the fullest host is the last choice";
}

TEST_F(BestFirstTest, SelectDestinationsChoosesAsTheFullPass) {
  std::mt19937_64 rng(77);
  add_random_hosts(rng, 120);
  for (const std::string& h : names_) {
    auto state = cache_.get(h, h);
    ASSERT_TRUE(state.has_value());
    Inventory inv;
    inv.vcpus = state->vcpus_total;
    inv.cpu_allocation_ratio = state->cpu_allocation_ratio;
    inv.ram_allocation_ratio = state->ram_allocation_ratio;
    inv.memory_mb = state->total_usable_ram_mb;
    inv.disk_gb = state->total_usable_disk_gb;
    claimer_.set_inventory(h, h, inv);
  }
  SchedulerOptions full_options = testing::options(1, 4, 1);
  full_options.best_first = false;
  auto fast = make_scheduler(testing::options(1, 4, 1));
  auto full = make_scheduler(full_options);
  ASSERT_NE(fast, nullptr);
  ASSERT_NE(full, nullptr);
  int placed = 0;
  for (int i = 0; i < 60; ++i) {
    const sdk::RequestSpec spec = make_spec(make_flavor(256 * (1 + i % 4), 1, 1));
    const std::string uuid = "sel-" + std::to_string(i);
    auto want = full->select_destinations(spec, {uuid});
    if (want.ok()) {
      ASSERT_TRUE(full->release(uuid).ok());
    }
    auto got = fast->select_destinations(spec, {uuid});
    ASSERT_EQ(got.ok(), want.ok()) << (got.ok() ? want.status() : got.status());
    if (!got.ok()) continue;
    ++placed;
    EXPECT_EQ(got->front().weight, want->front().weight) << uuid;
    EXPECT_EQ(got->front().destination, want->front().destination) << uuid;
    EXPECT_EQ(got->front().alternates, want->front().alternates) << uuid;
  }
  EXPECT_GT(placed, 30);
}

}  // namespace
}  // namespace stratus::core::scheduler
