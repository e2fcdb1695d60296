#include "core/scheduler/filter_scheduler.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "scheduler_test_support.h"

namespace stratus::core::scheduler {
namespace {

using testing::make_flavor;
using testing::make_spec;
using testing::uuids;

class FilterSchedulerTest : public testing::SchedulerFixture {
 protected:
  // One instance; the destination host, or "" with the failure in `error`.
  std::string place_one(FilterScheduler& s, const sdk::RequestSpec& spec, const std::string& uuid,
                        sdk::Status* error = nullptr) {
    auto r = s.select_destinations(spec, {uuid});
    if (!r.ok()) {
      if (error != nullptr) *error = r.status();
      return "";
    }
    return r->front().destination.host;
  }

  std::map<std::string, int> per_host(const std::vector<Selection>& selections) {
    std::map<std::string, int> out;
    for (const auto& s : selections) ++out[s.destination.host];
    return out;
  }
};

TEST_F(FilterSchedulerTest, PicksTheHostWithMostFreeRamByDefault) {
  add_host({.name = "a", .memory_mb = 4096});
  add_host({.name = "b", .memory_mb = 16384, .memory_mb_used = 4096});
  add_host({.name = "c", .memory_mb = 8192});
  auto s = make_scheduler();
  ASSERT_NE(s, nullptr);
  auto r = s->select_destinations(make_spec(make_flavor(1024)), {"i-1"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].instance_uuid, "i-1");
  EXPECT_EQ((*r)[0].destination, (Destination{"b", "b"}));
  // Claimed and consumed.
  EXPECT_EQ(claimer_.usage("b", "b").memory_mb, 1024);
  EXPECT_EQ(free_ram("b"), 16384 - 4096 - 1024);
  EXPECT_EQ(cache_.get("b", "b")->instance_uuids.count("i-1"), 1u);
}

TEST_F(FilterSchedulerTest, FromConfigUsesTheConfiguredPluginsAndTables) {
  add_host({.name = "a", .memory_mb = 4096, .running_vms = 0});
  add_host({.name = "b", .memory_mb = 8192, .running_vms = 9});
  Config config;
  config.scheduler.weighers = {"ram", "num_instances"};
  sdk::PluginConfig table("[weigher.num_instances]");
  table.set("multiplier", -2.0);
  config.plugin_tables[{sdk::PluginKind::kSchedulerWeigher, "num_instances"}] = table;
  auto s = FilterScheduler::from_config(registry_, config, cache_, claimer_);
  ASSERT_TRUE(s.ok()) << s.status();
  // ram prefers b by 1.0, num_instances at -2 prefers a by 2.0.
  auto r = (*s)->select_destinations(make_spec(make_flavor(512)), {"i-1"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->front().destination.host, "a");

  config.scheduler.enabled_filters.push_back("typo_filter");
  auto bad = FilterScheduler::from_config(registry_, config, cache_, claimer_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("typo_filter"), std::string::npos) << bad.status();
}

TEST_F(FilterSchedulerTest, NegativeNumInstancesMultiplierSpreadsAndPositiveStacks) {
  for (const char* h : {"a", "b", "c"}) add_host({.name = h});
  tables_.set(sdk::PluginKind::kSchedulerWeigher, "num_instances", "multiplier", -1.0);
  auto spread = make_scheduler({}, SchedulerSection{}.enabled_filters, {"num_instances"});
  ASSERT_NE(spread, nullptr);
  auto r = spread->select_destinations(make_spec(make_flavor(512)), uuids("spread", 3));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(per_host(*r), (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}}));

  // A host that already runs more instances loses under -1.
  add_host({.name = "a", .running_vms = 5});
  add_host({.name = "b", .running_vms = 1});
  add_host({.name = "c", .running_vms = 3});
  EXPECT_EQ(place_one(*spread, make_spec(make_flavor(512)), "spread-next"), "b");

