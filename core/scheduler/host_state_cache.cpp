#include "core/scheduler/host_state_cache.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

namespace stratus::core::scheduler {
namespace {

using NodeView = std::pair<std::string_view, std::string_view>;

std::int64_t disk_mb_of(const sdk::Flavor& f) { return 1024 * (f.root_gb + f.ephemeral_gb) + f.swap_mb; }

}  // namespace

HostStateCache::HostStateCache(std::chrono::seconds service_down_time, Clock clock)
    : service_down_time_(service_down_time),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

HostStateCache::Time HostStateCache::now() const { return clock_(); }

bool HostStateCache::is_up(const Service& service, Time t) const {
  // Nova's DB servicegroup driver: up while abs(now - last heartbeat) <= service_down_time.
  if (!service.has_been_seen) return false;
  const auto elapsed = t >= service.last_seen ? t - service.last_seen : service.last_seen - t;
  return elapsed <= service_down_time_;
}

HostStateCache::Service& HostStateCache::service_for(std::string_view host) {
  auto it = services_.find(host);
  if (it == services_.end()) it = services_.emplace(std::string(host), Service{}).first;
  return it->second;
}

template <typename Edit>
void HostStateCache::edit_node(const NodeKey& key, Node& node, Edit&& edit) const {
  // Snapshots may hold the old state: change a copy and swap it in.
  auto copy = std::make_shared<sdk::HostState>(*node.state);
  edit(*copy);
  set_state(key, node, std::move(copy));
}

void HostStateCache::unindex(const NodeKey& key, Node& node) const {
  for (std::size_t i = 0; i < node.ranks.size() && i < rank_indexes_.size(); ++i) {
    rank_indexes_[i].erase(RankEntry{node.ranks[i], &key, &node.state});
    if (node.ranks[i] == -std::numeric_limits<double>::infinity()) --non_finite_ranks_;
  }
  node.ranks.clear();
}

void HostStateCache::set_state(const NodeKey& key, Node& node, std::shared_ptr<const sdk::HostState> state) const {
  node.state = std::move(state);
  if (rank_keys_.empty()) return;
  // The entries point at node.state, so only a changed value needs moving.
  std::vector<double> ranks(rank_keys_.size());
  for (std::size_t i = 0; i < rank_keys_.size(); ++i) {
    const double raw = rank_keys_[i](*node.state);
    ranks[i] = std::isfinite(raw) ? raw : -std::numeric_limits<double>::infinity();
  }
  if (ranks == node.ranks) return;
  unindex(key, node);
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    rank_indexes_[i].insert(RankEntry{ranks[i], &key, &node.state});
    if (ranks[i] == -std::numeric_limits<double>::infinity()) ++non_finite_ranks_;
  }
  node.ranks = std::move(ranks);
}

void HostStateCache::set_rank_keys(std::vector<std::string> names, std::vector<RankKey> keys) {
  std::unique_lock lock(mu_);
  for (auto& [key, node] : nodes_) unindex(key, node);
  rank_names_ = std::move(names);
  rank_keys_ = std::move(keys);
  rank_indexes_.assign(rank_keys_.size(), RankIndex{});
  non_finite_ranks_ = 0;
  for (auto& [key, node] : nodes_) set_state(key, node, node.state);
}

void HostStateCache::mark_up(std::string_view host, Service& service, Time t) {
  service.last_seen = t;
  service.has_been_seen = true;
  liveness_until_ = std::min(liveness_until_, t + service_down_time_);
  // Silent hosts come back now, not at the next full liveness pass.
  for (auto it = nodes_.lower_bound(NodeView(host, "")); it != nodes_.end() && it->first.first == host; ++it) {
    if (!it->second.state->service_up) {
      edit_node(it->first, it->second, [](sdk::HostState& s) { s.service_up = true; });
    }
  }
}

