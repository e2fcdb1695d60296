// ComputeAPI: what the REST API asks of the compute service (Nova's
// nova/compute/api.py API class). It validates a request against the
// database (flavor, image, networks, key pair, quota, server group), writes
// what the request changes, and casts the work to the conductor (create) or
// to the instance's compute host (every other action).
//
// The rules it keeps, as Nova does:
//  - Nothing is written on a refused request: create writes the instances,
//    their ports, group membership and actions in one database transaction
//    (compute_api_create.cpp), which commits whole or not at all.
//  - An action is allowed only from the vm_state / task_state set Nova's
//    @check_instance_state gives it (instance_state_check.h); it moves the
//    task_state with a compare-and-swap on the states it read, so of two
//    concurrent actions at most one passes, and records an instance action
//    with the request id before it casts.
//  - A compute host that is down (its service missed heartbeats for
//    service_down_time, or never registered) cannot be cast to: the casts of
//    the RPC layer to an absent target vanish, so the action is refused with
//    kInvalidState (409) before anything changes; a delete then deletes
//    locally instead, as Nova's _local_delete does. A cast that fails anyway
//    puts the task_state back and answers kUnavailable (503).
//
// Errors: kNotFound (unknown instance, or another project's for a non-admin;
// the message is Nova's "Instance <id> could not be found."),
// kInvalidArgument (400: bad flavor, image, network, key pair, ...),
// kInvalidState (409: state forbids the action, instance locked, host down),
// kConflict (409: fixed IP taken, network ambiguous; with reason
// kQuotaExceeded or kPolicyDenied, a refusal Nova answers with 403),
// kUnavailable (503).
//
// Thread-safe: no state of its own beyond references; the database, the RPC
// clients and the services they reach must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "core/db/port_repository.h"
#include "core/compute/api/rpc_security_group_refresh.h"
#include "core/network/coalescing_security_group_refresh.h"
#include "core/rpcapi/compute_rpcapi.h"
#include "core/rpcapi/conductor_rpcapi.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"

namespace stratus::core::compute {

struct ComputeApiOptions {
  // > 0: a delete is a soft delete (restorable until the conductor's periodic
  // task reclaims it); 0: a delete terminates at once (Nova's
  // reclaim_instance_interval).
  std::chrono::seconds reclaim_instance_interval{0};
  // A compute service silent for longer is down (Nova's service_down_time).
  std::chrono::seconds service_down_time{60};
  // true when the conductors' stuck sweep takes up builds that waited in
  // 'scheduling' longer than [conductor] lost_build_timeout (> 0). A build
  // whose cast fails is then left to them rather than set to ERROR.
  bool conductors_recover_lost_builds = false;
};

// Who asks. `request.request_id` is recorded with every instance action.
struct ComputeContext {
  sdk::RequestContext request;
  bool is_admin = false;
};

// How a create asks for networks (Nova's "networks" of POST /servers).
enum class NetworkRequestMode {
  kAuto,  // "auto" or absent: one port on the project's only (or the default) network
  kNone,  // "none": no port
  kList,  // the listed networks, one port each, in order
};

struct RequestedNetwork {
  std::string network_uuid;             // for a port_id: filled in from the port
  std::optional<std::string> fixed_ip;  // IPv4; only with max_count 1
  // A port made through the Network API, bound to the server instead of a
  // new one (only with max_count 1; the port must be unbound).
  std::string port_id;
};

struct CreateRequest {
  std::string name;
  std::string image_ref;
  std::string flavor_ref;
  std::int32_t min_count = 1;
  std::int32_t max_count = 1;
  NetworkRequestMode network_mode = NetworkRequestMode::kAuto;
  std::vector<RequestedNetwork> networks;  // kList only
  std::optional<std::string> user_data;    // base64 as given; checked here (valid, <= 65535 chars)
  std::map<std::string, std::string> metadata;
  std::optional<std::string> key_name;
  // "zone", "zone:host" or "zone:host:node" (a forced host: admins only).
  std::optional<std::string> availability_zone;
  // As the user gave them: "same_host", "different_host" (instance uuids),
  // "group" (one server group uuid), others passed to the scheduler as they are.
  std::map<std::string, std::vector<std::string>> scheduler_hints;
  bool config_drive = false;
  // Nova's security_groups: names (or ids) of the project's groups every
  // port goes in; none: the project's "default".
  std::vector<std::string> security_groups;

