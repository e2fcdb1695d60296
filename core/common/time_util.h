// Timestamps as Nova stores and prints them: UTC, ISO 8601.
//
// The database keeps "2026-11-26T04:18:15.421318" (microseconds, no zone; all
// times are UTC). That text sorts in time order, so changes-since and sorting
// compare strings. The API prints "created"/"updated" with to_api_seconds
// ("2026-11-26T04:18:15Z") and launched_at / action times as stored, as Nova does.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "stratus/sdk/result.h"

namespace stratus::core::common {

// Now, "YYYY-MM-DDTHH:MM:SS.ffffff".
std::string utc_now();

// Now plus `seconds` (may be negative), in the same form (token expiry).
std::string utc_from_now(std::int64_t seconds);

// `t` in the stored form (the stuck-instance sweep's cut-offs, from a clock
// tests can set).
std::string utc_at(std::chrono::system_clock::time_point t);

// "2026-11-26T04:18:15.421318" -> "2026-11-26T04:18:15Z".
std::string to_api_seconds(std::string_view stored);

// Parses a user-given ISO 8601 time ("2026-11-26T04:18:15Z", "...+02:00",
// "2026-11-26 04:18:15.5", "2026-11-26") into the stored form, in UTC.
// kInvalidArgument naming the text when it is not a time.
sdk::Result<std::string> parse_timestamp(std::string_view text);

}  // namespace stratus::core::common
