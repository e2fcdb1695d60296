#include "core/network/api/quota_check.h"

#include "core/network/api/neutron_error.h"

namespace stratus::core::api::network {

std::optional<sdk::Result<ApiResponse>> refuse_over_quota(db::Scope db, const std::string& project_id,
                                                          const std::string& resource) {
  auto st = db::NetworkQuotaRepository(db).check(project_id, resource);
  if (st.ok()) return std::nullopt;
  if (st.has_reason(sdk::StatusReason::kQuotaExceeded)) {
    return sdk::Result<ApiResponse>(neutron_error(409, "OverQuota", st.message()));
  }
  return sdk::Result<ApiResponse>(st);
}

}  // namespace stratus::core::api::network