namespace {

bool same_aggregates(const std::vector<sdk::Aggregate>& a, const std::vector<sdk::Aggregate>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].metadata != b[i].metadata) return false;
  }
  return true;
}

// The zone aggregates give a host: Nova's default "nova" when none sets one.
std::string zone_of(const std::vector<sdk::Aggregate>& aggregates) {
  for (const auto& a : aggregates) {
    auto it = a.metadata.find("availability_zone");
    if (it != a.metadata.end() && !it->second.empty()) return it->second;
  }
  return "nova";
}

bool same_host_aggregates(const std::map<std::string, std::vector<sdk::Aggregate>, std::less<>>& a,
                          const std::map<std::string, std::vector<sdk::Aggregate>, std::less<>>& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
    if (i->first != j->first || !same_aggregates(i->second, j->second)) return false;
  }
  return true;
}

}  // namespace

void HostStateCache::set_host_aggregates(std::map<std::string, std::vector<sdk::Aggregate>, std::less<>> by_host) {
  static const std::vector<sdk::Aggregate> kNone;
  {
    // Every select_destinations passes the aggregates it read; they rarely
    // change, and walking every node under the exclusive lock (10,000 of
    // them) serialised the concurrent selects for nothing.
    std::shared_lock lock(mu_);
    if (host_aggregates_ && same_host_aggregates(*host_aggregates_, by_host)) return;
  }
  std::unique_lock lock(mu_);
  for (auto& [key, node] : nodes_) {
    auto it = by_host.find(key.first);
    const std::vector<sdk::Aggregate>& aggregates = it == by_host.end() ? kNone : it->second;
    const std::string zone = zone_of(aggregates);
    if (same_aggregates(node.state->aggregates, aggregates) && node.state->availability_zone == zone) continue;
    edit_node(key, node, [&](sdk::HostState& s) {
      s.aggregates = aggregates;
      s.availability_zone = zone;
    });
  }
  host_aggregates_ = std::move(by_host);
}

sdk::Status HostStateCache::update_from_report(const NodeReport& report) {
  if (report.host.empty()) return sdk::Status::InvalidArgument("compute node report without a host name");
  const sdk::HostResources& r = report.resources;
  const std::string& nodename = !report.nodename.empty()               ? report.nodename
                                : !r.hypervisor_hostname.empty() ? r.hypervisor_hostname
                                                                 : report.host;
  auto state = std::make_shared<sdk::HostState>();
  state->host = report.host;
  state->nodename = nodename;
  state->availability_zone = report.availability_zone;
  state->total_usable_ram_mb = r.memory_mb;
  state->free_ram_mb = r.memory_mb - r.memory_mb_used;
  state->total_usable_disk_gb = r.local_gb;
  // What is claimed, as placement counts it; disk_available_least (what the
  // sparse images really touch) is not a claim, so it does not shrink this.
  state->free_disk_mb = (r.local_gb - r.local_gb_used) * 1024;
  state->vcpus_total = r.vcpus;
  state->vcpus_used = r.vcpus_used;
  state->num_instances = r.running_vms;
  state->ram_allocation_ratio = report.allocation_ratios.ram;
  state->cpu_allocation_ratio = report.allocation_ratios.cpu;
  state->disk_allocation_ratio = report.allocation_ratios.disk;
  state->hypervisor_type = r.hypervisor_type;
  state->hypervisor_version = r.hypervisor_version;
  state->hypervisor_hostname = r.hypervisor_hostname.empty() ? nodename : r.hypervisor_hostname;
  state->cpu_arch = r.cpu_arch;
  state->supported_instances = r.supported_instances;
  state->capabilities = report.capabilities;
  state->aggregates = report.aggregates;

  const Time t = now();
  std::unique_lock lock(mu_);
  if (host_aggregates_) {
    auto agg = host_aggregates_->find(report.host);
    state->aggregates = agg == host_aggregates_->end() ? std::vector<sdk::Aggregate>{} : agg->second;
    state->availability_zone = zone_of(state->aggregates);
  }
  Service& service = service_for(report.host);
  mark_up(report.host, service, t);
  state->service_up = true;
  state->service_disabled = service.disabled;

  auto [it, inserted] = nodes_.try_emplace(NodeKey{report.host, nodename});
  Node& node = it->second;
  if (inserted) {
    node.service = &service;
    ++service.nodes;
  } else {
    state->instance_uuids = node.state->instance_uuids;  // reports do not list instances
  }
  set_state(it->first, node, std::move(state));
  return sdk::Status::OK();
}

