#include "core/db/service_repository.h"

#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

template <typename... Args>
Result<std::vector<ServiceRecord>> query(Connection& c, const std::string& purpose, const std::string& where,
                                         const Args&... args) {
  auto st = c.prepare(purpose,
                      "SELECT id, host, \"binary\", topic, disabled, disabled_reason, forced_down, last_seen_up, "
                      "report_count, created_at, updated_at FROM services " + where);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<ServiceRecord> out;
  auto s = st->for_each([&](Statement& r) {
    out.push_back({r.int64(0), r.text(1), r.text(2), r.text(3), r.boolean(4), r.optional_text(5), r.boolean(6),
                   r.optional_text(7), r.int64(8), r.text(9), r.text(10)});
  });
  if (!s.ok()) return s;
  return out;
}

Result<ServiceRecord> one(Result<std::vector<ServiceRecord>> rows, const std::string& what) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("service " + what + " could not be found");
  return std::move(rows->front());
}

template <typename... Args>
Status update(Connection& c, const std::string& what, const std::string& sql, const Args&... args) {
  auto st = c.exec("update service " + what, sql, args...);
  if (!st.ok()) return st;
  if (c.changes() == 0) return Status::NotFound("service " + what + " could not be found");
  return Status::OK();
}

}  // namespace

Result<ServiceRecord> ServiceRepository::register_service(const std::string& host, const std::string& binary,
                                                          const std::string& topic) {
  if (host.empty() || binary.empty()) return Status::InvalidArgument("a service needs a host and a binary");
  return db_.write("register service", [&](Connection& c) -> Result<ServiceRecord> {
    std::string now = common::utc_now();
    auto st = c.exec("register service " + binary + " on " + host,
                     "INSERT INTO services(host, \"binary\", topic, created_at, updated_at) VALUES (?,?,?,?,?) "
                     "ON CONFLICT(host, \"binary\") DO NOTHING",
                     host, binary, topic, now, now);
    if (!st.ok()) return st;
    return one(query(c, "read service", "WHERE host = ? AND \"binary\" = ?", host, binary), binary + "@" + host);
  });
}

Status ServiceRepository::heartbeat(const std::string& host, const std::string& binary) {
  return db_.write("service heartbeat", [&](Connection& c) {
    return update(c, binary + "@" + host,
                  "UPDATE services SET report_count = report_count + 1, last_seen_up = ?1, updated_at = ?1 "
                  "WHERE host = ?2 AND \"binary\" = ?3",
                  common::utc_now(), host, binary);
  });
}

Status ServiceRepository::set_disabled(const std::string& host, const std::string& binary, bool disabled,
                                       const std::optional<std::string>& reason) {
  return db_.write("disable service", [&](Connection& c) {
    return update(c, binary + "@" + host,
                  "UPDATE services SET disabled = ?1, disabled_reason = ?2, updated_at = ?3 "
                  "WHERE host = ?4 AND \"binary\" = ?5",
                  disabled, disabled ? reason : std::nullopt, common::utc_now(), host, binary);
  });
}

Status ServiceRepository::set_forced_down(const std::string& host, const std::string& binary, bool forced_down) {
  return db_.write("force service down", [&](Connection& c) {
    return update(c, binary + "@" + host,
                  "UPDATE services SET forced_down = ?, updated_at = ? WHERE host = ? AND \"binary\" = ?", forced_down,
                  common::utc_now(), host, binary);
  });
}

Result<ServiceRecord> ServiceRepository::get(const std::string& host, const std::string& binary) {
  return db_.read("read service", [&](Connection& c) {
    return one(query(c, "read service", "WHERE host = ? AND \"binary\" = ?", host, binary), binary + "@" + host);
  });
}

Result<ServiceRecord> ServiceRepository::get_by_id(std::int64_t id) {
  return db_.read("read service", [&](Connection& c) {
    return one(query(c, "read service", "WHERE id = ?", id), std::to_string(id));
  });
}

Result<std::vector<ServiceRecord>> ServiceRepository::list(const std::optional<std::string>& host,
                                                           const std::optional<std::string>& binary) {
  return db_.read("list services", [&](Connection& c) {
    return query(c, "list services", "WHERE (?1 IS NULL OR host = ?1) AND (?2 IS NULL OR \"binary\" = ?2) ORDER BY id",
                 host, binary);
  });
}

Status ServiceRepository::remove(std::int64_t id) {
  return db_.write("delete service", [&](Connection& c) {
    return update(c, std::to_string(id), "DELETE FROM services WHERE id = ?", id);
  });
}

}  // namespace stratus::core::db
