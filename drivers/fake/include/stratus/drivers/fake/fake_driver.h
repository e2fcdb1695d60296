// FakeDriver: an in-memory hypervisor, the `fake` VirtDriver plugin.
//
// It is a product, not a stub (Nova's FakeDriver, libvirt's test driver): one
// object is one compute host with its own guests, and it keeps the power-state
// machine of a real libvirt/QEMU host, so the core's state handling is tested
// against the answers a real hypervisor gives:
//
//   spawn         (none)                        -> running  (exists: kAlreadyExists)
//   destroy       any                           -> (none)   (missing: OK)
//   reboot soft   running                       -> running
//   reboot hard   running, paused, shutdown,
//                 crashed                       -> running
//   power_off     running, paused, crashed      -> shutdown (shutdown: OK)
//   power_on      shutdown, crashed             -> running  (running: OK)
//   pause         running                       -> paused
//   unpause       paused                        -> running
//   suspend       running, paused               -> suspended
//   resume        suspended                     -> running
//   rebuild       running, shutdown, crashed    -> running  (records the new image)
//   crash()       running                       -> crashed  (test hook: guest panic)
//   get_diagnostics  any                           (the compute service asks only of running guests)
//   apply_security_groups  any, or before spawn   (kept per instance until destroy)
//   snapshot      running, paused, suspended,
//                 shutdown                      (writes a disk image; the state is kept)
//   attach_interface / detach_interface
//                 running, paused, shutdown     (network_info grows or shrinks; a port
//                                                plugged twice: kAlreadyExists; a MAC
//                                                not plugged: kNotFound)
//   trigger_crash_dump  running                 -> running  (counts the NMI; the guest keeps running)
//
// Anything else is kInvalidState naming the instance and its state; an
// operation on a guest this host does not have is kNotFound (except destroy).
// Sizes (vcpus, RAM, disk) are bookkeeping only: spawn does not refuse a host
// that is full, because claims are the resource tracker's job, as in Nova.
//
// Faults: each operation can be scripted to fail, be slow or hang (see
// fault_spec.h) host-wide, from config `fault.<op>` or inject_fault(), or for
// one instance, from its metadata `stratus:fake_fault:<op>`. An instance's own
// spec takes precedence over the host-wide one for its calls. A faulted call
// changes nothing. Counts ("*N") are per host; for metadata, per host and
// instance.
//
// Thread-safety: every method may be called from any thread at any time. One
// mutex per host guards its state; it is never held while a call waits in a
// delay or hang. Many hosts in one process share nothing, and an idle host
// costs a few kilobytes and no thread, so thousands are cheap.
//
// Lifetime: cleanup_host() and the destructor end every delay or hang in
// progress (those calls return kUnavailable); the destructor then waits until
// every call in progress has returned. Until init_host() is called again after
// cleanup_host(), injected delays and hangs end at once with kUnavailable.
//
// Persistence: with `state_file` set (fake_driver_config.h), the guests
// outlive the process, as a libvirt/QEMU host's domains outlive a killed
// nova-compute. The first init_host takes the file's lock and loads it
// (running guests keep running; their cpu time goes on from what was saved;
// the console log starts again), then every change of a guest (spawn,
// destroy, a power action, rebuild, crash) rewrites it atomically under the
// host's lock. Nothing is saved before that first init_host. A save that
// fails is logged and tried again at the next change: the guests in memory
// stay the truth.
//
// No method throws.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stratus/drivers/fake/fake_driver_config.h"
#include "stratus/drivers/fake/fault_spec.h"
#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/virt_driver.h"

