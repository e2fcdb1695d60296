// VirtDriver: the contract between a compute service and a hypervisor.
//
// It follows Nova's ComputeDriver (nova/virt/driver.py) where that applies, so a
// Nova operator finds the same verbs. One driver object manages one compute
// node (host); a process that simulates many hosts creates many objects.
//
// Rules for every method:
// - No exception escapes. Failures come back as a Status with one of the codes
//   listed for the method; anything else is a driver bug and is reported as
//   kInternal by the caller.
// - Thread-safety: the compute service calls methods concurrently from several
//   threads, but never two state-changing operations on the same instance at
//   once (it holds a per-instance lock, as Nova does). get_info,
//   list_instances, get_available_resource and get_console_output may run at any
//   time, concurrently with anything. A driver must be safe under that pattern.
// - Blocking: methods run on the compute service's worker threads and may block
//   for as long as the hypervisor takes; those that wait for a guest take a
//   timeout from the caller or from the driver's own config.
// - State on failure: a failed spawn leaves no guest and no files behind; every
//   other failed operation leaves the guest as it was, or says otherwise.
//
// Growing the interface: new methods are appended at the end with a default
// that returns kNotSupported, and kAbiVersion goes up (docs/sdk.md changelog).
// Released signatures never change. Mandatory: spawn, destroy, get_info,
// list_instances; everything else has a default.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stratus/sdk/block_device_info.h"
#include "stratus/sdk/diagnostics.h"
#include "stratus/sdk/driver_capabilities.h"
#include "stratus/sdk/host_resources.h"
#include "stratus/sdk/image_meta.h"
#include "stratus/sdk/instance.h"
#include "stratus/sdk/instance_info.h"
#include "stratus/sdk/lifecycle_event.h"
#include "stratus/sdk/log.h"
#include "stratus/sdk/network_info.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/security_group_rule.h"
#include "stratus/sdk/status.h"
#include "stratus/sdk/version.h"

namespace stratus::sdk {

enum class RebootType : std::uint8_t {
  kSoft = 0,  // ask the guest (ACPI); the driver may fall back to hard
  kHard = 1,  // power-cycle the guest
};

// A file to write into the guest (path in the guest, contents).
using InjectedFiles = std::vector<std::pair<std::string, std::string>>;

class VirtDriver {
 public:
  virtual ~VirtDriver() = default;

  // Prepares the driver to serve `host`; called once, before any other method.
  // Blocking; not concurrent with anything. Idempotent.
  // Errors: kUnavailable (hypervisor unreachable), kInvalidArgument (bad config).
  virtual Status init_host(const std::string& host) {
    (void)host;
    return Status::OK();
  }

  // Releases what init_host acquired; called once, last. Idempotent.
  virtual Status cleanup_host(const std::string& host) {
    (void)host;
    return Status::OK();
  }

  // What this driver can do. Must not block; must return the same value for the
  // life of the object. Callers treat a false flag as kNotSupported up front.
  virtual DriverCapabilities capabilities() const { return {}; }

  // Creates the guest and starts it; on success get_info reports kRunning.
  // Blocking (may take seconds). Not idempotent: an instance that already exists
  // yields kAlreadyExists and is left alone. On any failure nothing is left behind.
  // Errors: kAlreadyExists, kInvalidArgument (flavor/image/network unusable),
  // kNotSupported (image format), kUnavailable, kTimeout, kInternal.
  virtual Status spawn(const RequestContext& ctx, const Instance& instance, const ImageMeta& image_meta,
                       const InjectedFiles& injected_files, const std::string& admin_password,
                       const NetworkInfo& network_info, const BlockDeviceInfo& block_device_info) = 0;

  // Stops the guest and removes it (and its disks when destroy_disks). Blocking.
  // Idempotent: destroying a guest that does not exist returns OK, because a
  // delete retried after a crash must succeed.
  // Errors: kUnavailable, kTimeout, kInternal.
  virtual Status destroy(const RequestContext& ctx, const Instance& instance, const NetworkInfo& network_info,
                         const BlockDeviceInfo& block_device_info, bool destroy_disks) = 0;

