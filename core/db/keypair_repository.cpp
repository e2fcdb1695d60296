#include "core/db/keypair_repository.h"

#include "core/db/lock_key.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {
template <typename... Args>
Result<std::vector<KeypairRecord>> query(Connection& c, const std::string& purpose, const std::string& where,
                                         const Args&... args) {
  auto st = c.prepare(purpose, "SELECT name, user_id, public_key, fingerprint, type, created_at FROM key_pairs " + where);
  if (!st.ok()) return st.status();
  st->bind_all(args...);
  std::vector<KeypairRecord> out;
  auto s = st->for_each(
      [&](Statement& r) { out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)}); });
  if (!s.ok()) return s;
  return out;
}

Result<KeypairRecord> get_locked(Connection& c, const std::string& user_id, const std::string& name) {
  auto rows = query(c, "read key pair " + name, "WHERE user_id = ? AND name = ?", user_id, name);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("Keypair " + name + " not found for user " + user_id);
  return std::move(rows->front());
}
}  // namespace

Result<KeypairRecord> KeypairRepository::create(KeypairRecord rec, std::optional<std::int64_t> max_per_user) {
  if (rec.name.empty() || rec.public_key.empty() || rec.user_id.empty()) {
    return Status::InvalidArgument("key pair needs a name, a user and a public key");
  }
  return db_.write("create key pair", [&](Connection& c) -> Result<KeypairRecord> {
    if (max_per_user && *max_per_user >= 0) {
      auto st = lock_key(c, "user-key-pairs", rec.user_id);
      if (!st.ok()) return st;
      auto count = c.prepare("count key pairs of user " + rec.user_id, "SELECT COUNT(*) FROM key_pairs WHERE user_id = ?");
      if (!count.ok()) return count.status();
      count->bind_all(rec.user_id);
      auto row = count->step();
      if (!row.ok()) return row.status();
      if (*row && count->int64(0) >= *max_per_user) {
        return Status(sdk::StatusCode::kConflict, "Quota exceeded, too many key pairs.",
                      sdk::StatusReason::kQuotaExceeded);
      }
    }
    auto st = c.exec("insert key pair " + rec.name,
                     "INSERT INTO key_pairs(name, user_id, public_key, fingerprint, type, created_at) "
                     "VALUES (?,?,?,?,?,?)",
                     rec.name, rec.user_id, rec.public_key, rec.fingerprint, rec.type, common::utc_now());
    if (st.is(sdk::StatusCode::kAlreadyExists)) return Status::AlreadyExists("Key pair '" + rec.name + "' already exists.");
    if (!st.ok()) return st;
    return get_locked(c, rec.user_id, rec.name);
  });
}

Result<KeypairRecord> KeypairRepository::get(const std::string& user_id, const std::string& name) {
  return db_.read("read key pair", [&](Connection& c) { return get_locked(c, user_id, name); });
}

Result<std::vector<KeypairRecord>> KeypairRepository::list(const std::string& user_id) {
  return db_.read("list key pairs", [&](Connection& c) {
    return query(c, "list key pairs of user " + user_id, "WHERE user_id = ? ORDER BY name", user_id);
  });
}

Status KeypairRepository::remove(const std::string& user_id, const std::string& name) {
  return db_.write("delete key pair", [&](Connection& c) -> Status {
    auto st = c.exec("delete key pair " + name, "DELETE FROM key_pairs WHERE user_id = ? AND name = ?", user_id, name);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("Keypair " + name + " not found for user " + user_id);
    return Status::OK();
  });
}

}  // namespace stratus::core::db