namespace stratus::drivers::fake {

class StateFile;

// Metadata key prefix for per-instance faults: "stratus:fake_fault:spawn".
inline constexpr std::string_view kMetadataFaultPrefix = "stratus:fake_fault:";

// What the fake hypervisor knows of one guest (a copy, for tests and tools).
struct FakeGuest {
  std::string uuid;
  std::string name;
  sdk::PowerState state = sdk::PowerState::kNoState;
  std::string image_id;      // the image it was spawned or last rebuilt from
  sdk::Flavor flavor;
  std::uint32_t boot_count = 0;  // times the guest OS started (spawn, reboot, power_on, rebuild)
  std::uint32_t rebuild_count = 0;
  std::size_t injected_files = 0;
  // What the last spawn or rebuild was given to write into the guest: the
  // files (path, contents) and the admin password ("" : none).
  sdk::InjectedFiles files{};
  std::string admin_password{};
  bool config_drive = false;
  sdk::NetworkInfo network_info;  // as spawned, then as interfaces were attached and detached
  std::uint32_t crash_dumps = 0;  // NMIs injected by trigger_crash_dump
  std::string rescue_image_id{};  // the rescue system it runs; "" : not rescued
};

class FakeDriver final : public sdk::VirtDriver {
 public:
  // The config must be valid (FakeDriverConfig::validate()); make_fake_driver
  // checks it. Cheap: no thread, no I/O.
  explicit FakeDriver(FakeDriverConfig config = {});
  // Ends delays and hangs in progress and waits for every call in progress.
  ~FakeDriver() override;

  FakeDriver(const FakeDriver&) = delete;
  FakeDriver& operator=(const FakeDriver&) = delete;

  // --- VirtDriver -------------------------------------------------------------
  // init_host names the host (a non-empty argument replaces the config's
  // `host`) and re-arms fault waits after a cleanup_host. Guests survive
  // cleanup_host + init_host, as domains survive a nova-compute restart.
  // With a state_file, the first call opens it (see Persistence above).
  // Errors: kInvalidArgument (the file is not a fake host's guest list: the
  // message names the file and what is wrong), kAlreadyExists (another fake
  // host holds it), kUnavailable (it cannot be read or written); the host is
  // then unchanged and a later init_host tries again.
  sdk::Status init_host(const std::string& host) override;
  sdk::Status cleanup_host(const std::string& host) override;
  sdk::DriverCapabilities capabilities() const override;

  sdk::Status spawn(const sdk::RequestContext& ctx, const sdk::Instance& instance, const sdk::ImageMeta& image_meta,
                    const sdk::InjectedFiles& injected_files, const std::string& admin_password,
                    const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info) override;
  sdk::Status destroy(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                      const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info,
                      bool destroy_disks) override;
  sdk::Status reboot(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                     const sdk::NetworkInfo& network_info, sdk::RebootType type,
                     const sdk::BlockDeviceInfo& block_device_info) override;
  // timeout_s > 0: the guest shuts down cleanly (it always answers ACPI unless
  // paused or crashed); timeout_s <= 0: hard power-off.
  sdk::Status power_off(const sdk::RequestContext& ctx, const sdk::Instance& instance, std::int32_t timeout_s,
                        std::int32_t retry_interval_s) override;
  sdk::Status power_on(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                       const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info) override;
  sdk::Status pause(const sdk::RequestContext& ctx, const sdk::Instance& instance) override;
  sdk::Status unpause(const sdk::RequestContext& ctx, const sdk::Instance& instance) override;
  sdk::Status suspend(const sdk::RequestContext& ctx, const sdk::Instance& instance) override;
  sdk::Status resume(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                     const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info) override;
  sdk::Status rebuild(const sdk::RequestContext& ctx, const sdk::Instance& instance, const sdk::ImageMeta& image_meta,
                      const sdk::InjectedFiles& injected_files, const std::string& admin_password,
                      const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info,
                      bool preserve_ephemeral) override;
  // cpu_time_ns grows with wall time while the guest runs, and stands still otherwise.
  sdk::Result<sdk::InstanceInfo> get_info(const sdk::Instance& instance) override;
  // Sorted uuids of this host's guests.
  sdk::Result<std::vector<std::string>> list_instances() override;
  // Totals from config; usage summed over this host's guests in every power
  // state (a stopped guest keeps its claim, as in Nova); running_vms counts
  // the guests. `nodename` is not checked: one fake host is one node.
  sdk::Result<sdk::HostResources> get_available_resource(const std::string& nodename) override;
  // The tail of the guest's serial log, at most console_log_bytes.
  sdk::Result<std::string> get_console_output(const sdk::RequestContext& ctx, const sdk::Instance& instance) override;

