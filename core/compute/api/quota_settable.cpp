#include "core/compute/api/quota_settable.h"

#include <algorithm>

namespace stratus::core::api {

namespace {

std::int64_t value_of(const QuotaLimits& m, const std::string& resource) {
  auto it = m.find(resource);
  return it == m.end() ? 0 : it->second;
}

bool unlimited(std::int64_t v) { return v < 0; }

}  // namespace

std::map<std::string, SettableRange> project_settable_ranges(const QuotaLimits& project_limits,
                                                             const QuotaLimits& usage,
                                                             const QuotaLimits& users_total) {
  std::map<std::string, SettableRange> out;
  for (const auto& [resource, limit] : project_limits) {
    std::int64_t minimum = value_of(usage, resource);
    // Nova: max(limit - remains, in_use), and limit - remains is unlimited
    // (so ignored) while the project's limit is.
    if (!unlimited(limit)) minimum = std::max(minimum, value_of(users_total, resource));
    out[resource] = {minimum, -1};
  }
  return out;
}

std::map<std::string, SettableRange> user_settable_ranges(const QuotaLimits& project_limits,
                                                          const QuotaLimits& users_total,
                                                          const QuotaLimits& user_own,
                                                          const QuotaLimits& user_usage) {
  std::map<std::string, SettableRange> out;
  for (const auto& [resource, limit] : project_limits) {
    std::int64_t maximum = -1;
    auto own = user_own.find(resource);
    const bool own_unlimited = own != user_own.end() && unlimited(own->second);
    if (!unlimited(limit) && !own_unlimited) {
      const std::int64_t remains = std::max<std::int64_t>(0, limit - value_of(users_total, resource));
      maximum = remains + (own == user_own.end() ? 0 : own->second);
    }
    out[resource] = {value_of(user_usage, resource), maximum};
  }
  return out;
}

sdk::Status check_settable(const std::string& resource, std::int64_t limit, const SettableRange& range) {
  // Nova's conv_inf: -1 compares as infinity on both sides.
  auto above = [](std::int64_t a, std::int64_t b) { return unlimited(b) ? false : (unlimited(a) || a > b); };
  if (above(range.minimum, limit)) {
    return sdk::Status::InvalidArgument("Quota limit " + std::to_string(limit) + " for " + resource +
                                        " must be greater than or equal to already used and reserved " +
                                        std::to_string(range.minimum) + ".");
  }
  if (above(limit, range.maximum)) {
    return sdk::Status::InvalidArgument("Quota limit " + std::to_string(limit) + " for " + resource +
                                        " must be less than or equal to " + std::to_string(range.maximum) + ".");
  }
  return sdk::Status::OK();
}

}  // namespace stratus::core::api
