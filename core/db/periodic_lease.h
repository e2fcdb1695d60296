// PeriodicLease: one process's side of a periodic task's lease
// (periodic_lease_repository.h). A periodic loop calls hold() before each
// run and runs only when it answers true; hold() takes the lease when it is
// free or expired, renews it when held, and logs one line each time this
// process takes the lease or loses it (to another holder, or to a database
// it cannot reach: then it counts as not held, so that a controller cut off
// from the database stops acting, and another takes over once the lease
// expires). release() gives it up on a clean stop.
//
// Thread-safety: one thread at a time (the periodic loop's). No method throws.
#pragma once

#include <chrono>
#include <string>

#include "core/db/database.h"

namespace stratus::core::db {

class PeriodicLease {
 public:
  // `db` is not owned and must outlive the lease. ttl > 0.
  PeriodicLease(Database& db, std::string name, std::string holder, std::chrono::milliseconds ttl);
  PeriodicLease(const PeriodicLease&) = delete;
  PeriodicLease& operator=(const PeriodicLease&) = delete;

  // Whether this process holds the lease until now + ttl (taken or renewed
  // just now). `request_id` leads the log line.
  bool hold(const std::string& request_id,
            std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
  // For a long run: whether the lease is still held, renewing it (hold())
  // once half its time since the last take or renewal has passed. A run
  // that gets false stops: its lease ran out (or went to another holder),
  // and so must its actions. Reckoned on this process's steady clock from
  // before the last successful hold(), so never later than the database's
  // expiry.
  bool keep(const std::string& request_id);
  // Gives the lease up if held (logged). Errors are logged; the lease then
  // simply expires.
  void release(const std::string& request_id);

  bool held() const noexcept { return held_; }
  const std::string& name() const noexcept { return name_; }
  const std::string& holder() const noexcept { return holder_; }
  std::chrono::milliseconds ttl() const noexcept { return ttl_; }

 private:
  Database& db_;
  const std::string name_;
  const std::string holder_;
  const std::chrono::milliseconds ttl_;
  bool held_ = false;
  std::chrono::steady_clock::time_point valid_until_{};  // while held_: the last hold()'s start + ttl
  bool failing_ = false;  // the last try was a database error (logged once until it succeeds)
};

// This process's name as a lease holder: "<host>:<pid>", so that a
// controller restarted under the same host name is a new holder and waits for
// its former self's lease to expire like anyone else.
std::string lease_holder_name(const std::string& host);

}  // namespace stratus::core::db