  // Keeps `listener` for emit_lifecycle_event (the fake hypervisor reports no
  // event by itself: tests script them). Empty: forget it; once this returns
  // the old listener is not running and never called again.
  sdk::Status register_lifecycle_listener(sdk::LifecycleListener listener) override;

  // ABI 4. Diagnostics of a guest: state, uptime since its last boot, cpu
  // time, the flavor's memory, one nic per vif (counters 0: the fake moves
  // no packets), one disk; utilisation and rates unknown. driver is
  // "libvirt", as Nova's fake driver says: Nova's API knows no other name
  // for a libvirt-like host.
  sdk::Result<sdk::Diagnostics> get_diagnostics(const sdk::RequestContext& ctx,
                                                const sdk::Instance& instance) override;
  // Records `ports` for the instance, spawned or not (a build applies them
  // before spawn); destroy forgets them. Refuses (kInvalidArgument) a rule
  // with an unknown direction or ethertype, as a real filter would.
  sdk::Status apply_security_groups(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                    const std::vector<sdk::PortSecurity>& ports) override;
  // ABI 5. Where the host's own lines go (spawns, destroys, failures); a
  // NullLogger until the core calls it.
  void set_logger(std::shared_ptr<sdk::Logger> logger) override;

  // ABI 5. Writes a small raw disk image of the guest to `path`: a text
  // header naming the guest, the image it runs and the snapshot's image
  // id, padded with zeros to 64 KiB, so a server booted from the snapshot
  // boots from real image data. A crashed guest is kInvalidState; a disk_format other than raw/qcow2/ami/iso kInvalidArgument.
  sdk::Status snapshot(const sdk::RequestContext& ctx, const sdk::Instance& instance, const sdk::ImageMeta& image,
                       const std::string& path) override;

  // ABI 6. Hot-plug and unplug of a port (by MAC, as libvirt matches the
  // device); the guest's network_info shows the result. Detach also drops
  // the port's recorded rules.
  sdk::Status attach_interface(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                               const sdk::Vif& vif) override;
  sdk::Status detach_interface(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                               const sdk::Vif& vif) override;
  // ABI 6. Counts the NMI (FakeGuest::crash_dumps) and notes it on the
  // console; the guest keeps running.
  sdk::Status trigger_crash_dump(const sdk::RequestContext& ctx, const sdk::Instance& instance) override;

  // ABI 7. Rescue boots the rescue image (FakeGuest::rescue_image_id) from
  // running or shutdown, the guest's own disk attached (noted on the
  // console); unrescue boots its own image again. Unrescue of a guest that
  // is not rescued is kInvalidState.
  sdk::Status rescue(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                     const sdk::NetworkInfo& network_info, const sdk::ImageMeta& rescue_image,
                     const std::string& admin_password) override;
  sdk::Status unrescue(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                       const sdk::NetworkInfo& network_info) override;

  // --- Faults (for tests and scale runs) ---------------------------------------
  // Replaces the host-wide fault of `op`. Errors: kInvalidArgument (bad spec;
  // the previous fault is kept). "none" clears it.
  sdk::Status inject_fault(FakeOperation op, std::string_view spec);
  void inject_fault(FakeOperation op, const FaultSpec& spec);
  // Clears host-wide faults (config ones too) and per-instance fault counts.
  void clear_faults();
  void clear_fault(FakeOperation op);