  testing::ConfigTables stack_tables;
  tables_ = stack_tables;
  tables_.set(sdk::PluginKind::kSchedulerWeigher, "num_instances", "multiplier", 1.0);
  auto stack = make_scheduler({}, SchedulerSection{}.enabled_filters, {"num_instances"});
  auto r2 = stack->select_destinations(make_spec(make_flavor(512)), uuids("stack", 3));
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_EQ(per_host(*r2), (std::map<std::string, int>{{"a", 3}}));
}

TEST_F(FilterSchedulerTest, NoValidHostNamesTheFilterThatRemovedTheLastHosts) {
  for (const char* h : {"a", "b", "c"}) add_host({.name = h, .memory_mb = 2048});
  auto s = make_scheduler({}, {"compute", "ram", "core"});
  auto r = s->select_destinations(make_spec(make_flavor(4096)), {"i-1"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is_no_valid_host(r.status()));
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "No valid host was found. Filter ram removed the last 3 hosts (compute: 0 removed, ram: 3 removed)");
  EXPECT_EQ(claimer_.claim_count(), 0u);

  // With the real default filter list, one disabled host: both counts show.
  cache_.set_disabled("a", true);
  auto all = make_scheduler();
  auto r2 = all->select_destinations(make_spec(make_flavor(4096)), {"i-2"});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().message(),
            "No valid host was found. Filter ram removed the last 2 hosts "
            "(compute: 1 removed, availability_zone: 0 removed, ram: 2 removed)");

  HostStateCache empty_cache;
  auto filters = FilterChain::create(registry_, {"compute"}, {});
  auto weighers = WeigherChain::create(registry_, {}, {});
  ASSERT_TRUE(filters.ok() && weighers.ok());
  FilterScheduler empty_cloud(empty_cache, std::move(*filters), std::move(*weighers), claimer_);
  auto r3 = empty_cloud.select_destinations(make_spec(make_flavor(1)), {"i-3"});
  EXPECT_EQ(r3.status().message(), "No valid host was found. No compute node has reported to the scheduler");
}

TEST_F(FilterSchedulerTest, TenInstancesOnThreeHostsNeverOverfillTheCacheView) {
  // Every claim succeeds here, so only consume_from_request keeps the
  // instances of one request from piling onto the host that looked best.
  class AcceptAll final : public Claimer {
   public:
    sdk::Status claim(const ClaimRequest&) override { return sdk::Status::OK(); }
    sdk::Status release(std::string_view) override { return sdk::Status::OK(); }
  } accept_all;
  for (const char* h : {"a", "b", "c"}) add_host({.name = h, .memory_mb = 4096, .vcpus = 4});
  auto s = make_scheduler({}, SchedulerSection{}.enabled_filters, SchedulerSection{}.weighers, &accept_all);
  auto r = s->select_destinations(make_spec(make_flavor(1024)), uuids("i", 10));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 10u);
  auto counts = per_host(*r);
  for (const auto& [host, n] : counts) {
    EXPECT_LE(n, 4) << host;
    EXPECT_GE(n, 3) << host;  // free RAM first: they spread
    EXPECT_EQ(free_ram(host), 4096 - 1024 * n);
  }
  // Two slots are left; a request of three fails as a whole.
  auto more = s->select_destinations(make_spec(make_flavor(1024)), uuids("more", 3));
  ASSERT_FALSE(more.ok());
  EXPECT_NE(more.status().message().find("Filter ram removed the last 3 hosts"), std::string::npos) << more.status();
  EXPECT_NE(more.status().message().find("instance 3 of 3; the 2 placed before it were released"), std::string::npos);
  for (const auto& [host, n] : counts) EXPECT_EQ(free_ram(host), 4096 - 1024 * n);
}

TEST_F(FilterSchedulerTest, TenInstancesWithTheInMemoryClaimerMatchItsTotals) {
  for (const char* h : {"a", "b", "c"}) add_host({.name = h, .memory_mb = 4096, .vcpus = 4});
  auto s = make_scheduler();
  auto r = s->select_destinations(make_spec(make_flavor(1024)), uuids("i", 10));
  ASSERT_TRUE(r.ok()) << r.status();
  std::int64_t total = 0;
  for (const auto& [host, n] : per_host(*r)) {
    EXPECT_LE(n, 4);
    EXPECT_EQ(claimer_.usage(host, host).instances, n);
    total += claimer_.usage(host, host).memory_mb;
  }
  EXPECT_EQ(total, 10 * 1024);
}