void HostStateCache::heartbeat(std::string_view host) {
  const Time t = now();
  std::unique_lock lock(mu_);
  mark_up(host, service_for(host), t);
}

void HostStateCache::set_disabled(std::string_view host, bool disabled) {
  std::unique_lock lock(mu_);
  service_for(host).disabled = disabled;
  for (auto it = nodes_.lower_bound(NodeView(host, "")); it != nodes_.end() && it->first.first == host; ++it) {
    if (it->second.state->service_disabled != disabled) {
      edit_node(it->first, it->second, [&](sdk::HostState& s) { s.service_disabled = disabled; });
    }
  }
}

sdk::Status HostStateCache::remove_node(std::string_view host, std::string_view nodename) {
  std::unique_lock lock(mu_);
  auto it = nodes_.find(NodeView(host, nodename));
  if (it == nodes_.end()) {
    return sdk::Status::NotFound("compute node " + std::string(host) + "/" + std::string(nodename) +
                                 " is not known to the scheduler");
  }
  Service* service = it->second.service;
  unindex(it->first, it->second);
  nodes_.erase(it);
  if (--service->nodes == 0 && !service->disabled) services_.erase(services_.find(host));
  return sdk::Status::OK();
}

sdk::Status HostStateCache::set_instances(std::string_view host, std::set<std::string> instance_uuids) {
  std::unique_lock lock(mu_);
  bool found = false;
  for (auto it = nodes_.lower_bound(NodeView(host, "")); it != nodes_.end() && it->first.first == host; ++it) {
    found = true;
    edit_node(it->first, it->second, [&](sdk::HostState& s) { s.instance_uuids = instance_uuids; });
  }
  if (!found) return sdk::Status::NotFound("host " + std::string(host) + " has no compute node known to the scheduler");
  // What the host lists is now the truth; earlier placements there are no longer ours to undo.
  std::erase_if(placements_, [&](const auto& entry) {
    return entry.second.node.first == host && instance_uuids.count(entry.first) == 0;
  });
  return sdk::Status::OK();
}

sdk::Status HostStateCache::consume_from_request(std::string_view host, std::string_view nodename,
                                                 const sdk::Flavor& flavor, std::string_view instance_uuid) {
  std::unique_lock lock(mu_);
  auto it = nodes_.find(NodeView(host, nodename));
  if (it == nodes_.end()) {
    return sdk::Status::NotFound("compute node " + std::string(host) + "/" + std::string(nodename) +
                                 " is not known to the scheduler");
  }
  if (!instance_uuid.empty()) {
    if (auto old = placements_.find(instance_uuid); old != placements_.end()) {
      give_back(old->first, old->second);
      placements_.erase(old);
    }
  }
  const std::int64_t disk_mb = disk_mb_of(flavor);
  edit_node(it->first, it->second, [&](sdk::HostState& s) {
    s.free_ram_mb -= flavor.memory_mb;
    s.free_disk_mb -= disk_mb;
    s.vcpus_used += flavor.vcpus;
    s.num_instances += 1;
    s.num_io_ops += 1;  // a build is an I/O-heavy operation, as Nova counts it
    if (!instance_uuid.empty()) s.instance_uuids.emplace(instance_uuid);
  });
  if (!instance_uuid.empty()) {
    placements_.emplace(std::string(instance_uuid), Placement{it->first, flavor.memory_mb, disk_mb, flavor.vcpus});
  }
  return sdk::Status::OK();
}