  // --- Inspection and test hooks -------------------------------------------------
  // The guest's kernel panics: running -> crashed.
  // Errors: kNotFound, kInvalidState.
  sdk::Status crash(const std::string& uuid);
  // Hands `event` to the registered listener, on the calling thread, as a
  // hypervisor's event loop would. False when no listener is registered.
  bool emit_lifecycle_event(const sdk::LifecycleEvent& event);
  // A copy of what the host knows of the guest, or nullopt.
  std::optional<FakeGuest> guest(const std::string& uuid) const;
  // The rules last applied to the instance's ports, or nullopt if none were.
  std::optional<std::vector<sdk::PortSecurity>> security_groups(const std::string& uuid) const;
  // How many apply_security_groups calls succeeded on this host.
  std::size_t security_group_applies() const;
  std::size_t instance_count() const;
  std::string host() const;
  // Calls blocked right now in an injected delay or hang (lets tests wait for
  // a call to be parked without sleeping blindly).
  std::size_t waiting_calls() const;
  const FakeDriverConfig& config() const { return config_; }

 private:
  struct Guest;
  // Opens config_.state_file on the first init_host and loads its guests.
  sdk::Status open_state_file();
  // Writes every guest to the state file, if one is open (under the lock).
  void save_state();
  // The guests' clock: config_.clock, else steady_clock.
  std::chrono::steady_clock::time_point now() const {
    return config_.clock ? config_.clock() : std::chrono::steady_clock::now();
  }
  struct ActiveFault {
    FaultSpec spec;
    std::optional<std::uint64_t> remaining;  // nullopt: every call
    std::string source;                      // "config key 'fault.spawn'"
  };
  struct FaultHit {
    FaultSpec spec;
    std::string source;
  };
  struct MetadataFaultUse {
    std::string spec_text;
    std::uint64_t used = 0;
  };
  class CallScope;

  // Runs `body` (under the lock) after applying any fault for `op`.
  template <typename R, typename Body>
  R run(FakeOperation op, const sdk::Instance* instance, Body&& body) noexcept;
  sdk::Status apply_fault(FakeOperation op, const sdk::Instance* instance, std::unique_lock<std::mutex>& lock);
  sdk::Result<std::optional<FaultHit>> take_fault(FakeOperation op, const sdk::Instance* instance);
  sdk::Status check_metadata_faults(const sdk::Instance& instance) const;

  Guest* find(const std::string& uuid);
  sdk::Status not_found(const sdk::Instance& instance) const;
  sdk::Status refuse(std::string_view what, const Guest& guest, std::string_view allowed) const;
  sdk::Status check_image(const sdk::Instance& instance, const sdk::ImageMeta& image_meta) const;

  const FakeDriverConfig config_;
  // Set once, before any other call (virt_driver.h), so read without a lock.
  std::shared_ptr<sdk::Logger> log_ = std::make_shared<sdk::NullLogger>();
  mutable std::mutex mutex_;
  std::condition_variable cv_;  // fault waits, and the destructor waiting for calls
  std::string host_;
  bool stopping_ = false;       // set by cleanup_host and the destructor
  std::size_t active_calls_ = 0;
  std::size_t waiting_calls_ = 0;
  std::map<std::string, std::unique_ptr<Guest>> guests_;
  std::unique_ptr<StateFile> state_file_;  // null: guests live in memory only
  std::map<std::string, std::vector<sdk::PortSecurity>> port_security_;  // by instance uuid
  std::size_t security_group_applies_ = 0;
  std::array<std::optional<ActiveFault>, kFakeOperationCount> faults_{};
  std::map<std::pair<std::string, FakeOperation>, MetadataFaultUse> metadata_fault_uses_;
  // Held while the listener runs, so replacing it waits for a call in flight.
  std::mutex listener_mutex_;
  sdk::LifecycleListener listener_;  // guarded by listener_mutex_
};

// The plugin factory: reads [driver.fake], refuses unknown keys and bad values
// (kInvalidArgument naming the key), and returns a new fake host.
sdk::Result<std::unique_ptr<sdk::VirtDriver>> make_fake_driver(const sdk::PluginConfig& config);

// The same, typed, for tests and tools that want the fault and inspection hooks.
sdk::Result<std::unique_ptr<FakeDriver>> make_fake_driver_typed(const sdk::PluginConfig& config);

}  // namespace stratus::drivers::fake