  // Personality files and admin password for the driver (never stored).
  rpcapi::GuestInjection injection{};

  std::optional<std::string> description;     // 2.19
  std::optional<std::string> access_ip_v4;    // accessIPv4 / accessIPv6, shown as given
  std::optional<std::string> access_ip_v6;
  bool auto_disk_config = false;              // OS-DCF:diskConfig AUTO
  std::vector<std::string> tags;              // 2.52
  std::optional<std::string> hostname;        // 2.90; otherwise derived from the name
  std::optional<std::vector<std::string>> trusted_certs;  // 2.63
  // 2.74: a requested destination (admins only, checked by the API); the
  // scheduler still runs its filters on it.
  std::optional<std::string> requested_host;
  std::optional<std::string> requested_node;
};

// POST /servers/{id}/os-interface (Nova's interfaceAttachment): a new port
// on `network_id` (with `fixed_ip` if given), or the existing free port
// `port_id`; neither: the project's only usable network.
struct InterfaceAttachRequest {
  std::optional<std::string> network_id;
  std::optional<std::string> port_id;
  std::optional<std::string> fixed_ip;
  std::optional<std::string> tag;  // 2.49
};

struct CreateResult {
  std::vector<db::InstanceRecord> instances;  // as stored, launch_index order
  std::string reservation_id;
};

enum class RebootType { kSoft, kHard };

struct RebuildRequest {
  std::string image_ref;
  std::optional<std::string> name;
  std::optional<std::map<std::string, std::string>> metadata;  // replaces the metadata when set
  rpcapi::GuestInjection injection{};  // personality files and admin password for the driver

  // Each set field changes; a set nullopt clears it.
  std::optional<std::optional<std::string>> description;       // 2.19
  std::optional<std::optional<std::string>> key_name;          // 2.54 (400 for an unknown key pair)
  std::optional<std::optional<std::string>> user_data;         // 2.57
  std::optional<std::optional<std::vector<std::string>>> trusted_certs;  // 2.63
  std::optional<std::string> access_ip_v4;
  std::optional<std::string> access_ip_v6;
  std::optional<bool> auto_disk_config;
  std::optional<std::string> hostname;                          // 2.90
};

// PUT /servers/{id}: each set field changes (no state check, as in Nova).
struct ServerUpdate {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;  // 2.19; null clears it
  std::optional<std::string> access_ip_v4;
  std::optional<std::string> access_ip_v6;
  std::optional<bool> auto_disk_config;
  std::optional<std::string> hostname;                    // 2.90
};

// Nova's hostname from a display name (sanitize_hostname): lower case,
// characters outside [a-z0-9.-] dropped or made '-', at most 63, no
// leading/trailing '.'/'-'; "Server-<uuid>" when nothing is left.
std::string sanitize_hostname(const std::string& display_name, const std::string& uuid);

class ComputeAPI {
 public:
  ComputeAPI(db::Database& db, rpcapi::ConductorRpcApi& conductor, rpcapi::ComputeRpcApi& compute,
             ComputeApiOptions options = {});

  const ComputeApiOptions& options() const { return options_; }

  // Where security group changes go to reach the guests (over this API's
  // compute RPC client).
  network::CoalescingSecurityGroupRefresh& security_group_refresh() { return security_group_refresh_; }

  // Records min_count..max_count instances (as many as the quota allows, at
  // least min_count) in vm_state building / task_state scheduling, with their
  // ports, server group membership and a "create" instance action each, and
  // casts conductor.build_instances. If that cast fails the instances go to
  // ERROR with a fault (the request itself was accepted).
  sdk::Result<CreateResult> create(const ComputeContext& ctx, const CreateRequest& request);

  // The instance, if the caller may see it (its project, or any for admins).
  // include_deleted: also a deleted one (listing with changes-since does).
  sdk::Result<db::InstanceRecord> get(const ComputeContext& ctx, const std::string& uuid,
                                      bool include_deleted = false);

  // PUT /servers/{id}: the display name. No state check, as in Nova.
  sdk::Result<db::InstanceRecord> update_name(const ComputeContext& ctx, const std::string& uuid,
                                              const std::string& name);
  // PUT /servers/{id} with every field microversions allow.
  sdk::Result<db::InstanceRecord> update(const ComputeContext& ctx, const std::string& uuid, const ServerUpdate& u);

