// "aggregate_multitenancy_isolation": Nova's AggregateMultiTenancyIsolation.
//
// A host whose aggregates carry "filter_tenant_id" metadata (or keys starting
// with it, "filter_tenant_id2", ...) takes only instances of the projects
// those values list (comma-separated, trimmed); other hosts take any project.
#include <set>
#include <string>
#include <string_view>

#include "no_config.h"

namespace stratus::plugins::filters {
namespace {

constexpr std::string_view kKeyPrefix = "filter_tenant_id";

std::string_view trim(std::string_view s) {
  const char* blanks = " \t\n\r\f\v";
  const std::size_t first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

class AggregateMultiTenancyIsolationFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& spec) const override {
    std::set<std::string_view> allowed;
    for (const sdk::Aggregate& aggregate : host.aggregates) {
      for (const auto& [key, value] : aggregate.metadata) {
        if (std::string_view(key).substr(0, kKeyPrefix.size()) != kKeyPrefix) continue;
        std::string_view rest = value;
        for (;;) {
          const std::size_t comma = rest.find(',');
          allowed.insert(trim(rest.substr(0, comma)));
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
      }
    }
    return allowed.empty() || allowed.count(spec.project_id) > 0;
  }
};

}  // namespace

FilterResult make_aggregate_multitenancy_isolation_filter(const sdk::PluginConfig& config) {
  return detail::make_without_config<AggregateMultiTenancyIsolationFilter>(config);
}

}  // namespace stratus::plugins::filters
