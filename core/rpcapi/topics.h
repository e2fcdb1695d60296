// The RPC topics and method versions of the Stratus services.
//
// Each service serves every method of its API up to the version below (a
// server at 1.1 accepts 1.0 and 1.1); a client sends each message at the
// lowest version that carries what it needs, under its [upgrade_levels] cap,
// so an older node keeps working during an upgrade. Bump a minor version
// when a method gains a field a caller relies on, and write the change in
// docs/rpc-protocol.md ("Method versions"); a major version never changes
// in place.
#pragma once

#include <string_view>

namespace stratus::core::rpcapi {

inline constexpr std::string_view kConductorTopic = "conductor";
inline constexpr std::string_view kSchedulerTopic = "scheduler";
inline constexpr std::string_view kComputeTopic = "compute";

// The newest version of each API, which its servers serve.
inline constexpr std::string_view kConductorVersion = "1.3";
inline constexpr std::string_view kSchedulerVersion = "1.0";
inline constexpr std::string_view kComputeVersion = "1.4";

// The version every method of an API was first sent at.
inline constexpr std::string_view kBaseVersion = "1.0";

// The compute API's history (docs/rpc-protocol.md has the fields):
//   1.0  every method in compute_method below
//   1.1  build_and_run_instance gains injection (personality files, admin
//        password) and port_security (the rules the ports enforce at boot)
//   1.2  snapshot_instance, shelve_instance, shelve_offload_instance and
//        unshelve_instance (createImage and shelving)
//   1.3  attach_interface, detach_interface and trigger_crash_dump (calls)
//   1.4  snapshot_instance gains backup, backup_type and rotation (createBackup);
//        rescue_instance and unrescue_instance (casts)
namespace compute_version {
inline constexpr std::string_view kBuildAndRunWithInjection = "1.1";
inline constexpr std::string_view kSnapshotAndShelve = "1.2";
inline constexpr std::string_view kInterfacesAndCrashDump = "1.3";
inline constexpr std::string_view kBackup = "1.4";
inline constexpr std::string_view kRescue = "1.4";
}  // namespace compute_version

// The conductor API's history:
//   1.0  every method in conductor_method below but unshelve_instance
//   1.1  unshelve_instance
//   1.2  compute_node_update_batch (call) and service_heartbeat_batch (cast):
//        many hosts' reports and heartbeats in one message
//   1.3  instance_steps (call): one instance's task-state steps and action
//        events in one message and one transaction (a build's walk)
namespace conductor_version {
inline constexpr std::string_view kUnshelve = "1.1";
inline constexpr std::string_view kBatches = "1.2";
inline constexpr std::string_view kInstanceSteps = "1.3";
}  // namespace conductor_version

// Service binaries as the services table and os-services show them.
inline constexpr std::string_view kComputeBinary = "stratus-compute";
inline constexpr std::string_view kConductorBinary = "stratus-conductor";
inline constexpr std::string_view kSchedulerBinary = "stratus-scheduler";

// Method names, shared by the typed clients (*_rpcapi.h) and the services
// that register them, so the two can never disagree.
namespace scheduler_method {
inline constexpr std::string_view kSelectDestinations = "select_destinations";  // call
inline constexpr std::string_view kClaim = "claim";                              // call
inline constexpr std::string_view kRelease = "release";                          // fanout cast
inline constexpr std::string_view kUpdateNode = "update_node";                   // fanout cast
inline constexpr std::string_view kServiceHeartbeat = "service_heartbeat";       // fanout cast
inline constexpr std::string_view kServiceSetDisabled = "service_set_disabled";  // fanout cast
}  // namespace scheduler_method

namespace conductor_method {
inline constexpr std::string_view kBuildInstances = "build_instances";                  // cast
inline constexpr std::string_view kRescheduleInstance = "reschedule_instance";          // cast
inline constexpr std::string_view kInstanceUpdate = "instance_update";                  // call
inline constexpr std::string_view kInstanceFaultCreate = "instance_fault_create";       // call
inline constexpr std::string_view kActionEvent = "action_event";                        // call
inline constexpr std::string_view kInstanceGetAllByHost = "instance_get_all_by_host";   // call
inline constexpr std::string_view kInstanceDestroy = "instance_destroy";                // call
inline constexpr std::string_view kComputeNodeUpdate = "compute_node_update";           // cast
inline constexpr std::string_view kServiceHeartbeat = "service_heartbeat";              // cast
inline constexpr std::string_view kUnshelveInstance = "unshelve_instance";              // cast
inline constexpr std::string_view kComputeNodeUpdateBatch = "compute_node_update_batch";  // call (1.2)
inline constexpr std::string_view kServiceHeartbeatBatch = "service_heartbeat_batch";    // cast (1.2)
inline constexpr std::string_view kInstanceSteps = "instance_steps";                      // call (1.3)
}  // namespace conductor_method

namespace compute_method {
inline constexpr std::string_view kBuildAndRunInstance = "build_and_run_instance";  // cast
inline constexpr std::string_view kTerminateInstance = "terminate_instance";        // cast
inline constexpr std::string_view kRebootInstance = "reboot_instance";              // cast
inline constexpr std::string_view kStopInstance = "stop_instance";                  // cast
inline constexpr std::string_view kStartInstance = "start_instance";                // cast
inline constexpr std::string_view kPauseInstance = "pause_instance";                // cast
inline constexpr std::string_view kUnpauseInstance = "unpause_instance";            // cast
inline constexpr std::string_view kSuspendInstance = "suspend_instance";            // cast
inline constexpr std::string_view kResumeInstance = "resume_instance";              // cast
inline constexpr std::string_view kSoftDeleteInstance = "soft_delete_instance";     // cast
inline constexpr std::string_view kRestoreInstance = "restore_instance";            // cast
inline constexpr std::string_view kRebuildInstance = "rebuild_instance";            // cast
inline constexpr std::string_view kGetConsoleOutput = "get_console_output";         // call
inline constexpr std::string_view kGetDiagnostics = "get_diagnostics";              // call
inline constexpr std::string_view kRefreshSecurityGroups = "refresh_security_groups";  // cast

inline constexpr std::string_view kGetHostUptime = "get_host_uptime";               // call
inline constexpr std::string_view kSnapshotInstance = "snapshot_instance";          // cast
inline constexpr std::string_view kShelveInstance = "shelve_instance";              // cast
inline constexpr std::string_view kShelveOffloadInstance = "shelve_offload_instance";  // cast
inline constexpr std::string_view kUnshelveInstance = "unshelve_instance";          // cast
inline constexpr std::string_view kAttachInterface = "attach_interface";            // call
inline constexpr std::string_view kDetachInterface = "detach_interface";            // call
inline constexpr std::string_view kTriggerCrashDump = "trigger_crash_dump";         // call
inline constexpr std::string_view kRescueInstance = "rescue_instance";              // cast
inline constexpr std::string_view kUnrescueInstance = "unrescue_instance";          // cast
}  // namespace compute_method

}  // namespace stratus::core::rpcapi
