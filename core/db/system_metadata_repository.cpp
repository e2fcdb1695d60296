#include "core/db/system_metadata_repository.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

Result<std::map<std::string, std::string>> SystemMetadataRepository::get(const std::string& uuid) {
  return db_.read("read system metadata", [&](Connection& c) -> Result<std::map<std::string, std::string>> {
    auto st = c.prepare("read system metadata of instance " + uuid,
                        "SELECT key, value FROM instance_system_metadata WHERE instance_uuid = ? ORDER BY key");
    if (!st.ok()) return st.status();
    st->bind_all(uuid);
    std::map<std::string, std::string> out;
    auto s = st->for_each([&](Statement& r) { out[r.text(0)] = r.text(1); });
    if (!s.ok()) return s;
    return out;
  });
}

Status SystemMetadataRepository::update(const std::string& uuid, const std::map<std::string, std::string>& pairs) {
  return db_.write("update system metadata", [&](Connection& c) -> Status {
    auto exists = c.prepare("find instance " + uuid, "SELECT 1 FROM instances WHERE uuid = ? AND deleted = 0");
    if (!exists.ok()) return exists.status();
    exists->bind_all(uuid);
    auto row = exists->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("instance " + uuid + " could not be found");
    for (const auto& [k, v] : pairs) {
      auto st = c.exec("set system metadata " + k + " of instance " + uuid,
                       "INSERT INTO instance_system_metadata(instance_uuid, key, value) VALUES (?, ?, ?) "
                       "ON CONFLICT(instance_uuid, key) DO UPDATE SET value = excluded.value",
                       uuid, k, v);
      if (!st.ok()) return st;
    }
    return Status::OK();
  });
}

}  // namespace stratus::core::db
