#include "core/db/instance_fault_repository.h"

#include "core/db/key_batches.h"
#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {
constexpr const char* kSelect =
    "SELECT id, instance_uuid, code, message, details, host, created_at FROM instance_faults "
    "WHERE instance_uuid = ? ORDER BY id DESC";

InstanceFaultRecord read_row(const Statement& r) {
  return {r.int64(0), r.text(1), static_cast<std::int32_t>(r.int64(2)), r.text(3), r.text(4), r.text(5), r.text(6)};
}
}  // namespace

Result<InstanceFaultRecord> InstanceFaultRepository::add(const std::string& uuid, std::int32_t code,
                                                         const std::string& message, const std::string& details,
                                                         const std::string& host) {
  return db_.write("record instance fault", [&](Connection& c) -> Result<InstanceFaultRecord> {
    InstanceFaultRecord f{0, uuid, code, message, details, host, common::utc_now()};
    auto st = c.prepare("record fault of instance " + uuid,
                        "INSERT INTO instance_faults(instance_uuid, code, message, details, host, created_at) "
                        "SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM instances WHERE uuid = ?1) "
                        "RETURNING id");
    if (!st.ok()) return st.status();
    st->bind_all(uuid, static_cast<std::int64_t>(code), message, details, host, f.created_at);
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("instance " + uuid + " could not be found");
    f.id = st->int64(0);
    return f;
  });
}

Result<InstanceFaultRecord> InstanceFaultRepository::latest(const std::string& uuid) {
  auto all = list(uuid);
  if (!all.ok()) return all.status();
  if (all->empty()) return Status::NotFound("instance " + uuid + " has no fault");
  return all->front();
}

Result<std::map<std::string, InstanceFaultRecord>> InstanceFaultRepository::latest_of(
    const std::vector<std::string>& uuids) {
  return db_.read("read latest instance faults", [&](Connection& c) -> Result<std::map<std::string, InstanceFaultRecord>> {
    std::map<std::string, InstanceFaultRecord> out;
    auto st = for_each_key_batch(uuids, [&](const std::string& placeholders, const std::vector<std::string>& chunk) {
      auto stmt = c.prepare("read latest faults of instances",
                            "SELECT id, instance_uuid, code, message, details, host, created_at FROM instance_faults "
                            "WHERE instance_uuid IN (" + placeholders + ") ORDER BY id DESC");
      if (!stmt.ok()) return stmt.status();
      bind_keys(*stmt, chunk);
      return stmt->for_each([&](Statement& r) {
        auto f = read_row(r);
        out.try_emplace(f.instance_uuid, std::move(f));  // newest first: the first one seen stays
      });
    });
    if (!st.ok()) return st;
    return out;
  });
}

Result<std::vector<InstanceFaultRecord>> InstanceFaultRepository::list(const std::string& uuid) {
  return db_.read("list instance faults", [&](Connection& c) -> Result<std::vector<InstanceFaultRecord>> {
    auto st = c.prepare("list faults of instance " + uuid, kSelect);
    if (!st.ok()) return st.status();
    st->bind_all(uuid);
    std::vector<InstanceFaultRecord> out;
    auto s = st->for_each([&](Statement& r) { out.push_back(read_row(r)); });
    if (!s.ok()) return s;
    return out;
  });
}

}  // namespace stratus::core::db