  // Reboots. Soft: from kRunning only (the guest must answer ACPI). Hard: from
  // kRunning, kPaused, kShutdown or kCrashed. Ends kRunning. Blocking.
  // Errors: kNotFound, kInvalidState, kNotSupported, kTimeout, kUnavailable.
  virtual Status reboot(const RequestContext& ctx, const Instance& instance, const NetworkInfo& network_info,
                        RebootType type, const BlockDeviceInfo& block_device_info) {
    (void)ctx, (void)instance, (void)network_info, (void)type, (void)block_device_info;
    return Status::NotSupported("reboot");
  }

  // Powers off: clean shutdown, waiting up to timeout_s (0: hard at once), then
  // hard. From kRunning or kPaused; already kShutdown is OK (idempotent). Blocking.
  // Errors: kNotFound, kInvalidState (suspended), kNotSupported, kUnavailable.
  virtual Status power_off(const RequestContext& ctx, const Instance& instance, std::int32_t timeout_s,
                           std::int32_t retry_interval_s) {
    (void)ctx, (void)instance, (void)timeout_s, (void)retry_interval_s;
    return Status::NotSupported("power_off");
  }

  // Powers on a kShutdown or kCrashed guest; already kRunning is OK. Blocking.
  // Errors: kNotFound, kInvalidState (paused, suspended), kNotSupported, kUnavailable.
  virtual Status power_on(const RequestContext& ctx, const Instance& instance, const NetworkInfo& network_info,
                          const BlockDeviceInfo& block_device_info) {
    (void)ctx, (void)instance, (void)network_info, (void)block_device_info;
    return Status::NotSupported("power_on");
  }

  // kRunning -> kPaused. Not idempotent (pausing a paused guest is kInvalidState,
  // as libvirt answers). Errors: kNotFound, kInvalidState, kNotSupported.
  virtual Status pause(const RequestContext& ctx, const Instance& instance) {
    (void)ctx, (void)instance;
    return Status::NotSupported("pause");
  }

  // kPaused -> kRunning. Errors: kNotFound, kInvalidState, kNotSupported.
  virtual Status unpause(const RequestContext& ctx, const Instance& instance) {
    (void)ctx, (void)instance;
    return Status::NotSupported("unpause");
  }

  // kRunning or kPaused -> kSuspended (memory saved to disk). Blocking.
  // Errors: kNotFound, kInvalidState, kNotSupported.
  virtual Status suspend(const RequestContext& ctx, const Instance& instance) {
    (void)ctx, (void)instance;
    return Status::NotSupported("suspend");
  }

  // kSuspended -> kRunning. Blocking. Errors: kNotFound, kInvalidState, kNotSupported.
  virtual Status resume(const RequestContext& ctx, const Instance& instance, const NetworkInfo& network_info,
                        const BlockDeviceInfo& block_device_info) {
    (void)ctx, (void)instance, (void)network_info, (void)block_device_info;
    return Status::NotSupported("resume");
  }

  // Re-creates the guest's root disk from image_meta and starts it; ends
  // kRunning. From kRunning, kShutdown or kCrashed. Blocking.
  // Errors: kNotFound, kInvalidState, kNotSupported, kUnavailable, kInternal.
  virtual Status rebuild(const RequestContext& ctx, const Instance& instance, const ImageMeta& image_meta,
                         const InjectedFiles& injected_files, const std::string& admin_password,
                         const NetworkInfo& network_info, const BlockDeviceInfo& block_device_info,
                         bool preserve_ephemeral) {
    (void)ctx, (void)instance, (void)image_meta, (void)injected_files, (void)admin_password;
    (void)network_info, (void)block_device_info, (void)preserve_ephemeral;
    return Status::NotSupported("rebuild");
  }

  // The guest's state, fresh from the hypervisor. Must not block for long; safe
  // to call concurrently with anything. Errors: kNotFound, kUnavailable.
  virtual Result<InstanceInfo> get_info(const Instance& instance) = 0;

  // Uuids of the guests this driver manages on its host (and only those: guests
  // the hypervisor runs for others are not listed). Errors: kUnavailable.
  virtual Result<std::vector<std::string>> list_instances() = 0;

