#include "core/db/service_liveness.h"

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

namespace stratus::core::db {

namespace {

// "2026-11-26T04:18:15.421318" (the stored form, UTC) as a time point.
std::optional<std::chrono::system_clock::time_point> parse_stored(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                  &consumed) != 6) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = ::timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  std::int64_t micros = 0;
  if (static_cast<size_t>(consumed) < text.size() && text[static_cast<size_t>(consumed)] == '.') {
    int digits = 0;
    for (size_t i = static_cast<size_t>(consumed) + 1; i < text.size() && digits < 6; ++i, ++digits) {
      if (text[i] < '0' || text[i] > '9') break;
      micros = micros * 10 + (text[i] - '0');
    }
    for (; digits < 6; ++digits) micros *= 10;
  }
  return std::chrono::system_clock::from_time_t(t) + std::chrono::microseconds(micros);
}

}  // namespace

bool service_is_up(const ServiceRecord& service, std::chrono::seconds service_down_time,
                   std::chrono::system_clock::time_point now) {
  if (service.forced_down) return false;
  auto last = parse_stored(service.last_seen_up.value_or(service.created_at));
  if (!last) return false;
  const auto elapsed = now > *last ? now - *last : *last - now;
  return elapsed <= service_down_time;
}

}  // namespace stratus::core::db
