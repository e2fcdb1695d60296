// HostStateCache: the scheduler's in-memory view of every compute node.
//
// Nova's scheduler spent most of its time reloading host state from the
// database for every request; this cache is updated instead, by each compute
// node's resource report, by service heartbeats and by the scheduler's own
// placements, and read by every request without touching a database.
//
// Each node's state is an immutable sdk::HostState behind a shared_ptr. A
// change builds a new HostState for that one node and swaps the pointer
// (copy-on-write), so a snapshot for a request is a vector of pointers, taken
// under a shared lock, and no strings are copied per request. A snapshot keeps
// the states it holds alive however the cache changes meanwhile; it is a
// consistent view as of the moment it was taken.
//
// Rank indexes (set_rank_keys): the nodes ordered by each host-only
// weigher's raw value, kept current on every change, so that a request can
// walk hosts best-first (best_first.h) instead of copying and weighing all.
//
// Liveness: a host is up while its last report or heartbeat is at most
// `service_down_time` old, judged by the injected clock when a snapshot is
// taken. Liveness, the disabled flag and instance lists belong to the service
// (the host) and apply to each of its nodes.
//
// The view may lag the truth in both directions (a report can arrive before
// or after a placement it does or does not include); the Claimer is the
// authority, so a stale view costs a refused claim, never an overfilled node.
//
// Thread-safety: every method may be called from any thread; readers share a
// lock, writers take it exclusively. Nothing blocks beyond the lock.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stratus/sdk/driver_capabilities.h"
#include "stratus/sdk/flavor.h"
#include "stratus/sdk/host_resources.h"
#include "stratus/sdk/host_state.h"
#include "stratus/sdk/status.h"

namespace stratus::core::scheduler {

struct AllocationRatios {
  double cpu = 1.0;
  double ram = 1.0;
  double disk = 1.0;
};

// Everything one compute node report carries, applied at once.
struct NodeReport {
  std::string host;      // the compute service's host name
  std::string nodename;  // the hypervisor node; empty: resources.hypervisor_hostname, else host
  sdk::HostResources resources;
  AllocationRatios allocation_ratios;
  std::string availability_zone = "nova";
  std::vector<sdk::Aggregate> aggregates;
  sdk::DriverCapabilities capabilities;
};

// A consistent, immutable view of the nodes for one request, ordered by host
// then node name. Cheap to take and to move; copying shares the states.
class HostSnapshot {
 public:
  HostSnapshot() = default;

  // The nodes, for SchedulerFilter::filter_all. Valid while this snapshot lives.
  const std::vector<const sdk::HostState*>& hosts() const { return views_; }
  std::size_t size() const { return views_.size(); }
  bool empty() const { return views_.empty(); }

 private:
  friend class HostStateCache;
  std::vector<std::shared_ptr<const sdk::HostState>> owners_;
  std::vector<const sdk::HostState*> views_;
};

// One entry of a rank index (HostStateCache::set_rank_keys): a node's raw
// value for one key, and where its current state is. `state` points into the
// cache and is valid only under the lock of the RankedView it came from.
struct RankEntry {
  double raw = 0.0;  // a non-finite value is stored as -infinity
  const std::pair<std::string, std::string>* key = nullptr;  // (host, node)
  const std::shared_ptr<const sdk::HostState>* state = nullptr;
};

// Highest raw first; equal raws in host then node order (the snapshot's order).
struct RankEntryOrder {
  bool operator()(const RankEntry& a, const RankEntry& b) const {
    if (a.raw != b.raw) return a.raw > b.raw;
    return *a.key < *b.key;
  }
};

using RankIndex = std::set<RankEntry, RankEntryOrder>;

class HostStateCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // A raw value computed from a node's state alone (a host-only weigher's).
  using RankKey = std::function<double(const sdk::HostState&)>;

