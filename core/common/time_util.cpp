#include "core/common/time_util.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace stratus::core::common {

namespace {

std::string format(std::int64_t epoch_seconds, std::int64_t micros) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros));
  return buf;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::string utc_now() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  return format(micros / 1000000, micros % 1000000);
}

std::string utc_from_now(std::int64_t seconds) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count() + seconds * 1000000;
  return format(micros / 1000000, micros % 1000000);
}

std::string utc_at(std::chrono::system_clock::time_point t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  return format(micros / 1000000, micros % 1000000);
}

std::string to_api_seconds(std::string_view stored) {
  if (stored.size() < 19) return std::string(stored);
  return std::string(stored.substr(0, 19)) + "Z";
}

sdk::Result<std::string> parse_timestamp(std::string_view text) {
  auto bad = [&] {
    return sdk::Status::InvalidArgument("'" + std::string(text) + "' is not an ISO 8601 time");
  };
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, month) ||
      text[7] != '-' || !digits(text, 8, 2, day)) {
    return bad();
  }
  std::size_t pos = 10;
  std::int64_t micros = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    if (!digits(text, pos + 1, 2, hour) || text.size() < pos + 9 || text[pos + 3] != ':' ||
        !digits(text, pos + 4, 2, minute) || text[pos + 6] != ':' || !digits(text, pos + 7, 2, second)) {
      return bad();
    }
    pos += 9;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int n = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (n < 6) micros = micros * 10 + (text[pos] - '0');
        ++n;
        ++pos;
      }
      if (n == 0) return bad();
      for (; n < 6; ++n) micros *= 10;
    }
  }
  int offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] == 'Z' && pos + 1 == text.size()) {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      int oh, om;
      bool colon = pos + 3 < text.size() && text[pos + 3] == ':';
      if (!digits(text, pos + 1, 2, oh) || !digits(text, pos + (colon ? 4 : 3), 2, om) ||
          pos + (colon ? 6 : 5) != text.size()) {
        return bad();
      }
      offset_minutes = (text[pos] == '+' ? 1 : -1) * (oh * 60 + om);
      pos = text.size();
    } else {
      return bad();
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return bad();
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::int64_t epoch = timegm(&tm) - static_cast<std::int64_t>(offset_minutes) * 60;
  return format(epoch, micros);
}

}  // namespace stratus::core::common
