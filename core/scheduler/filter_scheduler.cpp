#include "core/scheduler/filter_scheduler.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "core/scheduler/best_first.h"
#include "core/scheduler/driver_requirements.h"
#include "core/metrics/service_metrics.h"

namespace stratus::core::scheduler {
namespace {

// Nova matches forced and ignored host names case-insensitively.
bool same_host_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool listed(const std::vector<std::string>& names, std::string_view host) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return same_host_name(n, host); });
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::string plural_hosts(std::size_t n) { return std::to_string(n) + (n == 1 ? " host" : " hosts"); }

}  // namespace

bool is_no_valid_host(const sdk::Status& status) {
  return status.has_reason(sdk::StatusReason::kNoValidHost);
}

FilterScheduler::FilterScheduler(HostStateCache& cache, FilterChain filters, WeigherChain weighers, Claimer& claimer,
                                 SchedulerOptions options)
    : cache_(cache),
      filters_(std::move(filters)),
      weighers_(std::move(weighers)),
      claimer_(claimer),
      options_(std::move(options)),
      host_only_(options_.best_first ? weighers_.host_only() : std::nullopt),
      rng_(options_.rng_seed.has_value() ? *options_.rng_seed : std::random_device{}()) {
  if (host_only_.has_value()) {
    std::vector<std::string> names;
    std::vector<HostStateCache::RankKey> keys;
    for (const HostOnlyWeigher& w : *host_only_) {
      names.push_back(w.name);
      keys.push_back(w.raw);
    }
    cache_.set_rank_keys(std::move(names), std::move(keys));
  }
}

sdk::Result<std::unique_ptr<FilterScheduler>> FilterScheduler::from_config(const PluginRegistry& registry,
                                                                          const Config& config, HostStateCache& cache,
                                                                          Claimer& claimer, SchedulerOptions options) {
  auto filters = FilterChain::from_config(registry, config);
  if (!filters.ok()) return filters.status();
  auto weighers = WeigherChain::from_config(registry, config);
  if (!weighers.ok()) return weighers.status();
  return std::make_unique<FilterScheduler>(cache, std::move(*filters), std::move(*weighers), claimer,
                                           std::move(options));
}

FilterScheduler::Candidates FilterScheduler::candidates(const HostSnapshot& snapshot,
                                                        const sdk::RequestSpec& spec) const {
  Candidates out;
  if (snapshot.empty()) {
    out.reason = "No compute node has reported to the scheduler";
    return out;
  }
  std::vector<const sdk::HostState*> hosts = snapshot.hosts();
  if (!spec.ignore_hosts.empty()) {
    const std::size_t before = hosts.size();
    std::erase_if(hosts, [&](const sdk::HostState* h) { return listed(spec.ignore_hosts, h->host); });
    if (hosts.empty()) {
      out.reason = "ignore_hosts (" + join(spec.ignore_hosts) + ") removed the last " + plural_hosts(before);
      return out;
    }
  }
  {
    const std::size_t before = hosts.size();
    std::string unmet;
    std::erase_if(hosts, [&](const sdk::HostState* h) {
      auto missing = unmet_driver_requirement(h->capabilities, spec);
      if (missing) unmet = *missing;
      return missing.has_value();
    });
    if (hosts.empty()) {
      out.reason =
          "Driver capabilities removed the last " + plural_hosts(before) + ": no virt driver supports " + unmet;
      return out;
    }
  }
  if (!spec.force_hosts.empty()) {
    std::erase_if(hosts, [&](const sdk::HostState* h) { return !listed(spec.force_hosts, h->host); });
    if (hosts.empty()) {
      out.reason = "No host matched force_hosts (" + join(spec.force_hosts) + ")";
      return out;
    }
    // Nova skips the filters for a forced host: the admin asked for it. The
    // claim still refuses a host without room.
    out.hosts = std::move(hosts);
    out.forced = true;
    return out;
  }
  FilterRun run = filters_.run(std::move(hosts), spec);
  if (run.hosts.empty()) {
    out.reason = run.failure_reason();
    return out;
  }
  out.hosts = std::move(run.hosts);
  return out;
}

FilterScheduler::Ranking FilterScheduler::rank_all(const sdk::RequestSpec& spec) const {
  Ranking out;
  out.snapshot = cache_.snapshot();
  Candidates found = candidates(out.snapshot, spec);
  metrics::observe_hosts(out.snapshot.size(), found.hosts.size());
  out.forced = found.forced;
  if (found.hosts.empty()) {
    out.reason = std::move(found.reason);
    return out;
  }
  out.hosts = weighers_.weigh(found.hosts, spec);
  return out;
}

