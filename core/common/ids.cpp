#include "core/common/ids.h"

#include <cctype>
#include <cstdio>
#include <random>

namespace stratus::core::common {

namespace {
std::mt19937_64& rng() {
  thread_local std::mt19937_64 engine{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }()};
  return engine;
}
}  // namespace

std::string random_uuid() {
  std::uint64_t hi = rng()(), lo = rng()();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                          // version 4
  lo = (lo & ~(0xC0ULL << 56)) | (0x80ULL << 56);              // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

std::string random_mac() {
  std::uint64_t r = rng()();
  char buf[18];
  std::snprintf(buf, sizeof buf, "fa:16:3e:%02x:%02x:%02x", static_cast<unsigned>(r & 0xFF),
                static_cast<unsigned>((r >> 8) & 0xFF), static_cast<unsigned>((r >> 16) & 0xFF));
  return buf;
}

std::string instance_name(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "instance-%08llx", static_cast<unsigned long long>(id));
  return buf;
}

bool is_uuid(std::string_view id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

}  // namespace stratus::core::common
