// LibvirtDriver: the `libvirt` VirtDriver plugin. One object is one compute
// host whose guests are libvirt domains (QEMU/KVM), as Nova's LibvirtDriver.
//
// Guests: domain name = instance.name, domain uuid = instance.uuid, and a
// <stratus:instance> metadata element (guest_xml.h) that marks the domains
// this driver manages; list_instances lists only those. Files, per instance:
//
//   <instances_path>/<uuid>/disk         qcow2 overlay on the cached image,
//                                        sized to the flavor's root_gb
//                          /disk.eph0    ephemeral disk (flavor ephemeral_gb)
//                          /disk.swap    swap disk (flavor swap_mb)
//                          /kernel, /ramdisk   direct kernel boot images
//                          /console.log  the serial console
//
// Power states (get_info), mapped from libvirt as Nova maps them: running and
// blocked -> kRunning, paused -> kPaused, shutting down and shut off ->
// kShutdown (but shut off with a managed-save image -> kSuspended), crashed ->
// kCrashed, pmsuspended -> kSuspended, nostate -> kNoState. The operations
// follow the SDK's state machine (as the fake driver does):
//
//   spawn        (none) -> running; any failure removes the domain and the
//                instance directory (the shared image cache stays)
//   destroy      any -> (none); OK when already gone; disks removed when asked
//   reboot soft  running: ACPI power-off, wait soft_reboot_timeout, start;
//                a guest that does not go down in time is rebooted hard
//   reboot hard  running, paused, shutdown, crashed: destroy + start
//   power_off    running, paused, crashed -> shutdown (ACPI for up to
//                timeout_s, re-sent every retry_interval_s, then hard)
//   power_on     shutdown, crashed -> running (running: OK)
//   pause        running -> paused;   unpause  paused -> running
//   suspend      running, paused -> suspended (managed save)
//   resume       suspended -> running
//   rebuild      running, shutdown, crashed -> running on a fresh root disk
//
// Errors: kNotFound for a guest this host does not have; kInvalidState naming
// the state; kUnavailable when libvirt cannot be reached (the next call
// reconnects); libvirt's own failures as mapped in connection.h.
//
// Thread-safety: as the SDK requires. The connection is shared by all calls
// (libvirt connections are thread-safe) and replaced under a mutex when lost.
// Every log line carries the request id.
//
// No method throws.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "stratus/drivers/libvirt/connection.h"
#include "stratus/drivers/libvirt/disk_backend.h"
#include "stratus/drivers/libvirt/guest_xml.h"
#include "stratus/drivers/libvirt/libvirt_config.h"
#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/virt_driver.h"

namespace stratus::drivers::libvirt {

struct ConfigDriveInjection;  // src/config_drive.h

class LibvirtDriver final : public sdk::VirtDriver {
 public:
  // `config` must be valid (LibvirtConfig::validate()). No I/O until the
  // first call (init_host connects; any call connects if not yet connected).
  LibvirtDriver(LibvirtConfig config, ConnectionFactory connect, std::shared_ptr<DiskBackend> disks);
  ~LibvirtDriver() override;
  LibvirtDriver(const LibvirtDriver&) = delete;
  LibvirtDriver& operator=(const LibvirtDriver&) = delete;

  // Connects to the configured URI. Errors: kUnavailable.
  sdk::Status init_host(const std::string& host) override;
  // Closes the connection (guests keep running, as with nova-compute stopped).
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
  // timeout_s < 0 uses clean_shutdown_timeout_s from the config; 0 is hard at once.
  sdk::Status power_off(const sdk::RequestContext& ctx, const sdk::Instance& instance, std::int32_t timeout_s,
                        std::int32_t retry_interval_s) override;
  sdk::Status power_on(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                       const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info) override;
  sdk::Status pause(const sdk::RequestContext& ctx, const sdk::Instance& instance) override;
  sdk::Status unpause(const sdk::RequestContext& ctx, const sdk::Instance& instance) override;
  sdk::Status suspend(const sdk::RequestContext& ctx, const sdk::Instance& instance) override;
  sdk::Status resume(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                     const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info) override;
  // Stops the guest (ACPI up to clean_shutdown_timeout_s, then hard), replaces
  // its root disk (and ephemeral disk unless preserve_ephemeral) from
  // image_meta, redefines it and starts it. On failure after the old disk is
  // gone the guest is left shut off or undefined, and the error says which.
  sdk::Status rebuild(const sdk::RequestContext& ctx, const sdk::Instance& instance, const sdk::ImageMeta& image_meta,
                      const sdk::InjectedFiles& injected_files, const std::string& admin_password,
                      const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info,
                      bool preserve_ephemeral) override;
  sdk::Result<sdk::InstanceInfo> get_info(const sdk::Instance& instance) override;
  // Sorted uuids of the domains that carry Stratus' metadata element.
  sdk::Result<std::vector<std::string>> list_instances() override;
  // The node's CPUs and memory from libvirt, the disk of instances_path from
  // statvfs; vcpus_used and running_vms over this driver's running guests.
  sdk::Result<sdk::HostResources> get_available_resource(const std::string& nodename) override;
  // The last console_log_bytes of the guest's console log ("" before the
  // guest wrote anything).
  sdk::Result<std::string> get_console_output(const sdk::RequestContext& ctx, const sdk::Instance& instance) override;

