#include "core/db/instance_action_repository.h"

#include "core/common/time_util.h"

namespace stratus::core::db {

using sdk::Result;
using sdk::Status;

namespace {

constexpr const char* kColumns =
    "SELECT id, instance_uuid, action, request_id, user_id, project_id, start_time, finish_time, message, "
    "updated_at FROM instance_actions ";

InstanceActionRecord read_action(const Statement& r) {
  InstanceActionRecord a;
  a.id = r.int64(0);
  a.instance_uuid = r.text(1);
  a.action = r.text(2);
  a.request_id = r.text(3);
  a.user_id = r.text(4);
  a.project_id = r.text(5);
  a.start_time = r.text(6);
  a.finish_time = r.optional_text(7);
  a.message = r.optional_text(8);
  a.updated_at = r.text(9);
  return a;
}

Result<std::int64_t> action_id(Connection& c, const std::string& uuid, const std::string& request_id) {
  auto st = c.prepare("look up action " + request_id,
                      "SELECT id FROM instance_actions WHERE instance_uuid = ? AND request_id = ?");
  if (!st.ok()) return st.status();
  st->bind_all(uuid, request_id);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("action " + request_id + " on instance " + uuid + " not found");
  return st->int64(0);
}

}  // namespace

Result<InstanceActionRecord> InstanceActionRepository::start(const std::string& uuid, const std::string& action,
                                                             const std::string& request_id,
                                                             const std::string& user_id,
                                                             const std::string& project_id) {
  return db_.write("start instance action", [&](Connection& c) -> Result<InstanceActionRecord> {
    std::string now = common::utc_now();
    auto ins = c.prepare("start action " + action + " on instance " + uuid,
                         "INSERT INTO instance_actions(instance_uuid, action, request_id, user_id, project_id, "
                         "start_time, updated_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?6 "
                         "WHERE EXISTS (SELECT 1 FROM instances WHERE uuid = ?1) RETURNING id");
    if (!ins.ok()) return ins.status();
    ins->bind_all(uuid, action, request_id, user_id, project_id, now);
    auto row = ins->step();
    if (row.status().is(sdk::StatusCode::kAlreadyExists)) {
      return Status::AlreadyExists("request " + request_id + " already started an action on instance " + uuid);
    }
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("instance " + uuid + " could not be found");
    InstanceActionRecord a;
    a.id = ins->int64(0);
    a.instance_uuid = uuid;
    a.action = action;
    a.request_id = request_id;
    a.user_id = user_id;
    a.project_id = project_id;
    a.start_time = now;
    a.updated_at = now;
    return a;
  });
}

Status InstanceActionRepository::finish(const std::string& uuid, const std::string& request_id,
                                        const std::optional<std::string>& message) {
  return db_.write("finish instance action", [&](Connection& c) -> Status {
    auto st = c.exec("finish action " + request_id,
                     "UPDATE instance_actions SET finish_time = ?1, updated_at = ?1, message = COALESCE(?2, message) "
                     "WHERE instance_uuid = ?3 AND request_id = ?4",
                     common::utc_now(), message, uuid, request_id);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("action " + request_id + " on instance " + uuid + " not found");
    return Status::OK();
  });
}

Status InstanceActionRepository::start_event(const std::string& uuid, const std::string& request_id,
                                             const std::string& event, const std::string& host) {
  return db_.write("start action event", [&](Connection& c) -> Status {
    auto id = action_id(c, uuid, request_id);
    if (!id.ok()) return id.status();
    std::string now = common::utc_now();
    auto st = c.exec("start event " + event, "INSERT INTO instance_action_events(action_id, event, start_time, host) "
                                             "VALUES (?, ?, ?, ?)",
                     *id, event, now, host);
    if (!st.ok()) return st;
    return c.exec("touch action " + request_id, "UPDATE instance_actions SET updated_at = ? WHERE id = ?", now, *id);
  });
}

Status InstanceActionRepository::finish_event(const std::string& uuid, const std::string& request_id,
                                              const std::string& event, bool success,
                                              const std::optional<std::string>& traceback,
                                              const std::optional<std::string>& details) {
  return db_.write("finish action event", [&](Connection& c) -> Status {
    auto id = action_id(c, uuid, request_id);
    if (!id.ok()) return id.status();
    std::string now = common::utc_now();
    auto st = c.exec("finish event " + event,
                     "UPDATE instance_action_events SET finish_time = ?1, result = ?2, traceback = ?3, details = ?4 "
                     "WHERE id = (SELECT id FROM instance_action_events WHERE action_id = ?5 AND event = ?6 "
                     "            AND finish_time IS NULL ORDER BY id DESC LIMIT 1)",
                     now, success ? "Success" : "Error", traceback, details, *id, event);
    if (!st.ok()) return st;
    if (c.changes() == 0) return Status::NotFound("no running event " + event + " in action " + request_id);
    return c.exec("touch action " + request_id,
                  "UPDATE instance_actions SET updated_at = ?1, message = CASE WHEN ?2 = 1 THEN message ELSE 'Error' END "
                  "WHERE id = ?3",
                  now, success, *id);
  });
}

Result<std::vector<InstanceActionRecord>> InstanceActionRepository::list(const std::string& uuid) {
  return db_.read("list instance actions", [&](Connection& c) -> Result<std::vector<InstanceActionRecord>> {
    auto st = c.prepare("list actions of instance " + uuid,
                        std::string(kColumns) + "WHERE instance_uuid = ? ORDER BY start_time DESC, id DESC");
    if (!st.ok()) return st.status();
    st->bind_all(uuid);
    std::vector<InstanceActionRecord> out;
    auto s = st->for_each([&](Statement& r) { out.push_back(read_action(r)); });
    if (!s.ok()) return s;
    return out;
  });
}

Result<InstanceActionRecord> InstanceActionRepository::get(const std::string& uuid, const std::string& request_id) {
  return db_.read("read instance action", [&](Connection& c) -> Result<InstanceActionRecord> {
    auto st = c.prepare("read action " + request_id,
                        std::string(kColumns) + "WHERE instance_uuid = ? AND request_id = ?");
    if (!st.ok()) return st.status();
    st->bind_all(uuid, request_id);
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("action " + request_id + " on instance " + uuid + " not found");
    auto a = read_action(*st);
    auto ev = c.prepare("read events of action " + request_id,
                        "SELECT event, start_time, finish_time, result, traceback, details, host "
                        "FROM instance_action_events WHERE action_id = ? ORDER BY id");
    if (!ev.ok()) return ev.status();
    ev->bind_all(a.id);
    auto s = ev->for_each([&](Statement& r) {
      a.events.push_back({r.text(0), r.text(1), r.optional_text(2), r.optional_text(3), r.optional_text(4),
                          r.optional_text(5), r.text(6)});
    });
    if (!s.ok()) return s;
    return a;
  });
}

}  // namespace stratus::core::db
