// The vm_state and task_state values the compute service writes, spelled as
// Nova spells them (nova/compute/vm_states.py, task_states.py), because the
// API shows them to users as OS-EXT-STS:vm_state / task_state.
#pragma once

#include <string_view>

namespace stratus::core::compute {

namespace vm_state {
inline constexpr std::string_view kActive = "active";
inline constexpr std::string_view kBuilding = "building";
inline constexpr std::string_view kPaused = "paused";
inline constexpr std::string_view kSuspended = "suspended";
inline constexpr std::string_view kStopped = "stopped";
inline constexpr std::string_view kSoftDeleted = "soft-delete";  // Nova's SOFT_DELETED
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kShelved = "shelved";
inline constexpr std::string_view kShelvedOffloaded = "shelved_offloaded";
inline constexpr std::string_view kRescued = "rescued";
}  // namespace vm_state

namespace task_state {
// A guard list entry that stands for "no task" (InstanceUpdateMsg).
inline constexpr std::string_view kNone = "";
// Build.
inline constexpr std::string_view kScheduling = "scheduling";
inline constexpr std::string_view kNetworking = "networking";
inline constexpr std::string_view kBlockDeviceMapping = "block_device_mapping";
inline constexpr std::string_view kSpawning = "spawning";
// Actions: what the API sets before it casts, and what compute moves to.
inline constexpr std::string_view kRebooting = "rebooting";
inline constexpr std::string_view kRebootPending = "reboot_pending";
inline constexpr std::string_view kRebootStarted = "reboot_started";
inline constexpr std::string_view kRebootingHard = "rebooting_hard";
inline constexpr std::string_view kRebootPendingHard = "reboot_pending_hard";
inline constexpr std::string_view kRebootStartedHard = "reboot_started_hard";
inline constexpr std::string_view kPoweringOff = "powering-off";
inline constexpr std::string_view kPoweringOn = "powering-on";
inline constexpr std::string_view kPausing = "pausing";
inline constexpr std::string_view kUnpausing = "unpausing";
inline constexpr std::string_view kSuspending = "suspending";
inline constexpr std::string_view kResuming = "resuming";
inline constexpr std::string_view kSoftDeleting = "soft-deleting";
inline constexpr std::string_view kRestoring = "restoring";
inline constexpr std::string_view kRebuilding = "rebuilding";
inline constexpr std::string_view kRebuildSpawning = "rebuild_spawning";
inline constexpr std::string_view kDeleting = "deleting";
// Snapshot (createImage), backup (createBackup) and shelve.
inline constexpr std::string_view kImageSnapshot = "image_snapshot";
inline constexpr std::string_view kImageBackup = "image_backup";
inline constexpr std::string_view kImagePendingUpload = "image_pending_upload";
inline constexpr std::string_view kImageUploading = "image_uploading";
inline constexpr std::string_view kShelving = "shelving";
inline constexpr std::string_view kShelvingImagePendingUpload = "shelving_image_pending_upload";
inline constexpr std::string_view kShelvingImageUploading = "shelving_image_uploading";
inline constexpr std::string_view kShelvingOffloading = "shelving_offloading";
inline constexpr std::string_view kUnshelving = "unshelving";
// Rescue.
inline constexpr std::string_view kRescuing = "rescuing";
inline constexpr std::string_view kUnrescuing = "unrescuing";
}  // namespace task_state

}  // namespace stratus::core::compute
