#include "core/db/periodic_lease.h"

#include <unistd.h>

#include <utility>

#include <spdlog/spdlog.h>

#include "core/db/periodic_lease_repository.h"

namespace stratus::core::db {

PeriodicLease::PeriodicLease(Database& db, std::string name, std::string holder, std::chrono::milliseconds ttl)
    : db_(db), name_(std::move(name)), holder_(std::move(holder)), ttl_(ttl) {}

bool PeriodicLease::hold(const std::string& request_id, std::chrono::system_clock::time_point now) {
  const auto started = std::chrono::steady_clock::now();
  auto attempt = PeriodicLeaseRepository(db_).try_hold(name_, holder_, ttl_, now);
  if (!attempt.ok()) {
    if (held_) {
      spdlog::warn("[{}] periodic lease '{}': lost by {}: cannot renew it: {}", request_id, name_, holder_,
                   attempt.status().message());
    } else if (!failing_) {
      spdlog::warn("[{}] periodic lease '{}': cannot take it: {}", request_id, name_, attempt.status().message());
    }
    failing_ = true;
    held_ = false;
    return false;
  }
  failing_ = false;
  const PeriodicLeaseRecord& now_row = attempt->current;
  if (attempt->held && !held_) {
    const auto& before = attempt->before;
    spdlog::info("[{}] periodic lease '{}': taken by {} until {}{}", request_id, name_, holder_, now_row.expires_at,
                 !before || before->holder == holder_
                     ? std::string()
                     : " (from " + before->holder + ", whose lease expired at " + before->expires_at + ")");
  } else if (!attempt->held && held_) {
    spdlog::warn("[{}] periodic lease '{}': lost by {}: {} holds it until {}", request_id, name_, holder_,
                 now_row.holder, now_row.expires_at);
  }
  held_ = attempt->held;
  if (held_) valid_until_ = started + ttl_;
  return held_;
}

bool PeriodicLease::keep(const std::string& request_id) {
  if (!held_) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now < valid_until_ - ttl_ / 2) return true;
  return hold(request_id);
}

void PeriodicLease::release(const std::string& request_id) {
  if (!held_) return;
  held_ = false;
  if (auto s = PeriodicLeaseRepository(db_).release(name_, holder_); !s.ok()) {
    spdlog::warn("[{}] periodic lease '{}': not released by {} (it expires on its own): {}", request_id, name_,
                 holder_, s.message());
    return;
  }
  spdlog::info("[{}] periodic lease '{}': released by {}", request_id, name_, holder_);
}

std::string lease_holder_name(const std::string& host) {
  return host + ":" + std::to_string(static_cast<long long>(::getpid()));
}

}  // namespace stratus::core::db
