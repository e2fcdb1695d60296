// The messages the services exchange: the arguments and results of every
// conductor, scheduler and compute RPC method.
//
// Each struct travels as a positional msgpack array (MSGPACK_DEFINE): add
// fields only at the end, and bump the method's minor version when a caller
// starts to rely on one (docs/rpc-protocol.md, "Versioning payloads"). The
// method names and their versions are in topics.h; the typed clients in
// *_rpcapi.h are the only code that sends them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <msgpack.hpp>

#include "core/rpcapi/msgpack_sdk.h"
#include "core/rpcapi/msgpack_security.h"

namespace stratus::core::rpcapi {

// An instance as it travels between services (Nova's Instance object): the
// driver's view plus the states the core tracks and the ports it has.
struct InstanceMsg {
  sdk::Instance instance;
  std::string vm_state;                   // Nova's vm_states ("building", "active", ...)
  std::optional<std::string> task_state;  // nullopt is None
  sdk::NetworkInfo network_info;          // the instance's ports
  std::string updated_at;                 // ISO 8601, as the database has it
  std::optional<std::string> launched_at;
  MSGPACK_DEFINE(instance, vm_state, task_state, network_info, updated_at, launched_at)
};

// A compute node: the host's service name and the hypervisor node on it.
struct DestinationMsg {
  std::string host;
  std::string nodename;
  MSGPACK_DEFINE(host, nodename)
  bool operator==(const DestinationMsg&) const = default;
};

// What a build or a rebuild writes into the guest (Nova's injected_files and
// admin_password): the personality files as decoded bytes, and the admin
// password ("" when none). Sent to the host that builds and nowhere else:
// it is never written to the database, and never logged.
struct GuestInjection {
  std::vector<std::pair<std::string, std::string>> files{};  // path, contents
  std::string admin_password{};
  MSGPACK_DEFINE(files, admin_password)
};

// ---- scheduler ------------------------------------------------------------

struct SelectDestinationsRequest {
  sdk::RequestSpec spec;
  std::vector<std::string> instance_uuids;  // one destination each, in this order
  std::int32_t max_attempts = 0;            // 0: the scheduler's configured max_attempts
  MSGPACK_DEFINE(spec, instance_uuids, max_attempts)
};

// Where one instance goes (claimed) and where it may go instead (not claimed).
struct SelectionMsg {
  DestinationMsg destination;
  std::vector<DestinationMsg> alternates;
  MSGPACK_DEFINE(destination, alternates)
};

struct ClaimMsg {
  DestinationMsg destination;
  std::string instance_uuid;
  sdk::Flavor flavor;
  MSGPACK_DEFINE(destination, instance_uuid, flavor)
};

struct InstanceUuidMsg {
  std::string instance_uuid;
  MSGPACK_DEFINE(instance_uuid)
};

// A compute node's report, as the conductor forwards it to the schedulers
// after recording it (with the node's allocation ratios from the database).
struct NodeReportMsg {
  std::string host;
  sdk::HostResources resources;
  sdk::DriverCapabilities capabilities;
  std::vector<std::string> instance_uuids;  // instances the host runs
  double cpu_allocation_ratio = 0;          // 0: the receiver's default
  double ram_allocation_ratio = 0;
  double disk_allocation_ratio = 0;
  std::string availability_zone = "nova";
  MSGPACK_DEFINE(host, resources, capabilities, instance_uuids, cpu_allocation_ratio, ram_allocation_ratio,
                 disk_allocation_ratio, availability_zone)
};

// A service's heartbeat, or an operator's enable/disable of it.
struct ServiceMsg {
  std::string host;
  std::string binary;  // "stratus-compute", ...
  std::string topic;   // "compute", ...
  bool disabled = false;  // meaningful for service_set_disabled only
  // The newest RPC version the service serves (its heartbeat says it, for
  // [upgrade_levels] auto); "" from a service older than this field, which
  // counts as the API's base version 1.0.
  std::string rpc_version{};
  MSGPACK_DEFINE(host, binary, topic, disabled, rpc_version)
};

// ---- conductor ------------------------------------------------------------

// Many hosts' heartbeats in one message (conductor RPC 1.2): the fake hosts
// of one process report together rather than one cast each.
struct ServiceHeartbeatBatch {
  std::vector<ServiceMsg> services;
  MSGPACK_DEFINE(services)
};

// Many hosts' resource reports in one message (conductor RPC 1.2).
struct NodeReportBatch {
  std::vector<NodeReportMsg> reports;
  MSGPACK_DEFINE(reports)
};

// The conductor's answer to a NodeReportBatch call: the hosts whose report
// it could not record (each logged there); the others were heard.
struct NodeReportBatchResult {
  std::vector<std::string> failed_hosts;
  MSGPACK_DEFINE(failed_hosts)
};

// The API's request to build the instances it has just recorded.
struct BuildInstancesRequest {
  std::vector<std::string> instance_uuids;
  sdk::RequestSpec spec;  // flavor, image, zone, hints, group, forced host
  GuestInjection injection{};  // the same for every instance of the request
  MSGPACK_DEFINE(instance_uuids, spec, injection)
};

// A compute host's report that a build failed there (Nova's
// _reschedule_or_error path): the conductor moves the instance to the next
// alternate or, with none left, to ERROR with the fault.
struct RescheduleRequest {
  std::string instance_uuid;
  sdk::RequestSpec spec;
  std::vector<DestinationMsg> alternates;  // not yet tried, in order
  std::string failed_host;
  std::string fault_message;  // the driver's message
  // The attempt that failed (1 = first host). 0: the host lost the request
  // (it restarted with the build queued or running, spec and alternates
  // gone): the conductor counts from what it recorded and asks the scheduler
  // again (ComputeTaskManager::reschedule_from_host).
  std::int32_t attempt = 1;
  GuestInjection injection{};  // handed to the next host
  MSGPACK_DEFINE(instance_uuid, spec, alternates, failed_host, fault_message, attempt, injection)
};

// Fields a compute host changes on an instance (Nova's instance.save()). The
// set_* flags distinguish "leave it" from "set it to None".
struct InstanceUpdateMsg {
  std::string instance_uuid;
  std::optional<std::string> vm_state;
  bool set_task_state = false;
  std::optional<std::string> task_state;
  std::optional<sdk::PowerState> power_state;
  std::optional<std::string> host;
  std::optional<std::string> node;
  bool set_launched_at = false;  // launched_at = now
  // Guard: applies only if the task state is one of these ("" stands for
  // None); empty: no guard. Refused with InvalidState otherwise.
  std::vector<std::string> expected_task_state;
  std::vector<std::string> expected_vm_state;
  // Guard: the instance must still be on this host (nil: no guard). A build
  // the conductor moved off a host it judged down is refused to that host if
  // it comes back (appended in #15: an older conductor ignores it).
  std::optional<std::string> expected_host;
  MSGPACK_DEFINE(instance_uuid, vm_state, set_task_state, task_state, power_state, host, node, set_launched_at,
                 expected_task_state, expected_vm_state, expected_host)
};

struct InstanceFaultMsg {
  std::string instance_uuid;
  std::int32_t code = 500;
  std::string message;
  std::string details;
  std::string host;
  MSGPACK_DEFINE(instance_uuid, code, message, details, host)
};

// The start or finish of one event of an instance action (Nova's
// InstanceActionEvent), e.g. "compute_reboot_instance".
struct ActionEventMsg {
  std::string instance_uuid;
  std::string request_id;  // the action's request id
  std::string event;
  bool finish = false;
  std::string result;      // "Success" or "Error" on finish
  std::string details;     // the error's message on "Error"
  std::string host;
  MSGPACK_DEFINE(instance_uuid, request_id, event, finish, result, details, host)
};

// Conductor RPC 1.3: one step of an instance's walk, a state change or an
// action event, as instance_update and action_event would send it alone.
struct InstanceStepMsg {
  bool is_event = false;
  InstanceUpdateMsg update{};  // when !is_event
  ActionEventMsg event{};      // when is_event
  MSGPACK_DEFINE(is_event, update, event)

