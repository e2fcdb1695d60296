// QuotaRepository: per-project limits (Nova's quotas and the 'default' quota
// class), per-user limits within a project (Nova's project_user_quotas) and
// the usage they are checked against.
//
// Usage is counted from the live (not deleted) instances, as Nova has done
// since Pike, not kept in a separate ledger that could drift. "Check and
// reserve" is therefore: count and insert in the same write transaction, under
// the project's lock key, which InstanceRepository::create does through
// check_instance_quota_locked.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

// Resource names, as os-quota-sets spells them.
inline constexpr const char* kQuotaInstances = "instances";
inline constexpr const char* kQuotaCores = "cores";
inline constexpr const char* kQuotaRam = "ram";

// Nova's built-in defaults: instances 10, cores 20, ram 51200, key_pairs 100,
// metadata_items 128, server_groups 10, server_group_members 10,
// injected_files 5, injected_file_content_bytes 10240, injected_file_path_bytes 255.
// The key set is the set of known resources. -1 means unlimited.
const std::map<std::string, std::int64_t>& builtin_quota_defaults();

struct QuotaUsage {
  std::int64_t instances = 0;
  std::int64_t cores = 0;
  std::int64_t ram = 0;
};

class QuotaRepository {
 public:
  explicit QuotaRepository(Scope db) : db_(db) {}

  // Every known resource's limit for `project`: its own override, else the
  // default class, else the built-in default.
  sdk::Result<std::map<std::string, std::int64_t>> limits(const std::string& project_id);
  // Every known resource's default limit: the default class, else the
  // built-in default (what a project without overrides gets).
  sdk::Result<std::map<std::string, std::int64_t>> defaults();
  // kInvalidArgument for an unknown resource or a limit below -1.
  sdk::Status set_limit(const std::string& project_id, const std::string& resource, std::int64_t hard_limit);
  // Several limits at once, in one transaction: all are set or, on any
  // error (the same as set_limit's), none.
  sdk::Status set_limits(const std::string& project_id, const std::map<std::string, std::int64_t>& hard_limits);
  // Drops the project's overrides and its users' (os-quota-sets DELETE).
  sdk::Status reset_limits(const std::string& project_id);
  sdk::Status set_default(const std::string& resource, std::int64_t hard_limit);

  // A quota class's limits (os-quota-class-sets): the built-in defaults plus
  // the nova-network era resources (-1), overridden by the class's rows.
  // The "default" class is what every project starts from.
  sdk::Result<std::map<std::string, std::int64_t>> class_limits(const std::string& class_name);
  // Sets limits of a class: any resource of class_limits(); kInvalidArgument
  // naming an unknown one or a limit below -1, and then nothing is set.
  sdk::Status set_class_limits(const std::string& class_name, const std::map<std::string, std::int64_t>& hard_limits);

  // What the project's live instances use now.
  sdk::Result<QuotaUsage> usage(const std::string& project_id);

  // Per-user quotas (os-quota-sets ?user_id=). A user's limit for a resource
  // is their own, else the project's (limits()). Nova checks a user's own
  // instances/cores/ram against it besides the project's totals.
  //
  // Every known resource's limit for `user_id` in `project_id`.
  sdk::Result<std::map<std::string, std::int64_t>> user_limits(const std::string& project_id,
                                                               const std::string& user_id);
  // What a user is held to where Nova checks one request against both the
  // project's limit and the user's own (key_pairs, server_group_members,
  // metadata_items, injected files): per resource the lower of the two, -1
  // (unlimited) only when both are.
  sdk::Result<std::map<std::string, std::int64_t>> enforced_limits(const std::string& project_id,
                                                                   const std::string& user_id);
  // Only the resources the user has a limit of their own for.
  sdk::Result<std::map<std::string, std::int64_t>> user_overrides(const std::string& project_id,
                                                                  const std::string& user_id);
  // Per resource, the sum of the finite own limits of all the project's
  // users (what the project has handed out; Nova's limit minus "remains").
  sdk::Result<std::map<std::string, std::int64_t>> users_limits_total(const std::string& project_id);
  // Sets the user's own limits, all or (on kInvalidArgument, as set_limits)
  // none. Whether they fit the project is the caller's check (quota_settable.h).
  sdk::Status set_user_limits(const std::string& project_id, const std::string& user_id,
                              const std::map<std::string, std::int64_t>& hard_limits);
  // Drops the user's own limits: the user falls back to the project's.
  sdk::Status reset_user_limits(const std::string& project_id, const std::string& user_id);
  // What the user's live instances in the project use now.
  sdk::Result<QuotaUsage> user_usage(const std::string& project_id, const std::string& user_id);

 private:
  Scope db_;
};

// For use inside a write transaction that is about to add `count` instances
// of `user_id` using `cores` vCPUs and `ram` MB: kConflict in Nova's words
// ("Quota exceeded for cores: Requested 4, but already used 18 of 20 cores")
// if any project limit would be passed, or any of the user's own limits by
// the user's instances in the project (then the figures are the user's).
// Takes the project's lock key first (lock_key.h): every create in the
// project, whoever's, queues there, so both counts hold against concurrent
// writers until the transaction ends.
sdk::Status check_instance_quota_locked(Connection& conn, const std::string& project_id, const std::string& user_id,
                                        std::int64_t count, std::int64_t cores, std::int64_t ram);

}  // namespace stratus::core::db
