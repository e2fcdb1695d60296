#include "core/db/periodic_lease_repository.h"

#include "core/common/time_util.h"

namespace stratus::core::db {

namespace {

constexpr const char* kSelect =
    "SELECT name, holder, acquired_at, renewed_at, expires_at FROM periodic_leases WHERE name = ?";

sdk::Result<std::optional<PeriodicLeaseRecord>> read_lease(Connection& c, const std::string& name) {
  auto st = c.prepare("read periodic lease " + name, kSelect);
  if (!st.ok()) return st.status();
  st->bind_all(name);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<PeriodicLeaseRecord>();
  return std::optional<PeriodicLeaseRecord>(
      PeriodicLeaseRecord{st->text(0), st->text(1), st->text(2), st->text(3), st->text(4)});
}

}  // namespace

sdk::Result<LeaseAttempt> PeriodicLeaseRepository::try_hold(const std::string& name, const std::string& holder,
                                                            std::chrono::milliseconds ttl,
                                                            std::chrono::system_clock::time_point now) {
  if (name.empty() || holder.empty()) return sdk::Status::InvalidArgument("a periodic lease needs a name and a holder");
  if (ttl.count() <= 0) return sdk::Status::InvalidArgument("periodic lease " + name + ": its time must be positive");
  const std::string now_text = common::utc_at(now);
  const std::string until = common::utc_at(now + ttl);
  return db_.write("hold periodic lease", [&](Connection& c) -> sdk::Result<LeaseAttempt> {
    LeaseAttempt out;
    auto before = read_lease(c, name);  // for the caller's log: whose it was
    if (!before.ok()) return before.status();
    out.before = std::move(*before);
    // The one write: insert, or update only when it is ours or has expired.
    // Of two holders at once, the second finds the first's row (SQLite: after
    // its commit; PostgreSQL: the row locked, the WHERE checked again) and
    // changes nothing.
    auto s = c.exec("take periodic lease " + name + " for " + holder,
                    "INSERT INTO periodic_leases(name, holder, acquired_at, renewed_at, expires_at) "
                    "VALUES (?1, ?2, ?3, ?3, ?4) "
                    "ON CONFLICT(name) DO UPDATE SET holder = ?2, renewed_at = ?3, expires_at = ?4, "
                    "acquired_at = CASE WHEN periodic_leases.holder = ?2 THEN periodic_leases.acquired_at ELSE ?3 END "
                    "WHERE periodic_leases.holder = ?2 OR periodic_leases.expires_at <= ?3",
                    name, holder, now_text, until);
    if (!s.ok()) return s;
    out.held = c.changes() == 1;
    auto after = read_lease(c, name);
    if (!after.ok()) return after.status();
    if (!*after) return sdk::Status::Internal("periodic lease " + name + " is missing right after it was written");
    out.current = std::move(**after);
    return out;
  });
}

sdk::Status PeriodicLeaseRepository::release(const std::string& name, const std::string& holder) {
  return db_.write("release periodic lease", [&](Connection& c) {
    return c.exec("release periodic lease " + name + " of " + holder,
                  "DELETE FROM periodic_leases WHERE name = ? AND holder = ?", name, holder);
  });
}

sdk::Result<std::optional<PeriodicLeaseRecord>> PeriodicLeaseRepository::get(const std::string& name) {
  return db_.read("read periodic lease", [&](Connection& c) { return read_lease(c, name); });
}

}  // namespace stratus::core::db
