// ServerGroupRepository: affinity groups (Nova's instance_groups) and their
// members, which the scheduler's group filters read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/request_spec.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct ServerGroupRecord {
  std::int64_t id = 0;
  std::string uuid;        // empty on create: generated
  std::string name;
  std::string project_id;
  std::string user_id;
  std::string policy;      // affinity, anti-affinity, soft-affinity, soft-anti-affinity
  std::optional<std::int64_t> max_server_per_host;  // rules (anti-affinity only)
  std::vector<std::string> members;                 // instance uuids
  std::string created_at;
  std::string updated_at;
};

class ServerGroupRepository {
 public:
  explicit ServerGroupRepository(Scope db) : db_(db) {}

  // kInvalidArgument for an unknown policy or rules on a policy without them.
  // With `max_per_project` (>= 0), kConflict "Quota exceeded, too many server
  // groups." when the project already has that many; with `max_per_user`
  // (>= 0, a user's own limit), the same when the record's user already has
  // that many in the project. Both counted under the project's lock key in
  // the insert's transaction.
  sdk::Result<ServerGroupRecord> create(ServerGroupRecord record,
                                        std::optional<std::int64_t> max_per_project = std::nullopt,
                                        std::optional<std::int64_t> max_per_user = std::nullopt);
  sdk::Result<ServerGroupRecord> get(const std::string& uuid);
  // By id; nullopt project: all.
  sdk::Result<std::vector<ServerGroupRecord>> list(const std::optional<std::string>& project_id = std::nullopt);
  sdk::Status remove(const std::string& uuid);

  // Adds instances (already members are fine). kNotFound for the group. With
  // `max_members` (>= 0), kConflict "Quota exceeded, too many servers in
  // group" when the group would hold more: counted under the group's lock
  // key in the same transaction, so simultaneous adds cannot pass it together.
  sdk::Status add_members(const std::string& uuid, const std::vector<std::string>& instance_uuids,
                          std::optional<std::int64_t> max_members = std::nullopt);
  sdk::Status remove_member(const std::string& uuid, const std::string& instance_uuid);
  // The groups the instance belongs to (Nova: at most one).
  sdk::Result<std::vector<ServerGroupRecord>> groups_of(const std::string& instance_uuid);

 private:
  Scope db_;
};

// The group as the scheduler is given it (RequestSpec.instance_group): its
// members and the hosts of those already placed (read from `db`).
sdk::InstanceGroup scheduling_view(Scope db, const ServerGroupRecord& group);

}  // namespace stratus::core::db