  // lock / unlock (compute_api_lock.cpp). Owner or admin; a lock set by an
  // admin can be lifted by an admin only (kConflict reason kPolicyDenied ->
  // 403, as Nova's "unlock:unlock_override"). `reason` is 2.73's.
  sdk::Status lock(const ComputeContext& ctx, const std::string& uuid, const std::optional<std::string>& reason);
  sdk::Status unlock(const ComputeContext& ctx, const std::string& uuid);
  // os-resetState (admin): vm_state "active" or "error", task_state None.
  sdk::Status reset_state(const ComputeContext& ctx, const std::string& uuid, const std::string& vm_state);

  // The actions; each casts to the instance's host and returns once cast.
  sdk::Status reboot(const ComputeContext& ctx, const std::string& uuid, RebootType type);
  sdk::Status stop(const ComputeContext& ctx, const std::string& uuid);
  sdk::Status start(const ComputeContext& ctx, const std::string& uuid);
  sdk::Status pause(const ComputeContext& ctx, const std::string& uuid);
  sdk::Status unpause(const ComputeContext& ctx, const std::string& uuid);
  sdk::Status suspend(const ComputeContext& ctx, const std::string& uuid);
  sdk::Status resume(const ComputeContext& ctx, const std::string& uuid);
  // Returns the instance after the change (image, name, metadata, task_state rebuilding).
  sdk::Result<db::InstanceRecord> rebuild(const ComputeContext& ctx, const std::string& uuid,
                                          const RebuildRequest& request);

  // DELETE /servers/{id}: a soft delete when reclaim_instance_interval > 0 and
  // the instance has launched and has no task; otherwise task_state deleting
  // and compute.<host>.terminate_instance; an instance without a host (never
  // scheduled), or on a host that is down, is deleted here at once with its ports.
  sdk::Status delete_instance(const ComputeContext& ctx, const std::string& uuid);
  // SOFT_DELETED -> restoring (cast), or ACTIVE at once without a host.
  sdk::Status restore(const ComputeContext& ctx, const std::string& uuid);
  // Deletes now whatever the vm_state (task_state must be None), soft-deleted included.
  sdk::Status force_delete(const ComputeContext& ctx, const std::string& uuid);

  // The last `tail_length` lines of the guest's console (0: all): a call to
  // the host, waiting at most the ComputeRpcApi's call timeout.
  sdk::Result<std::string> get_console_output(const ComputeContext& ctx, const std::string& uuid,
                                              std::int32_t tail_length);

  // Server metadata: allowed in vm_state active, paused, suspended, stopped
  // (Nova's rule); at most the project's metadata_items quota (403).
  // replace: the result is exactly `metadata`; otherwise it is merged in.
  sdk::Result<std::map<std::string, std::string>> update_metadata(const ComputeContext& ctx, const std::string& uuid,
                                                                   const std::map<std::string, std::string>& metadata,
                                                                   bool replace);
  // kNotFound "Metadata item was not found" when the key is not set.
  sdk::Status delete_metadata_key(const ComputeContext& ctx, const std::string& uuid, const std::string& key);