  // Forwards libvirt's domain lifecycle events (from its event loop thread):
  // started -> kStarted, resumed -> kResumed, suspended -> kPaused, stopped
  // and crashed -> kStopped, pmsuspended -> kSuspended; defined, undefined
  // and "shutting down" are not power changes and are dropped. Events of
  // every domain on the connection are forwarded (telling ours apart would
  // take a libvirt call on the event loop thread). Survives a reconnect.
  // Errors: kUnavailable, kNotSupported (a hypervisor without events).
  sdk::Status register_lifecycle_listener(sdk::LifecycleListener listener) override;

  // ABI 4. From virDomainGetInfo (state, memory), virDomainGetVcpus (per
  // vCPU time), and per device from the live XML: virDomainBlockStats for
  // each disk, virDomainInterfaceStats for each interface with a host
  // device. A counter libvirt cannot give stays unknown (null in the API);
  // uptime is unknown (libvirt does not say). Errors: kNotFound, kUnavailable.
  sdk::Result<sdk::Diagnostics> get_diagnostics(const sdk::RequestContext& ctx,
                                                const sdk::Instance& instance) override;
  // One nwfilter per port (nwfilter_xml.h), defined (or redefined: libvirt
  // re-applies it to a running guest) with virNWFilterDefineXML. The rules
  // are kept per instance, so a spawn after this call writes the
  // <filterref> of each bridge interface; destroy undefines the filters.
  // Errors: kInvalidArgument (a rule nwfilter cannot express; nothing is
  // defined), kNotSupported (a hypervisor connection without nwfilter),
  // kUnavailable.
  sdk::Status apply_security_groups(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                    const std::vector<sdk::PortSecurity>& ports) override;
  // ABI 5. Where the driver's lines go; a NullLogger until the core calls it.
  void set_logger(std::shared_ptr<sdk::Logger> logger) override;
  // ABI 5. The root disk flattened into a stand-alone image of the image's
  // disk_format (qcow2 or raw) by DiskBackend::export_disk. A running guest
  // is paused meanwhile (QEMU flushes its disk when it pauses) and resumed
  // after; a paused or shut-off one is left as it is. Errors: kNotFound,
  // kInvalidArgument (another disk format), kUnavailable, kInternal.
  sdk::Status snapshot(const sdk::RequestContext& ctx, const sdk::Instance& instance, const sdk::ImageMeta& image,
                       const std::string& path) override;
  // ABI 6. The port's <interface> (as spawn writes it, with its nwfilter
  // when rules were applied) attached to or detached from the domain with
  // virDomainAttachDeviceFlags / virDomainDetachDeviceFlags: live and in the
  // definition for a running or paused guest, in the definition only for a
  // shut-off one. Errors: kNotFound, kInvalidState (suspended or crashed),
  // kInvalidArgument (no bridge for the port's network), kNotSupported
  // (a hypervisor without hot-plug), kUnavailable.
  sdk::Status attach_interface(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                               const sdk::Vif& vif) override;
  sdk::Status detach_interface(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                               const sdk::Vif& vif) override;
  // ABI 6. virDomainInjectNMI. Errors: kNotFound, kInvalidState (not
  // running), kNotSupported (the hypervisor cannot), kUnavailable.
  sdk::Status trigger_crash_dump(const sdk::RequestContext& ctx, const sdk::Instance& instance) override;
  // ABI 7 (src/rescue.cpp), as Nova's libvirt driver rescues: the domain is
  // stopped, its definition saved to unrescue.xml, and it is redefined to
  // boot disk.rescue (an overlay on the rescue image; its kernel and ramdisk
  // as kernel.rescue and ramdisk.rescue when it has them) with the guest's
  // own disk as vdb, its ports and config drive as before. Unrescue stops
  // it, defines unrescue.xml again, starts it, and removes the rescue files.
  // Errors: kNotFound, kInvalidState (rescue: paused, suspended or already
  // rescued; unrescue: not rescued), the disk backend's, kUnavailable.
  sdk::Status rescue(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                     const sdk::NetworkInfo& network_info, const sdk::ImageMeta& rescue_image,
                     const std::string& admin_password) override;
  sdk::Status unrescue(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                       const sdk::NetworkInfo& network_info) override;