TEST_F(FilterSchedulerTest, AntiAffinitySpreadsThenFailsTheFourthWithAClearReason) {
  for (const char* h : {"a", "b", "c"}) add_host({.name = h});
  sdk::RequestSpec spec = make_spec(make_flavor(512));
  spec.instance_group = sdk::InstanceGroup{.uuid = "g", .name = "g", .policy = "anti-affinity",
                                           .members = uuids("anti", 4), .hosts = {}, .max_server_per_host = 1};
  auto s = make_scheduler();
  std::vector<std::string> three = uuids("anti", 3);
  auto r = s->select_destinations(spec, three);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(per_host(*r), (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}}));
  // An alternate never is another member's host.
  for (const auto& sel : *r) EXPECT_TRUE(sel.alternates.empty()) << sel.instance_uuid;
  for (const auto& u : three) ASSERT_TRUE(s->release(u).ok());

  const std::int64_t free_before = free_ram("a");
  auto four = s->select_destinations(spec, uuids("anti", 4));
  ASSERT_FALSE(four.ok());
  EXPECT_TRUE(is_no_valid_host(four.status()));
  EXPECT_NE(four.status().message().find("Filter server_group_anti_affinity removed the last 3 hosts"),
            std::string::npos)
      << four.status();
  EXPECT_NE(four.status().message().find("(instance 4 of 4; the 3 placed before it were released)"),
            std::string::npos)
      << four.status();
  EXPECT_EQ(claimer_.claim_count(), 0u);
  EXPECT_EQ(free_ram("a"), free_before);
  EXPECT_TRUE(cache_.get("a", "a")->instance_uuids.empty());
}

TEST_F(FilterSchedulerTest, AntiAffinityHonoursMaxServerPerHost) {
  for (const char* h : {"a", "b"}) add_host({.name = h});
  sdk::RequestSpec spec = make_spec(make_flavor(512));
  spec.instance_group = sdk::InstanceGroup{.uuid = "g", .name = "g", .policy = "anti-affinity",
                                           .members = uuids("m", 4), .hosts = {}, .max_server_per_host = 2};
  auto r = make_scheduler()->select_destinations(spec, uuids("m", 4));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(per_host(*r), (std::map<std::string, int>{{"a", 2}, {"b", 2}}));
}

TEST_F(FilterSchedulerTest, AffinityKeepsTheGroupTogether) {
  for (const char* h : {"a", "b", "c"}) add_host({.name = h, .memory_mb = 8192});
  sdk::RequestSpec spec = make_spec(make_flavor(1024));
  spec.instance_group = sdk::InstanceGroup{.uuid = "g", .name = "g", .policy = "affinity",
                                           .members = uuids("aff", 3), .hosts = {}, .max_server_per_host = 1};
  auto r = make_scheduler()->select_destinations(spec, uuids("aff", 3));
  ASSERT_TRUE(r.ok()) << r.status();
  // The RAM weigher alone would spread them; affinity wins.
  EXPECT_EQ(per_host(*r).size(), 1u);
}

TEST_F(FilterSchedulerTest, AlternatesExcludeTheChosenHostAndAreAtMostMaxAttemptsMinusOne) {
  for (int i = 0; i < 5; ++i) add_host({.name = "h" + std::to_string(i), .memory_mb = 1024 * (i + 2)});
  auto s = make_scheduler(testing::options(1, 3));
  auto r = s->select_destinations(make_spec(make_flavor(512)), uuids("i", 2));
  ASSERT_TRUE(r.ok()) << r.status();
  const Selection& first = (*r)[0];
  EXPECT_EQ(first.destination.host, "h4");
  ASSERT_EQ(first.alternates.size(), 2u);
  EXPECT_EQ(first.alternates[0].host, "h3");  // best first
  EXPECT_EQ(first.alternates[1].host, "h2");
  for (const auto& sel : *r) {
    EXPECT_LE(sel.alternates.size(), 2u);
    for (const auto& alt : sel.alternates) EXPECT_NE(alt.host, sel.destination.host);
  }
  auto one = s->select_destinations(make_spec(make_flavor(512)), {"x"}, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->front().alternates.empty());
  auto many = s->select_destinations(make_spec(make_flavor(512)), {"y"}, 10);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->front().alternates.size(), 4u);  // every other host, no more
}

