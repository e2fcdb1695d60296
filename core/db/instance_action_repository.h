// InstanceActionRepository: what was done to an instance and how each step
// went (Nova's instance_actions and instance_actions_events), served by
// /servers/{id}/os-instance-actions.
//
// An action is keyed by (instance, request id): the API starts it, services
// add events ("compute__do_build_and_run_instance") and finish them with
// "Success" or "Error"; an Error event marks its action's message "Error",
// as Nova does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct InstanceActionEventRecord {
  std::string event;
  std::string start_time;
  std::optional<std::string> finish_time;
  std::optional<std::string> result;     // "Success" / "Error"; nullopt while running
  std::optional<std::string> traceback;
  std::optional<std::string> details;
  std::string host;
};

struct InstanceActionRecord {
  std::int64_t id = 0;
  std::string instance_uuid;
  std::string action;       // "create", "reboot", "stop", ...
  std::string request_id;
  std::string user_id;
  std::string project_id;
  std::string start_time;
  std::optional<std::string> finish_time;
  std::optional<std::string> message;
  std::string updated_at;
  std::vector<InstanceActionEventRecord> events;  // filled by get(), oldest first
};

class InstanceActionRepository {
 public:
  explicit InstanceActionRepository(Scope db) : db_(db) {}

  // kNotFound (instance), kAlreadyExists (that request already started an action on it).
  sdk::Result<InstanceActionRecord> start(const std::string& instance_uuid, const std::string& action,
                                          const std::string& request_id, const std::string& user_id,
                                          const std::string& project_id);
  // Sets finish_time (and the message, if given). kNotFound.
  sdk::Status finish(const std::string& instance_uuid, const std::string& request_id,
                     const std::optional<std::string>& message = std::nullopt);

  // Events of the action (instance, request_id). kNotFound for no such action;
  // finish_event: kNotFound for no unfinished event of that name.
  sdk::Status start_event(const std::string& instance_uuid, const std::string& request_id, const std::string& event,
                          const std::string& host);
  sdk::Status finish_event(const std::string& instance_uuid, const std::string& request_id, const std::string& event,
                           bool success, const std::optional<std::string>& traceback = std::nullopt,
                           const std::optional<std::string>& details = std::nullopt);

  // All actions of the instance, newest first, without events.
  sdk::Result<std::vector<InstanceActionRecord>> list(const std::string& instance_uuid);
  // One action with its events. kNotFound.
  sdk::Result<InstanceActionRecord> get(const std::string& instance_uuid, const std::string& request_id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
