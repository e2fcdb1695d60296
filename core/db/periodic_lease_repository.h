// PeriodicLeaseRepository: leases on the periodic tasks that must run on one
// controller at a time when several share a database (migration 18, table
// periodic_leases; docs/database.md, "Periodic task leases").
//
// A lease is one row: its name (the task), its holder (one process:
// "host:pid"), when that holder took it, when it last renewed it and when it
// expires. try_hold() takes a lease that is free or expired and renews one
// its caller holds, in one write transaction whose conditional upsert is the
// only write: of several holders trying at once exactly one gets it, on
// SQLite (one writer at a time) and on PostgreSQL (the upsert locks the row
// and re-checks its condition on the newest version). Times are the caller's
// clock: controllers sharing leases keep their clocks in step (NTP), far
// closer than a lease lasts.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct PeriodicLeaseRecord {
  std::string name;
  std::string holder;
  std::string acquired_at;  // when this holder took it (kept across renewals)
  std::string renewed_at;
  std::string expires_at;
};

// What one try_hold() found and did.
struct LeaseAttempt {
  bool held = false;                           // the caller holds the lease until current.expires_at
  PeriodicLeaseRecord current;                 // the row after the attempt (whoever holds it)
  std::optional<PeriodicLeaseRecord> before;   // the row before it; nullopt: there was none
};

class PeriodicLeaseRepository {
 public:
  explicit PeriodicLeaseRepository(Scope db) : db_(db) {}

  // Takes lease `name` for `holder` until now + ttl when nobody holds it or
  // its holder let it expire (expires_at <= now), or renews it when `holder`
  // holds it; otherwise changes nothing and reports the holder.
  // kInvalidArgument without a name or holder, or with ttl <= 0.
  sdk::Result<LeaseAttempt> try_hold(const std::string& name, const std::string& holder,
                                     std::chrono::milliseconds ttl, std::chrono::system_clock::time_point now);
  // Gives lease `name` up when `holder` holds it (a clean stop: another
  // controller takes it at its next try, not after the expiry). Not holding
  // it is not an error.
  sdk::Status release(const std::string& name, const std::string& holder);
  // The lease's row; nullopt when nobody ever took it (or it was released).
  sdk::Result<std::optional<PeriodicLeaseRecord>> get(const std::string& name);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