  static InstanceStepMsg of(InstanceUpdateMsg u) {
    InstanceStepMsg s;
    s.update = std::move(u);
    return s;
  }
  static InstanceStepMsg of(ActionEventMsg e) {
    InstanceStepMsg s;
    s.is_event = true;
    s.event = std::move(e);
    return s;
  }
};

// Conductor RPC 1.3 (instance_steps, a call): the steps of one instance that
// follow each other with no work between them (a build's start event and
// its four task-state steps up to spawning; active and the finish event),
// applied in order in one transaction. The first update whose guard fails
// stops the walk: the steps before it are committed, the call answers its
// status (NotFound, InvalidState). An event that cannot be recorded is
// logged and skipped, as action_event's failure is for its caller.
struct InstanceStepsMsg {
  std::string instance_uuid;
  std::vector<InstanceStepMsg> steps;
  MSGPACK_DEFINE(instance_uuid, steps)
};

struct HostInstancesQuery {
  std::string host;
  MSGPACK_DEFINE(host)
};

// ---- compute --------------------------------------------------------------

struct BuildAndRunRequest {
  InstanceMsg instance;  // host and node already set to this host
  sdk::ImageMeta image;
  sdk::RequestSpec spec;
  sdk::BlockDeviceInfo block_device_info;
  std::vector<DestinationMsg> alternates;  // for a reschedule if this host fails
  std::int32_t attempt = 1;
  GuestInjection injection{};
  // The rules the guest's interfaces enforce from the start (applied before
  // spawn); empty: none known, the driver is not asked.
  std::vector<sdk::PortSecurity> port_security{};
  MSGPACK_DEFINE(instance, image, spec, block_device_info, alternates, attempt, injection, port_security)
};

// build_and_run_instance as compute RPC 1.0 has it: the six first fields of
// BuildAndRunRequest, what a client capped at 1.0 sends
// (ComputeRpcApi::build_and_run_instance backports to it).
struct BuildAndRunRequestV1_0 {
  InstanceMsg instance;
  sdk::ImageMeta image;
  sdk::RequestSpec spec;
  sdk::BlockDeviceInfo block_device_info;
  std::vector<DestinationMsg> alternates;
  std::int32_t attempt = 1;
  MSGPACK_DEFINE(instance, image, spec, block_device_info, alternates, attempt)
};

// The argument of the instance actions that need nothing else (stop, start,
// pause, unpause, suspend, resume, terminate, soft delete, restore).
struct InstanceActionRequest {
  InstanceMsg instance;
  MSGPACK_DEFINE(instance)
};

struct RebootRequest {
  InstanceMsg instance;
  std::string reboot_type = "SOFT";  // "SOFT" or "HARD"
  MSGPACK_DEFINE(instance, reboot_type)
};

struct RebuildRequest {
  InstanceMsg instance;
  sdk::ImageMeta image;
  GuestInjection injection{};
  MSGPACK_DEFINE(instance, image, injection)
};

struct ConsoleOutputRequest {
  InstanceMsg instance;
  std::int32_t tail_length = 0;  // last N lines; 0: all
  MSGPACK_DEFINE(instance, tail_length)
};

// A change of the rules an instance's ports enforce (Nova's
// refresh_instance_security_rules): the full list for the instance, which
// replaces what the host enforced before.
struct RefreshSecurityGroupsRequest {
  std::string instance_uuid;
  std::vector<sdk::PortSecurity> ports;
  MSGPACK_DEFINE(instance_uuid, ports)
};

// The argument of get_diagnostics (a call; the answer is sdk::Diagnostics).
struct DiagnosticsRequest {
  InstanceMsg instance;
  MSGPACK_DEFINE(instance)
};

// attach_interface and detach_interface (calls, compute RPC 1.3): the port
// to plug into or unplug from the guest. The API has already allocated (or
// bound) the port; `vif` is final. `port_security`: the rules of all the
// instance's ports as they are to be once the change is made (with the new
// port on attach, without the old one on detach), applied before the plug
// and after the unplug, as a build applies them before spawn.
struct InterfaceRequest {
  InstanceMsg instance;
  sdk::Vif vif;
  std::vector<sdk::PortSecurity> port_security{};
  MSGPACK_DEFINE(instance, vif, port_security)
};

// snapshot_instance and shelve_instance: the image record the API created
// (status queued) that the host fills with the guest's disk.
// Compute RPC 1.4 appends a backup (createBackup, Nova's backup_instance):
// the task is image_backup, and once the image is uploaded the host deletes
// the oldest images of the instance with image_type backup and this
// backup_type beyond `rotation`. A 1.2 message decodes as a plain snapshot.
struct SnapshotRequest {
  InstanceMsg instance;
  sdk::ImageMeta image;
  bool backup = false;
  std::string backup_type{};
  std::int64_t rotation = 0;
  MSGPACK_DEFINE(instance, image, backup, backup_type, rotation)
};

// compute.rescue_instance (cast, compute RPC 1.4): boot the guest from
// `image` (the rescue image: the one the user named, else the server's own)
// with its disk attached; `admin_password` is the rescue system's.
struct RescueRequest {
  InstanceMsg instance;
  sdk::ImageMeta image;
  std::string admin_password;
  MSGPACK_DEFINE(instance, image, admin_password)
};

// conductor.unshelve_instance: place a shelved-offloaded instance (task
// unshelving) and spawn it there from its snapshot. `host` (2.91, admins)
// forces the host; `availability_zone` (2.77) replaces the instance's zone
// ("" keeps it).
struct UnshelveRequest {
  std::string instance_uuid;
  std::string host;
  std::string availability_zone;
  MSGPACK_DEFINE(instance_uuid, host, availability_zone)
};

// compute.<host>.unshelve_instance: spawn the instance (host and node
// already set to this host) from its snapshot `image`.
struct UnshelveOnHostRequest {
  InstanceMsg instance;
  sdk::ImageMeta image;
  sdk::BlockDeviceInfo block_device_info;
  std::vector<sdk::PortSecurity> port_security{};  // applied before spawn, as a build does
  MSGPACK_DEFINE(instance, image, block_device_info, port_security)
};

// get_host_uptime: the compute host's uptime line (os-hypervisors uptime).
struct HostUptimeRequest {
  std::string host;  // the host asked, for its logs
  MSGPACK_DEFINE(host)
};

}  // namespace stratus::core::rpcapi