TEST_F(FilterSchedulerTest, RescheduleToAnAlternateMovesTheClaimAndTheConsumption) {
  add_host({.name = "a", .memory_mb = 4096});
  add_host({.name = "b", .memory_mb = 8192});
  auto s = make_scheduler();
  const sdk::Flavor flavor = make_flavor(1024);
  auto r = s->select_destinations(make_spec(flavor), {"i-1"});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->front().destination.host, "b");
  ASSERT_EQ(r->front().alternates.size(), 1u);
  // The build failed on b: the conductor gives b back and claims the alternate.
  ASSERT_TRUE(s->release("i-1").ok());
  ASSERT_TRUE(s->claim(r->front().alternates[0], "i-1", flavor).ok());
  EXPECT_EQ(free_ram("b"), 8192);
  EXPECT_EQ(free_ram("a"), 3072);
  EXPECT_EQ(claimer_.node_of("i-1")->first, "a");
  EXPECT_EQ(s->claim({"b", "b"}, "i-2", make_flavor(16384)).code(), sdk::StatusCode::kConflict);
  EXPECT_EQ(free_ram("b"), 8192);
}

TEST_F(FilterSchedulerTest, IgnoreHosts) {
  add_host({.name = "a", .memory_mb = 4096});
  add_host({.name = "b", .memory_mb = 8192});
  auto s = make_scheduler();
  sdk::RequestSpec spec = make_spec(make_flavor(512));
  spec.ignore_hosts = {"B"};  // matched case-insensitively, as in Nova
  auto r = s->select_destinations(spec, {"i-1"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->front().destination.host, "a");
  for (const auto& alt : r->front().alternates) EXPECT_NE(alt.host, "b");

  spec.ignore_hosts = {"a", "b"};
  auto none = s->select_destinations(spec, {"i-2"});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "No valid host was found. ignore_hosts (a, b) removed the last 2 hosts");
}