  // The node's inventory and usage. Called periodically; must not block for long.
  // Errors: kUnavailable, kNotSupported.
  virtual Result<HostResources> get_available_resource(const std::string& nodename) {
    (void)nodename;
    return Status::NotSupported("get_available_resource");
  }

  // The tail of the guest's serial console log (the driver bounds its size).
  // Errors: kNotFound, kNotSupported, kUnavailable.
  virtual Result<std::string> get_console_output(const RequestContext& ctx, const Instance& instance) {
    (void)ctx, (void)instance;
    return Status::NotSupported("get_console_output");
  }

  // ---- ABI 2 ----------------------------------------------------------------
  // The core calls what follows only on a plugin built for ABI 2 or later: a
  // plugin built for ABI 1 has no such entry in its vtable.

  // Starts forwarding the guests' lifecycle events (lifecycle_event.h) of this
  // driver's host to `listener`; an empty listener stops forwarding. A driver
  // that cannot tell its guests from others on the same hypervisor cheaply
  // may report those too: the core ignores uuids it has not placed on this
  // host. Called after init_host (and again with
  // an empty listener before cleanup_host); not concurrent with itself. Once
  // it returns, the previous listener is not running and is never called
  // again, so the caller may destroy what it captured.
  // Errors: kNotSupported (the default: the core relies on its periodic
  // sync), kUnavailable (the hypervisor cannot be reached to subscribe).
  virtual Status register_lifecycle_listener(LifecycleListener listener) {
    (void)listener;
    return Status::NotSupported("register_lifecycle_listener");
  }

#if STRATUS_SDK_TARGET_ABI >= 4
  // ---- ABI 4 ----------------------------------------------------------------
  // Called only on plugins built for ABI 4 or later.

  // What the hypervisor reports about a guest (diagnostics.h), for the
  // admin's GET /servers/{id}/diagnostics. Must not block for long; safe to
  // call concurrently with anything.
  // Errors: kNotFound, kInvalidState (the guest is not running),
  // kNotSupported (the default), kUnavailable.
  virtual Result<Diagnostics> get_diagnostics(const RequestContext& ctx, const Instance& instance) {
    (void)ctx, (void)instance;
    return Status::NotSupported("get_diagnostics");
  }

  // Makes the guest's interfaces enforce `ports` (security_group_rule.h),
  // replacing whatever was enforced before. The compute service calls it
  // before spawn (the guest is created with its filters in place: a driver
  // keeps the rules of an instance it has not spawned yet) and again each
  // time a port's groups or a group's rules change. Idempotent. Blocking.
  // Errors: kInvalidArgument (a rule the driver cannot express),
  // kNotSupported (the default: the driver enforces nothing, and the compute
  // service logs that once per host), kUnavailable.
  virtual Status apply_security_groups(const RequestContext& ctx, const Instance& instance,
                                       const std::vector<PortSecurity>& ports) {
    (void)ctx, (void)instance, (void)ports;
    return Status::NotSupported("apply_security_groups");
  }
#endif  // ABI 4

#if STRATUS_SDK_TARGET_ABI >= 5
  // ---- ABI 5: set_logger ------------------------------------------------------
  // The logger to write through (log.h). The core calls it once, right after
  // the factory returns and before init_host, only on plugins built for ABI 5
  // or later. The default ignores it.
  virtual void set_logger(std::shared_ptr<Logger> logger) { (void)logger; }

  // ---- ABI 5: snapshot --------------------------------------------------------
  // Writes a copy of the guest's root disk, as the data of image `image`
  // (its id, name, disk_format and container_format are the image service's
  // record), to a new file at `path`; the compute service uploads that file
  // to the image service and removes it (Nova's ComputeDriver.snapshot,
  // with the upload left to the core). The guest may be running, paused or
  // shut off, and is left as it was. Blocking. On failure no file is left.
  // Errors: kNotFound, kInvalidArgument (a disk_format the driver cannot
  // write), kNotSupported (the default), kUnavailable, kInternal.
  virtual Status snapshot(const RequestContext& ctx, const Instance& instance, const ImageMeta& image,
                          const std::string& path) {
    (void)ctx, (void)instance, (void)image, (void)path;
    return Status::NotSupported("snapshot");
  }
#endif  // ABI 5

#if STRATUS_SDK_TARGET_ABI >= 6
  // ---- ABI 6: interfaces and crash dumps ------------------------------------
  // Called only on plugins built for ABI 6 or later; an older plugin's host
  // answers kNotSupported without calling (the API then says, as Nova does,
  // that the operation is not supported for the instance).

