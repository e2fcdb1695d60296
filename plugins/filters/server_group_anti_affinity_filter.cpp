// "server_group_anti_affinity": Nova's ServerGroupAntiAffinityFilter with the
// max_server_per_host rule (microversion 2.64).
//
// How many members a host already runs is taken from two sources that can each
// lag: the group's `hosts` list (one entry per placed member, which the
// scheduler extends as it places a multi-create batch) and the host's own
// instance list intersected with the group's members (what Nova counts). The
// larger count wins, so a stale source can only make the filter stricter,
// never let a host take one member too many.
#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "no_config.h"

namespace stratus::plugins::filters {
namespace {

// What the filter needs from the request, computed once per request.
struct GroupView {
  std::string_view instance_uuid;
  std::unordered_set<std::string_view> members;
  std::unordered_map<std::string_view, std::int64_t> placed_per_host;
  std::int64_t max_server_per_host = 1;

  explicit GroupView(const sdk::RequestSpec& spec) : instance_uuid(spec.instance_uuid) {
    const sdk::InstanceGroup& group = *spec.instance_group;
    members.insert(group.members.begin(), group.members.end());
    for (const std::string& h : group.hosts) ++placed_per_host[h];
    // The API refuses a rule below 1; should one get here, use the strictest valid rule.
    max_server_per_host = std::max<std::int64_t>(1, group.max_server_per_host);
  }

  std::int64_t members_on(const sdk::HostState& host) const {
    std::int64_t from_instances = 0;
    if (host.instance_uuids.size() <= members.size()) {
      for (const std::string& uuid : host.instance_uuids) from_instances += members.count(uuid);
    } else {
      for (std::string_view uuid : members) from_instances += host.instance_uuids.count(std::string(uuid));
    }
    auto it = placed_per_host.find(host.host);
    const std::int64_t from_hosts = it == placed_per_host.end() ? 0 : it->second;
    return std::max(from_instances, from_hosts);
  }

  bool passes(const sdk::HostState& host) const {
    // A move (resize, migrate) may consider the host the instance is on.
    if (!instance_uuid.empty() && host.instance_uuids.count(std::string(instance_uuid)) != 0) return true;
    return members_on(host) < max_server_per_host;
  }
};

bool applies(const sdk::RequestSpec& spec) {
  return spec.instance_group.has_value() && spec.instance_group->policy == "anti-affinity";
}

class ServerGroupAntiAffinityFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& spec) const override {
    if (!applies(spec)) return true;
    return GroupView(spec).passes(host);
  }

  // Builds the member set and per-host counts once for all hosts.
  std::vector<const sdk::HostState*> filter_all(const std::vector<const sdk::HostState*>& hosts,
                                                const sdk::RequestSpec& spec) const override {
    std::vector<const sdk::HostState*> out;
    out.reserve(hosts.size());
    if (!applies(spec)) {
      for (const sdk::HostState* h : hosts) {
        if (h != nullptr) out.push_back(h);
      }
      return out;
    }
    const GroupView view(spec);
    for (const sdk::HostState* h : hosts) {
      if (h != nullptr && view.passes(*h)) out.push_back(h);
    }
    return out;
  }
};

}  // namespace

FilterResult make_server_group_anti_affinity_filter(const sdk::PluginConfig& config) {
  return detail::make_without_config<ServerGroupAntiAffinityFilter>(config);
}

}  // namespace stratus::plugins::filters
