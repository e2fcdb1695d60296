// AcceptedBuilds: the builds (instance, attempt) a compute process has
// accepted, so that one build_and_run_instance delivered twice runs once.
// A conductor's stuck sweep casts a placed build again when the conductor
// that placed it is gone (issue #14), and that conductor may have sent its
// cast after all: both carry the attempt number the conductor recorded,
// while a real new attempt (a reschedule) carries the next one. The database
// guards of the build steps cannot tell the two deliveries apart in every
// case (after a failed attempt the instance is back in "scheduling" on this
// host until the conductor moves it), hence this record.
//
// Bounded: the oldest pairs are forgotten beyond `capacity` (a duplicate
// comes within minutes, thousands of builds apart at most). In memory: a
// restarted compute hands its lost builds back to the conductor anyway.
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace stratus::core::compute {

class AcceptedBuilds {
 public:
  explicit AcceptedBuilds(std::size_t capacity = 8192) : capacity_(capacity == 0 ? 1 : capacity) {}

  // True, and remembered, the first time (uuid, attempt) is seen; false for
  // a repeat.
  bool accept(const std::string& uuid, std::int32_t attempt) {
    std::lock_guard lock(mu_);
    auto key = std::make_pair(uuid, attempt);
    if (!seen_.insert(key).second) return false;
    order_.push_back(std::move(key));
    if (order_.size() > capacity_) {
      seen_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }

 private:
  const std::size_t capacity_;
  std::mutex mu_;
  std::set<std::pair<std::string, std::int32_t>> seen_;    // GUARDED_BY(mu_)
  std::deque<std::pair<std::string, std::int32_t>> order_;  // GUARDED_BY(mu_): oldest first
};

}  // namespace stratus::core::compute
