// InstanceRepository: servers as the database keeps them (Nova's instances
// table), with their user metadata, and the listing the API serves.
//
// Thread-safe (see database.h); every method is one transaction. Deletion is
// Nova's soft "deleted" flag: a destroyed instance still reads with
// include_deleted (the API shows DELETED, changes-since finds it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/flavor.h"
#include "stratus/sdk/instance.h"
#include "stratus/sdk/power_state.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct InstanceRecord {
  std::int64_t id = 0;      // set by the database; `name` derives from it
  std::string uuid;         // empty on create: one is generated
  std::string name;         // "instance-0000002a", set by the database
  std::string display_name;
  std::optional<std::string> display_description;
  std::string project_id;
  std::string user_id;
  sdk::Flavor flavor;       // snapshot taken at create; later flavor edits do not show
  std::string image_ref;
  std::string vm_state = "building";          // Nova's vm_states
  std::optional<std::string> task_state;      // Nova's task_states; nullopt is None
  sdk::PowerState power_state = sdk::PowerState::kNoState;
  std::string host;
  std::string node;
  std::optional<std::string> launched_at;
  std::optional<std::string> terminated_at;
  std::string created_at;   // set by the database
  std::string updated_at;   // set by the database on every change
  std::map<std::string, std::string> metadata;
  std::optional<std::string> user_data;       // base64, as the API received it
  std::optional<std::string> key_name;
  std::optional<std::string> key_data;
  std::string availability_zone;
  std::string reservation_id;                 // "r-xxxxxxxx", shared by one request's instances
  std::int32_t launch_index = 0;
  bool config_drive = false;
  bool locked = false;
  std::optional<std::string> locked_reason;
  bool deleted = false;
  std::optional<std::string> deleted_at;
  bool auto_disk_config = false;              // OS-DCF:diskConfig AUTO (true) / MANUAL
  std::optional<std::string> access_ip_v4;    // accessIPv4 as the user set it
  std::optional<std::string> access_ip_v6;
  std::string hostname;                       // the guest's hostname (OS-EXT-SRV-ATTR:hostname)
  std::optional<std::vector<std::string>> trusted_certs;  // 2.63 trusted_image_certificates
  std::vector<std::string> tags;              // server tags (2.26), sorted
  std::optional<std::string> locked_by;       // "owner" or "admin" while locked

  // The driver's view of this instance.
  sdk::Instance to_sdk() const;
};

// Fields to change; unset ones stay. For nullable columns the inner optional
// is the new value (nullopt clears it, e.g. task_state back to None).
struct InstanceUpdate {
  std::optional<std::string> display_name;
  std::optional<std::optional<std::string>> display_description;
  std::optional<std::string> vm_state;
  std::optional<std::optional<std::string>> task_state;
  std::optional<sdk::PowerState> power_state;
  std::optional<std::string> host;
  std::optional<std::string> node;
  std::optional<std::string> image_ref;
  std::optional<std::string> availability_zone;
  std::optional<std::optional<std::string>> launched_at;
  std::optional<std::optional<std::string>> terminated_at;
  std::optional<bool> locked;
  std::optional<std::optional<std::string>> locked_reason;
  std::optional<bool> auto_disk_config;
  std::optional<std::optional<std::string>> access_ip_v4;
  std::optional<std::optional<std::string>> access_ip_v6;
  std::optional<std::string> hostname;
  std::optional<std::optional<std::string>> key_name;
  std::optional<std::optional<std::string>> key_data;
  std::optional<std::optional<std::string>> user_data;
  std::optional<std::optional<std::vector<std::string>>> trusted_certs;
  std::optional<std::optional<std::string>> locked_by;

  // Compare-and-swap guards (Nova's expected_task_state / expected_vm_state):
  // the update applies only if the current state is one of these, checked in
  // the same transaction. nullopt as an element means "no task".
  std::optional<std::vector<std::optional<std::string>>> expected_task_state;
  std::optional<std::vector<std::string>> expected_vm_state;
  // The host must still be this ("" : none yet), so that two conductors that
  // both scheduled one instance never both place it.
  std::optional<std::string> expected_host;
  // updated_at must still be this: a claim on a record read earlier (the
  // conductor's stuck-instance sweep; two conductors never take one instance).
  std::optional<std::string> expected_updated_at;
  // A user's request claiming the instance (the API's actions): it must make
  // the transition itself. Without this, an update whose target state is
  // already in place succeeds (a retried step after a lost reply), which
  // would let two concurrent reboots both pass.
  bool exclusive = false;
};

enum class DeletedFilter { kExclude, kOnly, kInclude };