  // A read-locked view of the nodes and their rank indexes for one request's
  // best-first walk (best_first.h), liveness folded in as of its creation.
  // Holds the cache's shared lock: keep it short-lived, never across a claim.
  class RankedView {
   public:
    // The names given to set_rank_keys, in order.
    const std::vector<std::string>& key_names() const { return cache_->rank_names_; }
    // Index i: every node by its raw value of key i, highest first.
    const RankIndex& index(std::size_t i) const { return cache_->rank_indexes_[i]; }
    // False while some node has a non-finite raw value (the walk cannot bound it).
    bool finite() const { return cache_->non_finite_ranks_ == 0; }
    std::size_t size() const { return cache_->nodes_.size(); }
    // Calls `f(state)` for each node in host then node order until it returns false.
    template <typename F>
    void for_each_in_order(F&& f) const {
      for (const auto& entry : cache_->nodes_) {
        if (!f(entry.second.state)) return;
      }
    }

   private:
    friend class HostStateCache;
    RankedView(const HostStateCache* cache, std::shared_lock<std::shared_mutex> lock)
        : cache_(cache), lock_(std::move(lock)) {}
    const HostStateCache* cache_;
    std::shared_lock<std::shared_mutex> lock_;
  };

  // `clock` defaults to std::chrono::steady_clock::now; tests pass their own.
  explicit HostStateCache(std::chrono::seconds service_down_time = std::chrono::seconds(60), Clock clock = {});
  HostStateCache(const HostStateCache&) = delete;
  HostStateCache& operator=(const HostStateCache&) = delete;

  // Replaces the node's inventory, usage, ratios, zone, aggregates and
  // capabilities with the report's (Nova's _update_from_compute_node), and
  // counts as a heartbeat of its host. Creates the node on its first report.
  // Keeps the node's instance list and the host's disabled flag. Usage comes
  // from the report alone: placements made since are the report's business.
  // kInvalidArgument (and no change) when the report names no host.
  sdk::Status update_from_report(const NodeReport& report);

  // The aggregates of every host (os-aggregates, read from the database by
  // the scheduler service), replacing the previous map: each host's nodes get
  // its aggregates and the zone their "availability_zone" metadata names
  // ("nova" without one); a host missing from the map is in none. Nodes that
  // change are copied; the others are left alone. Later reports keep these.
  void set_host_aggregates(std::map<std::string, std::vector<sdk::Aggregate>, std::less<>> by_host);

  // A service heartbeat without a resource report.
  void heartbeat(std::string_view host);

  // The operator's `openstack compute service set --disable`. A host not yet
  // known is remembered, so its first report arrives disabled.
  void set_disabled(std::string_view host, bool disabled);

  // Forgets a node (its compute node record was deleted); the host's service
  // record stays while it has other nodes. kNotFound if unknown.
  sdk::Status remove_node(std::string_view host, std::string_view nodename);

  // Replaces the instances on a host's nodes with `instance_uuids` (Nova's
  // sync_instance_info), e.g. when the scheduler starts from the database.
  // Usage is not touched; it comes from reports. kNotFound if the host is unknown.
  sdk::Status set_instances(std::string_view host, std::set<std::string> instance_uuids);

  // Nova's HostState.consume_from_request: right after a placement is
  // claimed, takes the flavor's RAM, disk (root + ephemeral in GB, swap in MB)
  // and vCPUs from the node and adds one instance, so that the next request,
  // or the next instance of the same request, sees the node fuller. With an
  // instance uuid, also lists it on the node and remembers what it took, for
  // release_instance(); an instance recorded elsewhere is released there
  // first. kNotFound if the node is unknown (nothing changes).
  sdk::Status consume_from_request(std::string_view host, std::string_view nodename, const sdk::Flavor& flavor,
                                   std::string_view instance_uuid = {});

  // Undoes consume_from_request for an instance: gives its resources back and
  // drops it from its node's list (a claim was released, a build failed, the
  // instance was deleted). Returns whether the instance was known. Until the
  // node's next report the view may then look freer than the node is; a
  // refused claim corrects that, never an overfill.
  bool release_instance(std::string_view instance_uuid);

  // A view of every node for one request, with liveness as of now.
  HostSnapshot snapshot() const;

