// "aggregate_instance_extra_specs": Nova's AggregateInstanceExtraSpecsFilter.
//
// The host's aggregates give each metadata key a set of values: every
// aggregate's value for the key, split on commas and trimmed. Each relevant
// flavor extra spec must match one of them.
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "no_config.h"
#include "stratus/plugins/filters/extra_specs_ops.h"

namespace stratus::plugins::filters {
namespace {

constexpr std::string_view kScope = "aggregate_instance_extra_specs";

std::string_view trim(std::string_view s) {
  const char* blanks = " \t\n\r\f\v";
  const std::size_t first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

// (aggregate key, requirement) for each flavor extra spec this filter checks.
using Requirements = std::vector<std::pair<std::string_view, std::string_view>>;

Requirements requirements_of(const sdk::Flavor& flavor) {
  Requirements out;
  for (const auto& [key, requirement] : flavor.extra_specs) {
    std::string_view k = key;
    const std::size_t colon = k.find(':');
    if (colon != std::string_view::npos) {
      if (k.substr(0, colon) != kScope) continue;  // another filter's scope
      k.remove_prefix(colon + 1);
    }
    out.emplace_back(k, requirement);
  }
  return out;
}

bool host_matches(const sdk::HostState& host, const Requirements& requirements) {
  if (requirements.empty()) return true;
  std::map<std::string_view, std::set<std::string_view>> metadata;
  for (const sdk::Aggregate& aggregate : host.aggregates) {
    for (const auto& [key, value] : aggregate.metadata) {
      std::set<std::string_view>& values = metadata[key];
      std::string_view rest = value;
      for (;;) {
        const std::size_t comma = rest.find(',');
        values.insert(trim(rest.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
  }
  for (const auto& [key, requirement] : requirements) {
    auto it = metadata.find(key);
    if (it == metadata.end()) return false;
    bool matched = false;
    for (std::string_view value : it->second) {
      if (extra_specs_match(value, requirement)) {
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  return true;
}

class AggregateInstanceExtraSpecsFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& spec) const override {
    return host_matches(host, requirements_of(spec.flavor));
  }

  // Sorts out the flavor's scopes once for all hosts.
  std::vector<const sdk::HostState*> filter_all(const std::vector<const sdk::HostState*>& hosts,
                                                const sdk::RequestSpec& spec) const override {
    const Requirements requirements = requirements_of(spec.flavor);
    std::vector<const sdk::HostState*> out;
    out.reserve(hosts.size());
    for (const sdk::HostState* h : hosts) {
      if (h != nullptr && host_matches(*h, requirements)) out.push_back(h);
    }
    return out;
  }
};

}  // namespace

FilterResult make_aggregate_instance_extra_specs_filter(const sdk::PluginConfig& config) {
  return detail::make_without_config<AggregateInstanceExtraSpecsFilter>(config);
}

}  // namespace stratus::plugins::filters