std::optional<FilterScheduler::Ranking> FilterScheduler::rank_best_first(const sdk::RequestSpec& spec,
                                                                         std::size_t wanted) const {
  // A forced host skips the filters; the full pass says how.
  if (!host_only_.has_value() || !spec.force_hosts.empty()) return std::nullopt;
  // What candidates() and the filter chain do, on one batch of hosts.
  const BatchFilter filter = [&](std::vector<const sdk::HostState*>& hosts) {
    if (!spec.ignore_hosts.empty()) {
      std::erase_if(hosts, [&](const sdk::HostState* h) { return listed(spec.ignore_hosts, h->host); });
    }
    std::erase_if(hosts, [&](const sdk::HostState* h) {
      return unmet_driver_requirement(h->capabilities, spec).has_value();
    });
    if (!hosts.empty()) hosts = filters_.run(std::move(hosts), spec).hosts;
  };
  std::size_t considered = 0;
  std::optional<BestFirstRanking> walked;
  {
    const HostStateCache::RankedView view = cache_.ranked_view();
    considered = view.size();
    walked = best_first(view, *host_only_, filter, wanted);
  }
  if (!walked.has_value()) return std::nullopt;
  // Hosts that pass, as far as the walk looked (all of them when complete).
  metrics::observe_hosts(considered, walked->passed);
  Ranking out;
  out.hosts = std::move(walked->hosts);
  out.owners = std::move(walked->owners);
  out.complete = walked->complete;
  return out;
}

std::size_t FilterScheduler::pick_index(std::size_t subset_size) {
  if (subset_size <= 1) return 0;
  std::uniform_int_distribution<std::size_t> dist(0, subset_size - 1);
  std::lock_guard lock(rng_mu_);
  return dist(rng_);
}

void FilterScheduler::roll_back(const std::vector<std::string>& placed) {
  for (const std::string& uuid : placed) {
    sdk::Status st = claimer_.release(uuid);
    if (!st.ok()) spdlog::error("could not release the claim of instance {}: {}", uuid, st.to_string());
    cache_.release_instance(uuid);
  }
}

sdk::Status FilterScheduler::claim(const Destination& destination, std::string_view instance_uuid,
                                   const sdk::Flavor& flavor) {
  sdk::Status st = claimer_.claim(claim_for_flavor(destination.host, destination.nodename, instance_uuid, flavor));
  if (!st.ok()) return st;
  sdk::Status consumed = cache_.consume_from_request(destination.host, destination.nodename, flavor, instance_uuid);
  if (!consumed.ok()) {
    spdlog::warn("instance {}: {}", instance_uuid, consumed.to_string());  // claimed all the same
  }
  return st;
}

sdk::Status FilterScheduler::release(std::string_view instance_uuid) {
  sdk::Status st = claimer_.release(instance_uuid);
  cache_.release_instance(instance_uuid);
  return st;
}

void FilterScheduler::forget(std::string_view instance_uuid) { cache_.release_instance(instance_uuid); }