void HostStateCache::give_back(const std::string& instance_uuid, const Placement& p) {
  auto it = nodes_.find(p.node);
  if (it == nodes_.end()) return;
  edit_node(it->first, it->second, [&](sdk::HostState& s) {
    s.free_ram_mb += p.memory_mb;
    s.free_disk_mb += p.disk_mb;
    s.vcpus_used = std::max(0, s.vcpus_used - p.vcpus);
    s.num_instances = std::max(0, s.num_instances - 1);
    s.num_io_ops = std::max(0, s.num_io_ops - 1);
    s.instance_uuids.erase(instance_uuid);
  });
}

bool HostStateCache::release_instance(std::string_view instance_uuid) {
  std::unique_lock lock(mu_);
  if (auto p = placements_.find(instance_uuid); p != placements_.end()) {
    give_back(p->first, p->second);
    placements_.erase(p);
    return true;
  }
  // Listed by set_instances rather than placed by us: drop it from the list;
  // the resources come back with the host's next report.
  const std::string uuid(instance_uuid);
  bool found = false;
  for (auto& [key, node] : nodes_) {
    if (node.state->instance_uuids.count(uuid) != 0) {
      edit_node(key, node, [&](sdk::HostState& s) { s.instance_uuids.erase(uuid); });
      found = true;
    }
  }
  return found;
}

void HostStateCache::refresh_liveness(Time t) const {
  Time until = Time::max();
  for (auto& [key, node] : nodes_) {
    const bool up = is_up(*node.service, t);
    const bool disabled = node.service->disabled;
    if (up) until = std::min(until, node.service->last_seen + service_down_time_);
    if (node.state->service_up != up || node.state->service_disabled != disabled) {
      edit_node(key, node, [&](sdk::HostState& s) {
        s.service_up = up;
        s.service_disabled = disabled;
      });
    }
  }
  liveness_until_ = until;
}

HostSnapshot HostStateCache::snapshot() const {
  const Time t = now();
  auto fill = [this] {
    HostSnapshot snap;
    snap.owners_.reserve(nodes_.size());
    snap.views_.reserve(nodes_.size());
    for (const auto& [key, node] : nodes_) {
      snap.owners_.push_back(node.state);
      snap.views_.push_back(node.state.get());
    }
    return snap;
  };
  {
    std::shared_lock lock(mu_);
    if (liveness_current(t)) return fill();
  }
  // A host may have gone silent since the last pass: fold that into the
  // stored states once, so later snapshots are plain pointer copies again.
  std::unique_lock lock(mu_);
  refresh_liveness(t);
  return fill();
}

HostStateCache::RankedView HostStateCache::ranked_view() const {
  const Time t = now();
  {
    std::shared_lock lock(mu_);
    if (liveness_current(t)) return RankedView(this, std::move(lock));
  }
  {
    std::unique_lock lock(mu_);
    if (!liveness_current(t)) refresh_liveness(t);
  }
  // Another writer may come in between; a liveness change it makes is a
  // state it sets under the lock, so the view is consistent either way.
  return RankedView(this, std::shared_lock(mu_));
}

std::optional<sdk::HostState> HostStateCache::get(std::string_view host, std::string_view nodename) const {
  const Time t = now();
  std::shared_lock lock(mu_);
  auto it = nodes_.find(NodeView(host, nodename));
  if (it == nodes_.end()) return std::nullopt;
  sdk::HostState copy = *it->second.state;
  copy.service_up = is_up(*it->second.service, t);
  copy.service_disabled = it->second.service->disabled;
  return copy;
}

std::size_t HostStateCache::node_count() const {
  std::shared_lock lock(mu_);
  return nodes_.size();
}

}  // namespace stratus::core::scheduler