  // ---- compute_api_shelve.cpp: snapshots and shelving ----
  // createImage: records a private image (status queued; name, the base
  // image's formats and properties, image_type snapshot, instance_uuid,
  // base_image_ref, then `metadata`), sets image_snapshot and casts
  // snapshot_instance. From ACTIVE, STOPPED, PAUSED or SUSPENDED with no
  // task. Returns the image id; a refused or failed cast deletes the image.
  sdk::Result<std::string> create_image(const ComputeContext& ctx, const std::string& uuid, const std::string& name,
                                        const std::map<std::string, std::string>& metadata);
  // createBackup (Nova's API.backup): the image as createImage's, with
  // image_type backup and `metadata` plus backup_type; task image_backup;
  // cast snapshot_instance at compute RPC 1.4 with the type and rotation.
  // The same states as createImage, and neither checks the lock (Nova).
  // Returns the image id; a refused or failed cast deletes the image
  // (kNotSupported when compute RPC is capped below 1.4).
  // Before 2.39 createImage and createBackup count their metadata against
  // the caller's project's metadata_items quota (Nova's
  // check_img_metadata_properties_quota): 403 "Image metadata limit exceeded".
  sdk::Status check_image_metadata_quota(const ComputeContext& ctx, std::size_t items);
  sdk::Result<std::string> backup(const ComputeContext& ctx, const std::string& uuid, const std::string& name,
                                  const std::string& backup_type, std::int64_t rotation,
                                  const std::map<std::string, std::string>& metadata);
  // shelve: an image "<name>-shelved" as above, system metadata shelved_at,
  // shelved_image_id, shelved_host; task shelving; cast shelve_instance.
  sdk::Status shelve(const ComputeContext& ctx, const std::string& uuid);
  // shelveOffload: SHELVED with no task -> shelving_offloading; cast.
  sdk::Status shelve_offload(const ComputeContext& ctx, const std::string& uuid);
  // unshelve: SHELVED or SHELVED_OFFLOADED with no task -> unshelving; cast
  // conductor.unshelve_instance. `host` (2.91) and `availability_zone`
  // (2.77) only for SHELVED_OFFLOADED (kInvalidState otherwise); an unknown
  // host is kInvalidArgument ("Compute host <h> could not be found.").
  sdk::Status unshelve(const ComputeContext& ctx, const std::string& uuid,
                       const std::optional<std::string>& availability_zone, const std::optional<std::string>& host);

  // ---- compute_api_interfaces.cpp: ports of a server, crash dumps ----
  // The instance's ports (os-interface), oldest first; kNotFound for an
  // instance the caller cannot see.
  sdk::Result<std::vector<db::PortRecord>> list_interfaces(const ComputeContext& ctx, const std::string& uuid);
  // One of them; kNotFound "Instance X does not have a port with id Y" for
  // a port of another device, "Port id Y could not be found." for none.
  sdk::Result<db::PortRecord> get_interface(const ComputeContext& ctx, const std::string& uuid,
                                            const std::string& port_id);
  // Nova's attach_interface: locked (409), vm_state active/paused/stopped
  // with no task (409), then the port is made or bound, and plugged by a
  // call to the host (compute RPC 1.3), with an "attach_interface" action.
  // A refusal or failure on the host gives the port back (a made port is
  // deleted, a bound one unbound). kInvalidArgument (400) for Nova's
  // request errors and "Attaching interfaces is not supported for instance
  // X." when the host's driver cannot; kNotFound (404) for an unknown
  // network or port; kConflict (409) for a port in use or a fixed IP taken;
  // kInternal (500) "Failed to attach network adapter device to X" when the
  // driver fails.
  sdk::Result<db::PortRecord> attach_interface(const ComputeContext& ctx, const std::string& uuid,
                                               const InterfaceAttachRequest& request);
  // Nova's detach_interface: the same state rules; the host unplugs the
  // port, then it is deleted. kNotFound for a port the instance does not
  // have; kNotSupported (501) when the host's driver cannot.
  sdk::Status detach_interface(const ComputeContext& ctx, const std::string& uuid, const std::string& port_id);
  // The pre-2.44 multinic actions: addFixedIp attaches a new port on the
  // network (Nova: allocate on that network); removeFixedIp detaches the port
  // that holds `address` (kInvalidArgument "Instance X does not have fixed
  // IP 'A'." when none does).
  sdk::Status add_fixed_ip(const ComputeContext& ctx, const std::string& uuid, const std::string& network_id);
  sdk::Status remove_fixed_ip(const ComputeContext& ctx, const std::string& uuid, const std::string& address);
  // trigger_crash_dump (2.17): locked (409), vm_state active, paused,
  // rescued, resized or error with no task (409), then a call to the host
  // (compute RPC 1.3) with a "trigger_crash_dump" action. kInvalidArgument
  // (400) "Triggering crash dump is not supported" when the host's driver
  // cannot; kInvalidState (409) when the guest is not running.
  sdk::Status trigger_crash_dump(const ComputeContext& ctx, const std::string& uuid);

  // ---- compute_api_rescue.cpp: rescue (Nova's os-rescue) ----
  // rescue: locked (409), vm_state active, stopped or error with no task
  // (409), then task rescuing, a "rescue" action and a cast (compute RPC
  // 1.4) with the rescue image (`rescue_image_ref`, else the server's own
  // image) and `admin_password`. kInvalidArgument (400) "Image X could not be
  // found." for an image the caller cannot use, or one that is not active.
  sdk::Status rescue(const ComputeContext& ctx, const std::string& uuid,
                     const std::optional<std::string>& rescue_image_ref, const std::string& admin_password);
  // unrescue: locked (409), vm_state rescued with no task (409), task
  // unrescuing, an "unrescue" action and a cast.
  sdk::Status unrescue(const ComputeContext& ctx, const std::string& uuid);

