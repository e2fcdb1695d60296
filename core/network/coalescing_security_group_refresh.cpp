#include "core/network/coalescing_security_group_refresh.h"

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

namespace stratus::core::network {

CoalescingSecurityGroupRefresh::CoalescingSecurityGroupRefresh(SecurityGroupRefresh& inner,
                                                               std::chrono::milliseconds pause)
    : inner_(inner), pause_(pause) {}

CoalescingSecurityGroupRefresh::~CoalescingSecurityGroupRefresh() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CoalescingSecurityGroupRefresh::refresh(const std::string& request_id, const SecurityGroupChange& change) {
  if (change.empty()) return;
  {
    std::lock_guard lock(mu_);
    rules_changed_.insert(change.rules_changed.begin(), change.rules_changed.end());
    members_changed_.insert(change.members_changed.begin(), change.members_changed.end());
    instances_.insert(change.instances.begin(), change.instances.end());
    request_ids_.push_back(request_id);
    ++queued_;
    if (!thread_.joinable() && !stopping_) thread_ = std::thread([this] { run(); });
  }
  spdlog::debug("[{}] security group refresh queued", request_id);
  wake_.notify_one();
}

bool CoalescingSecurityGroupRefresh::flush(std::chrono::milliseconds limit) {
  std::unique_lock lock(mu_);
  const std::uint64_t target = queued_;
  return passed_.wait_for(lock, limit, [&] { return covered_ >= target; });
}

std::uint64_t CoalescingSecurityGroupRefresh::passes() const {
  std::lock_guard lock(mu_);
  return passes_;
}

void CoalescingSecurityGroupRefresh::run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !request_ids_.empty(); });
    if (request_ids_.empty()) return;  // stopping, nothing left
    SecurityGroupChange change{{rules_changed_.begin(), rules_changed_.end()},
                               {members_changed_.begin(), members_changed_.end()},
                               {instances_.begin(), instances_.end()}};
    std::vector<std::string> ids = std::move(request_ids_);
    request_ids_.clear();
    rules_changed_.clear();
    members_changed_.clear();
    instances_.clear();
    const std::uint64_t upto = queued_;
    lock.unlock();
    if (ids.size() > 1) {
      spdlog::info("[{}] security group refresh: one pass for {} requests (the last {})", ids.front(), ids.size(),
                   ids.back());
    }
    try {
      inner_.refresh(ids.front(), change);
    } catch (const std::exception& e) {  // best effort: the next change refreshes again
      spdlog::error("[{}] security group refresh failed: {}", ids.front(), e.what());
    }
    lock.lock();
    covered_ = upto;
    ++passes_;
    passed_.notify_all();
    if (!stopping_) wake_.wait_for(lock, pause_, [&] { return stopping_; });
  }
}

}  // namespace stratus::core::network
