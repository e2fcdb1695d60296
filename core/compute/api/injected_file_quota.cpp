#include "core/compute/api/injected_file_quota.h"

namespace stratus::core::compute {

namespace {

std::int64_t limit(const std::map<std::string, std::int64_t>& limits, const char* name) {
  auto it = limits.find(name);
  return it == limits.end() ? -1 : it->second;
}

sdk::Status over(const std::string& message) {
  return sdk::Status(sdk::StatusCode::kConflict, message, sdk::StatusReason::kQuotaExceeded);
}

}  // namespace

sdk::Status check_injected_file_quota(const std::map<std::string, std::int64_t>& limits,
                                      const rpcapi::GuestInjection& injection) {
  const std::int64_t files = limit(limits, "injected_files");
  const std::int64_t path_bytes = limit(limits, "injected_file_path_bytes");
  const std::int64_t content_bytes = limit(limits, "injected_file_content_bytes");
  if (files >= 0 && static_cast<std::int64_t>(injection.files.size()) > files) {
    return over("Personality file limit exceeded");
  }
  for (const auto& [path, contents] : injection.files) {
    if (path_bytes >= 0 && static_cast<std::int64_t>(path.size()) > path_bytes) {
      return over("Personality file path exceeds maximum " + std::to_string(path_bytes));
    }
    if (content_bytes >= 0 && static_cast<std::int64_t>(contents.size()) > content_bytes) {
      return over("Personality file content exceeds maximum " + std::to_string(content_bytes));
    }
  }
  return sdk::Status::OK();
}

}  // namespace stratus::core::compute