  // Keeps one index per key over every node, ordered by the key's raw value
  // and kept current as nodes change (O(log n) per change), so that a
  // request can walk the nodes best-first instead of weighing all of them.
  // Replaces earlier keys; an empty list drops the indexes.
  void set_rank_keys(std::vector<std::string> names, std::vector<RankKey> keys);

  // The nodes with their rank indexes, liveness as of now, under the shared lock.
  RankedView ranked_view() const;

  // One node's state (a copy, for inspection and tests), liveness as of now.
  std::optional<sdk::HostState> get(std::string_view host, std::string_view nodename) const;

  std::size_t node_count() const;

 private:
  using NodeKey = std::pair<std::string, std::string>;
  // Orders NodeKeys and finds them by (string_view, string_view) without copies.
  struct NodeKeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, std::string_view>(a.first, a.second) <
             std::pair<std::string_view, std::string_view>(b.first, b.second);
    }
  };
  using Time = std::chrono::steady_clock::time_point;

  struct Service {
    Time last_seen{};
    bool has_been_seen = false;
    bool disabled = false;
    std::size_t nodes = 0;
  };
  struct Node {
    std::shared_ptr<const sdk::HostState> state;
    Service* service = nullptr;  // into services_; std::map nodes never move
    std::vector<double> ranks;   // the node's raw value of each rank key, as indexed
  };
  struct Placement {
    NodeKey node;
    std::int64_t memory_mb = 0;
    std::int64_t disk_mb = 0;
    std::int32_t vcpus = 0;
  };

  Time now() const;
  bool is_up(const Service& service, Time now) const;
  Service& service_for(std::string_view host);  // requires mu_ held exclusively
  // Swaps in a copy of `node`'s state changed by `edit`. Requires mu_ exclusively.
  template <typename Edit>
  void edit_node(const NodeKey& key, Node& node, Edit&& edit) const;
  // Sets `node`'s state and re-indexes it. Requires mu_ exclusively.
  void set_state(const NodeKey& key, Node& node, std::shared_ptr<const sdk::HostState> state) const;
  void unindex(const NodeKey& key, Node& node) const;  // requires mu_ exclusively
  // Brings every node's service_up/service_disabled in line with its service
  // and recomputes liveness_until_; requires mu_ exclusively.
  void refresh_liveness(Time now) const;
  // True when no node's liveness can have changed by `now`; requires mu_.
  bool liveness_current(Time now) const { return now <= liveness_until_; }
  // A host was heard from at `t`: its nodes are up now. Requires mu_ exclusively.
  void mark_up(std::string_view host, Service& service, Time t);
  void give_back(const std::string& instance_uuid, const Placement& placement);  // requires mu_ exclusively

  const std::chrono::seconds service_down_time_;
  const Clock clock_;

  mutable std::shared_mutex mu_;
  std::map<std::string, Service, std::less<>> services_;   // GUARDED_BY(mu_); by host
  // Mutable only so that snapshot() may fold a liveness change into the
  // stored states once, instead of copying them on every later snapshot.
  mutable std::map<NodeKey, Node, NodeKeyLess> nodes_;     // GUARDED_BY(mu_)
  std::map<std::string, Placement, std::less<>> placements_;  // GUARDED_BY(mu_); by instance uuid
  // Set by set_host_aggregates: then authoritative over reports' aggregates and zones.
  std::optional<std::map<std::string, std::vector<sdk::Aggregate>, std::less<>>> host_aggregates_;  // GUARDED_BY(mu_)
  // Until when every node's service_up is known to be right: the earliest
  // time an up service can fall silent (a heartbeat only moves that later,
  // so an older value is merely early). Mutable for the same reason as nodes_.
  mutable Time liveness_until_ = Time::min();  // GUARDED_BY(mu_)
  // The rank indexes (set_rank_keys); mutable as nodes_ is.
  std::vector<std::string> rank_names_;          // GUARDED_BY(mu_)
  std::vector<RankKey> rank_keys_;               // GUARDED_BY(mu_)
  mutable std::vector<RankIndex> rank_indexes_;  // GUARDED_BY(mu_)
  mutable std::size_t non_finite_ranks_ = 0;     // GUARDED_BY(mu_)
};

}  // namespace stratus::core::scheduler