  // Plugs the port `vif` (already allocated: its MAC, network and fixed IPs
  // are final) into the guest, hot-plugged when it runs (Nova's
  // ComputeDriver.attach_interface). The guest may be running, paused or
  // shut off; a guest that is shut off gets the interface in its definition
  // and sees it at its next boot. Blocking. On failure the guest is left as
  // it was. Errors: kNotFound (no such guest), kAlreadyExists (a port of that
  // id is plugged already), kInvalidState, kNotSupported (the default),
  // kUnavailable, kInternal.
  virtual Status attach_interface(const RequestContext& ctx, const Instance& instance, const Vif& vif) {
    (void)ctx, (void)instance, (void)vif;
    return Status::NotSupported("attach_interface");
  }

  // Unplugs the port `vif` (as attach_interface plugged it, or as spawn did)
  // from the guest. Blocking. Errors: kNotFound (no such guest, or no
  // interface with that port's MAC), kInvalidState, kNotSupported (the
  // default), kUnavailable, kInternal.
  virtual Status detach_interface(const RequestContext& ctx, const Instance& instance, const Vif& vif) {
    (void)ctx, (void)instance, (void)vif;
    return Status::NotSupported("detach_interface");
  }

  // Makes the guest's kernel dump its memory, as a non-maskable interrupt
  // does (Nova's trigger_crash_dump; libvirt's virDomainInjectNMI). What the
  // guest then does is its own configuration's business: the driver changes
  // no power state. Blocking (briefly). Errors: kNotFound, kInvalidState
  // (the guest is not running), kNotSupported (the default), kUnavailable.
  virtual Status trigger_crash_dump(const RequestContext& ctx, const Instance& instance) {
    (void)ctx, (void)instance;
    return Status::NotSupported("trigger_crash_dump");
  }
#endif  // ABI 6

#if STRATUS_SDK_TARGET_ABI >= 7
  // ---- ABI 7: rescue ----------------------------------------------------------
  // Called only on plugins built for ABI 7 or later; an older plugin's host
  // answers kNotSupported without calling (the API then answers Nova's 501
  // "The rescue operation is not implemented by this cloud.").

  // Boots the guest from `rescue_image` with its own root disk attached as
  // the second disk (Nova's ComputeDriver.rescue): the user repairs the
  // original disk from a known good system. The guest may be running or
  // shut off; it ends running the rescue system. `admin_password` is the
  // rescue system's (given or generated by the API; "" when none). The
  // original definition is kept, so unrescue can put it back. Blocking.
  // Errors: kNotFound, kInvalidState, kNotSupported (the default),
  // kUnavailable, kInternal.
  virtual Status rescue(const RequestContext& ctx, const Instance& instance, const NetworkInfo& network_info,
                        const ImageMeta& rescue_image, const std::string& admin_password) {
    (void)ctx, (void)instance, (void)network_info, (void)rescue_image, (void)admin_password;
    return Status::NotSupported("rescue");
  }

  // Leaves rescue: the rescue system is stopped and its disk removed, and
  // the guest boots from its own disk again, as before rescue (Nova's
  // ComputeDriver.unrescue). Blocking. Errors: kNotFound, kInvalidState
  // (not rescued), kNotSupported (the default), kUnavailable, kInternal.
  virtual Status unrescue(const RequestContext& ctx, const Instance& instance, const NetworkInfo& network_info) {
    (void)ctx, (void)instance, (void)network_info;
    return Status::NotSupported("unrescue");
  }
#endif  // ABI 7
};

}  // namespace stratus::sdk