// Filters for list(); each set field narrows the result (AND).
struct InstanceFilter {
  std::optional<std::string> project_id;  // nullopt: every project (admin all_tenants)
  std::optional<std::string> user_id;
  std::vector<std::string> vm_states;     // any of; empty: any
  std::vector<std::string> task_states;   // any of; empty: any
  std::optional<std::string> name_regex;  // searched in display_name, as Nova does
  std::optional<std::string> host;
  std::optional<std::string> node;
  std::optional<std::string> changes_since;  // ISO 8601 (any zone); updated_at >= it
  std::optional<std::string> flavor_id;
  std::optional<std::string> image_ref;
  std::optional<std::string> reservation_id;
  std::optional<std::string> changes_before;  // ISO 8601; updated_at <= it (2.66)
  std::optional<bool> locked;                 // 2.73
  std::optional<std::vector<std::string>> uuids;  // only these (the API's ip filters); empty: none
  // Server tags (2.26): all of `tags`, any of `tags_any`, not all of
  // `not_tags`, none of `not_tags_any`.
  std::vector<std::string> tags, tags_any, not_tags, not_tags_any;
  DeletedFilter deleted = DeletedFilter::kExclude;  // Nova includes deleted with changes-since
};

enum class InstanceSortKey {
  kCreatedAt, kUpdatedAt, kDisplayName, kUuid, kVmState, kTaskState, kPowerState, kHost, kNode,
  kLaunchedAt, kTerminatedAt, kImageRef, kFlavorId, kProjectId, kUserId, kAvailabilityZone,
  kLaunchIndex, kKeyName, kLocked,
};

// Nova's sort_key names ("created_at", "display_name", ...; "name" is an alias
// of display_name, "instance_type_id"/"flavor" of flavor_id). kInvalidArgument otherwise.
sdk::Result<InstanceSortKey> parse_instance_sort_key(std::string_view name);

struct InstanceSort {
  InstanceSortKey key = InstanceSortKey::kCreatedAt;
  bool ascending = false;
};

struct InstanceListOptions {
  std::vector<InstanceSort> sort;   // empty: created_at desc (Nova's default); id breaks ties
  std::optional<std::int64_t> limit;
  std::optional<std::string> marker;  // uuid of the last instance of the previous page
};

// Whether create() checks the project's quota (off for admin tools and tests).
struct InstanceQuotaCheck {
  bool enforce = true;
};

class InstanceRepository {
 public:
  explicit InstanceRepository(Scope db) : db_(db) {}

  // Inserts all `records` (one request's min_count..max_count) in one
  // transaction, after checking the project's instances/cores/ram quota
  // against what its live instances use, in the same transaction: concurrent
  // creates can never together exceed the quota. Returns the stored records.
  // Errors: kConflict "Quota exceeded for cores: Requested 4, but already used
  // 18 of 20 cores" (the API answers 403), kAlreadyExists for a uuid in use,
  // kInvalidArgument when records is empty or mixes projects. Nothing is
  // written on error.
  sdk::Result<std::vector<InstanceRecord>> create(std::vector<InstanceRecord> records,
                                                  InstanceQuotaCheck quota = {});

  // kNotFound unless it exists (and is not deleted, unless include_deleted).
  sdk::Result<InstanceRecord> get(const std::string& uuid, bool include_deleted = false);

  // kInvalidArgument for a bad regex or changes-since; kNotFound "marker <uuid>
  // not found" for an unknown marker (Nova: 400). Records carry metadata.
  sdk::Result<std::vector<InstanceRecord>> list(const InstanceFilter& filter,
                                                const InstanceListOptions& options = {});

  // Applies `update` and bumps updated_at; returns the new record. kNotFound;
  // kInvalidState when a guard does not hold (the message names the state).
  sdk::Result<InstanceRecord> update(const std::string& uuid, const InstanceUpdate& update);
  // As update(), from `current`: the record a previous update() or
  // update_from() of this same transaction returned, so it is not read
  // again (a walk of several steps in one transaction reads the instance
  // once). Outside a transaction the record is read as update() does.
  sdk::Result<InstanceRecord> update_from(InstanceRecord current, const InstanceUpdate& update);

  // Replaces all metadata / merges keys into it / removes one key (kNotFound
  // when the key is not set). Each returns the resulting metadata.
  sdk::Result<std::map<std::string, std::string>> set_metadata(const std::string& uuid,
                                                                const std::map<std::string, std::string>& md);
  sdk::Result<std::map<std::string, std::string>> update_metadata(const std::string& uuid,
                                                                   const std::map<std::string, std::string>& md);
  sdk::Status delete_metadata_key(const std::string& uuid, const std::string& key);

  // Server tags (Nova's os-server-tags). set_tags replaces them all; add_tag
  // returns true when the tag was new. Each touches updated_at. kNotFound for
  // an unknown instance (or, remove_tag, a tag it does not have);
  // kInvalidArgument (Nova's 400) when it already has `max_tags`. Sorted.
  sdk::Result<std::vector<std::string>> set_tags(const std::string& uuid, const std::vector<std::string>& tags);
  sdk::Result<bool> add_tag(const std::string& uuid, const std::string& tag, std::size_t max_tags);
  sdk::Status remove_tag(const std::string& uuid, const std::string& tag);

  // Marks the instance deleted (vm_state "deleted", task_state None,
  // deleted_at/terminated_at now), releases its resource allocation and drops
  // its server group memberships, in one transaction. kNotFound if it is
  // unknown or already deleted. Ports are left to the caller
  // (PortRepository::remove_by_device once the guest is gone).
  sdk::Status destroy(const std::string& uuid);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