TEST_F(FilterSchedulerTest, ForcedHostSkipsTheFiltersButNotTheClaim) {
  add_host({.name = "a", .memory_mb = 8192});
  add_host({.name = "b", .memory_mb = 2048});
  cache_.set_disabled("b", true);
  auto s = make_scheduler();
  sdk::RequestSpec spec = make_spec(make_flavor(1024));
  spec.force_hosts = {"b"};
  auto r = s->select_destinations(spec, {"i-1"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->front().destination.host, "b");  // disabled, yet forced: Nova skips the filters
  EXPECT_TRUE(r->front().alternates.empty());

  sdk::RequestSpec too_big = make_spec(make_flavor(4096));
  too_big.force_hosts = {"b"};
  auto refused = s->select_destinations(too_big, {"i-2"});
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(is_no_valid_host(refused.status()));
  EXPECT_NE(refused.status().message().find("Host b, the only forced host, refused the claim"), std::string::npos)
      << refused.status();

  spec.force_hosts = {"nowhere"};
  auto unknown = s->select_destinations(spec, {"i-3"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "No valid host was found. No host matched force_hosts (nowhere)");
}

TEST_F(FilterSchedulerTest, ADownHostIsNotChosen) {
  add_host({.name = "a", .memory_mb = 4096});
  add_host({.name = "b", .memory_mb = 8192});
  auto s = make_scheduler();
  clock_.advance(std::chrono::seconds(61));
  cache_.heartbeat("a");
  sdk::RequestSpec spec = make_spec(make_flavor(512));
  EXPECT_EQ(place_one(*s, spec, "i-1"), "a");
  clock_.advance(std::chrono::seconds(61));  // now both are silent
  sdk::Status error;
  EXPECT_EQ(place_one(*s, spec, "i-2", &error), "");
  EXPECT_NE(error.message().find("Filter compute removed the last 2 hosts"), std::string::npos) << error;
  cache_.heartbeat("b");
  EXPECT_EQ(place_one(*s, spec, "i-3"), "b");
}

TEST_F(FilterSchedulerTest, ADisabledHostIsNotChosen) {
  add_host({.name = "a", .memory_mb = 4096});
  add_host({.name = "b", .memory_mb = 8192});
  auto s = make_scheduler();
  cache_.set_disabled("b", true);
  sdk::RequestSpec spec = make_spec(make_flavor(512));
  EXPECT_EQ(place_one(*s, spec, "i-1"), "a");
  cache_.set_disabled("b", false);
  EXPECT_EQ(place_one(*s, spec, "i-2"), "b");
}

TEST_F(FilterSchedulerTest, HostSubsetSizePicksAmongTheTopNOnly) {
  for (int i = 0; i < 6; ++i) add_host({.name = "h" + std::to_string(i), .memory_mb = 1024 * (i + 2)});
  auto run = [&](std::uint64_t seed) {
    auto s = make_scheduler(testing::options(3, 3, seed));
    std::vector<std::string> picks;
    for (int i = 0; i < 200; ++i) {
      const std::string uuid = "i-" + std::to_string(i);
      picks.push_back(place_one(*s, make_spec(make_flavor(64)), uuid));
      EXPECT_TRUE(s->release(uuid).ok());  // the cache is as before for the next pick
    }
    return picks;
  };
  std::vector<std::string> picks = run(42);
  std::set<std::string> distinct(picks.begin(), picks.end());
  EXPECT_EQ(distinct, (std::set<std::string>{"h3", "h4", "h5"}));
  EXPECT_EQ(run(42), picks);  // same seed, same sequence
  EXPECT_EQ(claimer_.claim_count(), 0u);

  // A subset larger than the candidates acts as all of them; 1 is the best only.
  auto all = make_scheduler(testing::options(100, 3, 7));
  auto best = make_scheduler(testing::options(1));
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(place_one(*all, make_spec(make_flavor(64)), "all").empty());
    ASSERT_TRUE(all->release("all").ok());
    EXPECT_EQ(place_one(*best, make_spec(make_flavor(64)), "best"), "h5");
    ASSERT_TRUE(best->release("best").ok());
  }
}

TEST_F(FilterSchedulerTest, AClaimConflictMakesItTakeTheNextHost) {
  add_host({.name = "a", .memory_mb = 4096});
  add_host({.name = "b", .memory_mb = 8192});
  add_host({.name = "c", .memory_mb = 6144});
  // Another scheduler filled b: the claimer knows, this cache does not yet.
  claimer_.set_inventory("b", "b", {.vcpus = 8, .memory_mb = 0, .disk_gb = 100});
  auto s = make_scheduler();
  auto r = s->select_destinations(make_spec(make_flavor(1024)), {"i-1"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->front().destination.host, "c");
  // The host that refused is no alternate.
  ASSERT_EQ(r->front().alternates.size(), 1u);
  EXPECT_EQ(r->front().alternates[0].host, "a");
  EXPECT_EQ(free_ram("b"), 8192);  // nothing consumed where nothing was claimed
}

TEST_F(FilterSchedulerTest, AFailingClaimerFailsTheRequestAndReleasesEarlierClaims) {
  class FlakyClaimer final : public Claimer {
   public:
    explicit FlakyClaimer(InMemoryClaimer& inner) : inner_(inner) {}
    sdk::Status claim(const ClaimRequest& r) override {
      if (++calls_ == 2) return sdk::Status::Unavailable("database is locked");
      return inner_.claim(r);
    }
    sdk::Status release(std::string_view uuid) override { return inner_.release(uuid); }

   private:
    InMemoryClaimer& inner_;
    int calls_ = 0;
  } flaky(claimer_);
  for (const char* h : {"a", "b"}) add_host({.name = h});
  auto s = make_scheduler({}, SchedulerSection{}.enabled_filters, SchedulerSection{}.weighers, &flaky);
  auto r = s->select_destinations(make_spec(make_flavor(512)), uuids("i", 2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), sdk::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("database is locked"), std::string::npos);
  EXPECT_EQ(claimer_.claim_count(), 0u);
  EXPECT_EQ(free_ram("a"), 8192);
  EXPECT_EQ(free_ram("b"), 8192);
}

TEST_F(FilterSchedulerTest, RejectsMalformedRequests) {
  add_host({.name = "a"});
  auto s = make_scheduler();
  EXPECT_EQ(s->select_destinations(make_spec(make_flavor(1)), {}).status().code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(s->select_destinations(make_spec(make_flavor(1)), {"x", "x"}).status().code(),
            sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(claimer_.claim_count(), 0u);
}

}  // namespace
}  // namespace stratus::core::scheduler
