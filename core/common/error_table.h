// ErrorTable: the one place a failed sdk::Status (its code and its reason)
// becomes an HTTP status and an RPC remote error type, and a remote error
// type becomes a Status again.
//
// A row is keyed by code alone (reason kNone) or by reason: a status with a
// reason takes its reason's row whatever its code, so "Quota exceeded" is a
// 403 to a client and a "QuotaExceeded" remote error on the wire. Each
// service shapes only its error body (Nova, Neutron, Keystone, Glance) around
// the number this table gives. Pure functions over constant data: thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "stratus/sdk/status.h"

namespace stratus::core::common {

struct ErrorRow {
  sdk::StatusCode code;      // the code a status of this row has (kOk for none)
  sdk::StatusReason reason;  // kNone: a row for the code alone
  int http_status;           // what a REST client is answered
  std::string_view remote_type;  // the RPC remote error's type ("NotFound", "QuotaExceeded")
};

// Every row, codes first then reasons; for tests and docs.
std::span<const ErrorRow> error_table() noexcept;

// The row a status is answered by: its reason's row if it has one, else its
// code's. Never fails (an unknown value takes kInternal's row).
const ErrorRow& error_row_for(const sdk::Status& status) noexcept;

// The HTTP status a Status is answered with (200 for OK).
int http_status_for(const sdk::Status& status) noexcept;

// The RPC remote error type for a failed status.
std::string_view remote_type_for(const sdk::Status& status) noexcept;

// The row of a remote error type, if the table has one.
std::optional<ErrorRow> error_row_for_remote_type(std::string_view remote_type) noexcept;

}  // namespace stratus::core::common