  // ---- compute_api_guest.cpp: what the guest's host reports or keeps ----
  // The hypervisor's diagnostics of the guest (Nova's
  // get_instance_diagnostics): a call to its host. kInvalidState while it is
  // being deleted or has no host; kNotSupported when the host's driver
  // cannot tell; kUnavailable when the host does not answer.
  sdk::Result<sdk::Diagnostics> get_diagnostics(const ComputeContext& ctx, const std::string& uuid);
  // The password the guest posted (server_password.h); "" when none.
  sdk::Result<std::string> get_server_password(const ComputeContext& ctx, const std::string& uuid);
  // Forgets it (the guest keeps its own).
  sdk::Status clear_server_password(const ComputeContext& ctx, const std::string& uuid);

 private:
  struct Action;
  sdk::Status run_action(const ComputeContext& ctx, const std::string& uuid, const Action& action);
  // As above, on the instance as the caller just read it (one read less).
  sdk::Status run_action(const ComputeContext& ctx, const db::InstanceRecord& instance, const Action& action);
  // run_action's steps: may the action run on the instance as read, and the
  // compare-and-swap that starts it (kInvalidState: the state changed meanwhile).
  sdk::Status check_action_allowed(const ComputeContext& ctx, const db::InstanceRecord& instance, const Action& action);
  sdk::Result<db::InstanceRecord> claim_for_action(const ComputeContext& ctx, const db::InstanceRecord& instance,
                                                   const Action& action);
  sdk::Status hard_delete(const ComputeContext& ctx, const db::InstanceRecord& instance, const char* verb);
  sdk::Status soft_delete(const ComputeContext& ctx, const db::InstanceRecord& instance);
  sdk::Status local_delete(const ComputeContext& ctx, const db::InstanceRecord& instance);
  // Against the project's metadata_items limit and, when `user_id` is not
  // empty, the user's own (the lower of the two).
  sdk::Status check_metadata_quota(const std::string& project_id, std::size_t items, const std::string& user_id = "");
  bool host_is_up(const std::string& host);
  void record_action(const ComputeContext& ctx, const std::string& uuid, const char* action);
  // As above, in `db` (a caller's transaction); a failure is logged, never returned.
  void record_action(db::Scope db, const ComputeContext& ctx, const std::string& uuid, const char* action);
  // compute_api_interfaces.cpp: the checks attach and detach share (lock,
  // state, host up); the instance as read.
  sdk::Result<db::InstanceRecord> interface_target(const ComputeContext& ctx, const std::string& uuid,
                                                   const char* action);
  // compute_api_create.cpp: queues a refresh of the placed instances whose
  // rules name a group of these (new) instances' ports as remote.
  void refresh_group_peers(const std::string& request_id, const std::vector<std::string>& instance_uuids);
  // Finishes the request's instance action, with "Error" when `result` failed.
  void finish_action(const ComputeContext& ctx, const std::string& uuid, const sdk::Status& result);
  // compute_api_shelve.cpp: the queued image a snapshot or shelve fills.
  // `image_type`: "snapshot" or "backup" (Nova's create_image).
  sdk::Result<sdk::ImageMeta> create_snapshot_image(const ComputeContext& ctx, const db::InstanceRecord& instance,
                                                    const std::string& name,
                                                    const std::map<std::string, std::string>& metadata,
                                                    std::string_view image_type);

  db::Database& db_;
  rpcapi::ConductorRpcApi& conductor_;
  rpcapi::ComputeRpcApi& compute_;
  ComputeApiOptions options_;
  RpcSecurityGroupRefresh rpc_security_group_refresh_;
  // In front of the RPC one: requests do not wait for the casts, and a storm
  // of creates costs a pass per pause, not one each. Declared last: stopped
  // (and drained) before what it uses.
  network::CoalescingSecurityGroupRefresh security_group_refresh_{rpc_security_group_refresh_};
};

}  // namespace stratus::core::compute
