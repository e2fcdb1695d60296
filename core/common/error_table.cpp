#include "core/common/error_table.h"

#include <array>

namespace stratus::core::common {

namespace {

using sdk::StatusCode;
using sdk::StatusReason;

constexpr std::array<ErrorRow, 13> kRows = {{
    {StatusCode::kOk, StatusReason::kNone, 200, ""},
    {StatusCode::kInvalidArgument, StatusReason::kNone, 400, "InvalidArgument"},
    {StatusCode::kNotFound, StatusReason::kNone, 404, "NotFound"},
    {StatusCode::kAlreadyExists, StatusReason::kNone, 409, "AlreadyExists"},
    {StatusCode::kInvalidState, StatusReason::kNone, 409, "InvalidState"},
    {StatusCode::kConflict, StatusReason::kNone, 409, "Conflict"},
    // Nova answers an operation its virt driver does not implement with 501.
    {StatusCode::kNotSupported, StatusReason::kNone, 501, "NotSupported"},
    {StatusCode::kUnavailable, StatusReason::kNone, 503, "Unavailable"},
    // Nova has no gateway timeout: a request that waited too long on a service
    // is that service being unavailable to the client.
    {StatusCode::kTimeout, StatusReason::kNone, 503, "Timeout"},
    {StatusCode::kInternal, StatusReason::kNone, 500, "Internal"},
    // Nova's OverQuota and PolicyNotAuthorized are both 403 Forbidden.
    {StatusCode::kConflict, StatusReason::kQuotaExceeded, 403, "QuotaExceeded"},
    {StatusCode::kConflict, StatusReason::kPolicyDenied, 403, "PolicyNotAuthorized"},
    // A request the scheduler could not place: Nova records the fault with 500.
    {StatusCode::kNotFound, StatusReason::kNoValidHost, 500, "NoValidHost"},
}};

constexpr std::size_t kInternalRow = 9;

}  // namespace

std::span<const ErrorRow> error_table() noexcept { return kRows; }

const ErrorRow& error_row_for(const sdk::Status& status) noexcept {
  if (status.reason() != StatusReason::kNone) {
    for (const auto& row : kRows) {
      if (row.reason == status.reason()) return row;
    }
  }
  for (const auto& row : kRows) {
    if (row.reason == StatusReason::kNone && row.code == status.code()) return row;
  }
  return kRows[kInternalRow];
}

int http_status_for(const sdk::Status& status) noexcept { return error_row_for(status).http_status; }

std::string_view remote_type_for(const sdk::Status& status) noexcept {
  if (status.ok()) return kRows[kInternalRow].remote_type;
  return error_row_for(status).remote_type;
}

std::optional<ErrorRow> error_row_for_remote_type(std::string_view remote_type) noexcept {
  if (remote_type.empty()) return std::nullopt;
  for (const auto& row : kRows) {
    if (row.remote_type == remote_type) return row;
  }
  return std::nullopt;
}

}  // namespace stratus::core::common
