#include "core/compute/api/port_quota.h"

#include "core/db/network_quota_repository.h"

namespace stratus::core::compute {

namespace {

sdk::Status port_limit(const std::string& message) {
  return sdk::Status(sdk::StatusCode::kConflict, message, sdk::StatusReason::kQuotaExceeded);
}

}  // namespace

sdk::Result<std::int32_t> count_within_port_quota(db::Scope db, const std::string& project_id,
                                                  std::int64_t ports_per_instance, std::int32_t min_count,
                                                  std::int32_t max_count) {
  if (ports_per_instance <= 0) return max_count;
  db::NetworkQuotaRepository quotas(db);
  auto limits = quotas.limits(project_id);
  if (!limits.ok()) return limits.status();
  const std::int64_t limit = limits->at("port");
  if (limit < 0) return max_count;
  auto used = quotas.usage(project_id);
  if (!used.ok()) return used.status();
  const std::int64_t defined = used->at("port");
  const std::int64_t free_ports = limit - defined;
  if (free_ports < 0) {
    return port_limit("The number of defined ports: " + std::to_string(defined) +
                      " is over the limit: " + std::to_string(limit));
  }
  if (free_ports >= ports_per_instance * max_count) return max_count;
  const std::int64_t fit = free_ports / ports_per_instance;
  if (fit < min_count) return port_limit("Maximum number of ports exceeded");
  return static_cast<std::int32_t>(fit);
}

sdk::Status check_port_quota(db::Scope db, const std::string& project_id, std::int64_t adding) {
  if (adding <= 0) return sdk::Status::OK();
  sdk::Status s = db::NetworkQuotaRepository(db).check(project_id, "port", adding);
  if (s.has_reason(sdk::StatusReason::kQuotaExceeded)) return port_limit("Maximum number of ports exceeded");
  return s;
}

}  // namespace stratus::core::compute