  const LibvirtConfig& config() const { return config_; }
  // The directory of an instance's files.
  std::filesystem::path instance_dir(const std::string& uuid) const;

 private:
  // The shared connection, reopened when it was lost. Errors: kUnavailable.
  sdk::Result<std::shared_ptr<LibvirtConnection>> connection(const std::string& request_id);
  sdk::Result<DomainInfo> domain_info(LibvirtConnection& conn, const sdk::Instance& instance);
  // What every operation on one existing guest starts with: the connection
  // and the guest's domain info (kUnavailable, kNotFound for no such guest).
  struct OpenGuest {
    std::shared_ptr<LibvirtConnection> conn;
    DomainInfo info;
  };
  sdk::Result<OpenGuest> open_guest(const std::string& request_id, const sdk::Instance& instance);
  sdk::Status wait_for_shutoff(LibvirtConnection& conn, const std::string& name, std::chrono::milliseconds timeout,
                               std::chrono::milliseconds resend_every);
  sdk::Status prepare_disks(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                            const sdk::ImageMeta& image_meta, const sdk::BlockDeviceInfo& block_device_info,
                            bool keep_ephemeral, const ConfigDriveInjection& injection, GuestConfig& guest);
  sdk::Result<GuestConfig> guest_config(const sdk::Instance& instance, const sdk::ImageMeta& image_meta,
                                               const sdk::NetworkInfo& network_info) const;
  // The guest interface of one port (bridge from the config or the port, its filter).
  sdk::Result<GuestInterface> interface_for(const sdk::Instance& instance, const sdk::Vif& vif) const;
  sdk::Status change_interface(const sdk::RequestContext& ctx, const sdk::Instance& instance, const sdk::Vif& vif,
                               bool attach);
  sdk::Status define_and_start(const sdk::RequestContext& ctx, LibvirtConnection& conn, const GuestConfig& guest);
  // boot_files.cpp: the image's kernel_id / ramdisk_id images (each cached
  // like any image) copied into the instance directory as `kernel_file` and
  // `ramdisk_file`, and the kernel, initrd and command line (the image's
  // os_command_line, else the default) set in `guest`; none when the image
  // names no kernel.
  sdk::Status copy_boot_files(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                              const sdk::ImageMeta& image_meta, const char* kernel_file, const char* ramdisk_file,
                              GuestConfig& guest);
  // rescue.cpp: the rescue disk (and boot files) of `rescue_image` into `guest`.
  sdk::Status prepare_rescue_disks(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                   const sdk::ImageMeta& rescue_image, GuestConfig& guest);
  sdk::Status hard_stop(LibvirtConnection& conn, const std::string& name);
  // Subscribes `conn` to lifecycle events, which forward_event hands on.
  sdk::Status watch_events(LibvirtConnection& conn);
  void forward_event(const DomainEvent& event) noexcept;

  const LibvirtConfig config_;
  // Set once, before any other call (virt_driver.h), so read without a lock.
  std::shared_ptr<sdk::Logger> log_ = std::make_shared<sdk::NullLogger>();
  const ConnectionFactory connect_;
  const std::shared_ptr<DiskBackend> disks_;
  std::mutex mu_;
  std::shared_ptr<LibvirtConnection> conn_;  // guarded by mu_
  std::string host_;                         // guarded by mu_
  // Held while the listener runs, so replacing it waits for an event in flight.
  std::mutex listener_mutex_;
  sdk::LifecycleListener listener_;  // guarded by listener_mutex_
  // The ports' rules of each instance, by uuid, as last applied.
  mutable std::mutex security_mutex_;
  std::map<std::string, std::vector<sdk::PortSecurity>> port_security_;  // guarded by security_mutex_
};

// The plugin factory: reads [driver.libvirt], refuses unknown keys and bad
// values (kInvalidArgument naming the key), and returns a driver over real
// libvirt and qemu-img. It does not connect yet: init_host does.
sdk::Result<std::unique_ptr<sdk::VirtDriver>> make_libvirt_driver(const sdk::PluginConfig& config);

}  // namespace stratus::drivers::libvirt