sdk::Result<std::vector<Selection>> FilterScheduler::select_destinations(
    const sdk::RequestSpec& spec, const std::vector<std::string>& instance_uuids, std::optional<int> max_attempts) {
  if (instance_uuids.empty()) return sdk::Status::InvalidArgument("select_destinations without instance uuids");
  {
    std::unordered_set<std::string_view> seen;
    for (const std::string& uuid : instance_uuids) {
      if (uuid.empty()) return sdk::Status::InvalidArgument("select_destinations with an empty instance uuid");
      if (!seen.insert(uuid).second) {
        return sdk::Status::InvalidArgument("instance " + uuid + " is listed twice in one select_destinations");
      }
    }
  }
  const std::size_t alternates_wanted =
      static_cast<std::size_t>(std::max(1, max_attempts.value_or(options_.max_attempts)) - 1);
  const std::size_t count = instance_uuids.size();
  const bool anti_affinity = spec.instance_group.has_value() && spec.instance_group->policy == "anti-affinity";

  // A copy, so that the group's hosts can grow as instances are placed.
  sdk::RequestSpec work = spec;
  work.num_instances = static_cast<std::int32_t>(count);

  std::vector<Selection> selections;
  selections.reserve(count);
  std::vector<std::string> placed;
  placed.reserve(count);

  auto no_valid_host = [&](std::size_t index, const std::string& reason) {
    roll_back(placed);
    std::string message(kNoValidHost);
    message += " " + reason;
    if (count > 1) {
      message += " (instance " + std::to_string(index + 1) + " of " + std::to_string(count);
      if (index > 0) message += "; the " + std::to_string(index) + " placed before it were released";
      message += ")";
    }
    spdlog::warn("instance {}: {}", instance_uuids[index], message);
    return sdk::Status(sdk::StatusCode::kNotFound, std::move(message), sdk::StatusReason::kNoValidHost);
  };

  // Hosts the best-first walk ranks: the random pick's subset, the
  // alternates, and a few more for claims lost to other schedulers.
  const std::size_t subset_wanted = static_cast<std::size_t>(std::max(1, options_.host_subset_size));
  const std::size_t walk_wanted = subset_wanted + alternates_wanted + 8;

  for (std::size_t i = 0; i < count; ++i) {
    const std::string& uuid = instance_uuids[i];
    work.instance_uuid = uuid;

    std::optional<Ranking> fast = rank_best_first(work, walk_wanted);
    Ranking ranking = fast.has_value() ? std::move(*fast) : rank_all(work);
    if (ranking.hosts.empty()) return no_valid_host(i, ranking.reason);

    // Claims in ranked order, after a random one of the best subset; a
    // prefix whose hosts all refuse gives way to the full ranking.
    std::optional<std::size_t> chosen;
    std::set<std::pair<std::string, std::string>> refused;  // (host, node)
    std::string last_refusal;
    for (;;) {
      std::vector<WeighedHost>& ranked = ranking.hosts;
      const std::size_t subset = std::min(subset_wanted, ranked.size());
      const std::size_t pick = pick_index(subset);
      // The pick goes first; the others keep their order behind it.
      std::rotate(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(pick),
                  ranked.begin() + static_cast<std::ptrdiff_t>(pick) + 1);
      for (std::size_t j = 0; j < ranked.size(); ++j) {
        const sdk::HostState& h = *ranked[j].host;
        if (!refused.empty() && refused.count({h.host, h.nodename}) != 0) continue;
        sdk::Status st = claimer_.claim(claim_for_flavor(h.host, h.nodename, uuid, work.flavor));
        if (st.ok()) {
          chosen = j;
          break;
        }
        if (st.is(sdk::StatusCode::kConflict) || st.is(sdk::StatusCode::kNotFound)) {
          spdlog::debug("instance {}: claim on {}/{} refused ({}); trying the next host", uuid, h.host, h.nodename,
                        st.to_string());
          refused.insert({h.host, h.nodename});
          last_refusal = st.message();
          continue;
        }
        roll_back(placed);
        return sdk::Status(st.code(), "claiming instance " + uuid + " on " + h.host + ": " + st.message());
      }
      if (chosen.has_value() || ranking.complete) break;
      ranking = rank_all(work);
      if (ranking.hosts.empty()) return no_valid_host(i, ranking.reason);
    }
    if (!chosen.has_value()) {
      const std::vector<WeighedHost>& ranked = ranking.hosts;
      std::string reason;
      if (ranked.size() == 1) {
        reason = "Host " + ranked[0].host->host + ", the only " +
                 (ranking.forced ? "forced host" : "host that passed the filters") + ", refused the claim";
      } else {
        reason = "All " + std::to_string(ranked.size()) +
                 (ranking.forced ? " forced hosts" : " hosts that passed the filters") + " refused the claim";
      }
      if (!last_refusal.empty()) reason += " (last: " + last_refusal + ")";
      return no_valid_host(i, reason);
    }

    const sdk::HostState& host = *ranking.hosts[*chosen].host;
    placed.push_back(uuid);
    if (sdk::Status st = cache_.consume_from_request(host.host, host.nodename, work.flavor, uuid); !st.ok()) {
      // The node was removed between the snapshot and now; the claim stands.
      spdlog::warn("instance {}: {}", uuid, st.to_string());
    }
    if (work.instance_group.has_value()) work.instance_group->hosts.push_back(host.host);

    Selection selection;
    selection.instance_uuid = uuid;
    selection.destination = {host.host, host.nodename};
    selection.weight = ranking.hosts[*chosen].weight;
    auto add_alternates = [&](const std::vector<WeighedHost>& ranked) {
      for (std::size_t j = 0; j < ranked.size() && selection.alternates.size() < alternates_wanted; ++j) {
        const sdk::HostState& alt = *ranked[j].host;
        if (alt.host == selection.destination.host) continue;
        if (!refused.empty() && refused.count({alt.host, alt.nodename}) != 0) continue;
        selection.alternates.push_back({alt.host, alt.nodename});
      }
    };
    add_alternates(ranking.hosts);
    if (selection.alternates.size() < alternates_wanted && !ranking.complete) {
      // The prefix ran out (hosts of the chosen one, refusals): take them
      // from the full ranking, which still lists them in the same order.
      selection.alternates.clear();
      const Ranking all = rank_all(work);
      add_alternates(all.hosts);
    }
    spdlog::debug("instance {}: selected {}/{} (weight {:.3f}, {} alternates)", uuid, host.host, host.nodename,
                  selection.weight, selection.alternates.size());
    selections.push_back(std::move(selection));
  }

  if (anti_affinity && count > 1) {
    // An alternate that another member of the group now runs on would break
    // the policy on a reschedule (Nova drops every host chosen in the request
    // from the alternates; only anti-affinity needs it, since a reschedule
    // claims first and a full host refuses the claim).
    std::set<std::string, std::less<>> chosen_hosts;
    for (const Selection& s : selections) chosen_hosts.insert(s.destination.host);
    for (Selection& s : selections) {
      std::erase_if(s.alternates, [&](const Destination& d) { return chosen_hosts.count(d.host) != 0; });
    }
  }
  return selections;
}

}  // namespace stratus::core::scheduler
