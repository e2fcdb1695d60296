// LibvirtConnection: the few hypervisor calls the libvirt driver makes, as an
// interface, so the driver can run against libvirt's test:///default, a real
// QEMU, or a wrapper that breaks on purpose (faulty_connection.h), as LevelDB's
// Env makes the OS replaceable.
//
// Domains are named by their libvirt name (the instance's `name`). Every call
// returns a Status instead of throwing, with libvirt's errors mapped:
//   no such domain                      -> kNotFound
//   operation invalid in this state     -> kInvalidState
//   not supported by this hypervisor    -> kNotSupported
//   connection lost / daemon unreachable-> kUnavailable
//   anything else                       -> kInternal
// and a message that names the domain, the call and libvirt's own words.
//
// Thread-safety: every method may be called from any thread at once (libvirt
// connections are thread-safe). Blocking: each call blocks for as long as
// libvirt takes (managed_save writes the guest's memory to disk).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::drivers::libvirt {

// libvirt's virDomainState, mirrored so that code using this interface needs
// no libvirt headers.
enum class DomainState : std::uint8_t {
  kNoState = 0,
  kRunning = 1,
  kBlocked = 2,
  kPaused = 3,
  kShuttingDown = 4,
  kShutoff = 5,
  kCrashed = 6,
  kPMSuspended = 7,
};

struct DomainInfo {
  DomainState state = DomainState::kNoState;
  std::int64_t max_mem_kb = 0;
  std::int64_t mem_kb = 0;
  std::int32_t vcpus = 0;
  std::uint64_t cpu_time_ns = 0;
  bool has_managed_save = false;  // suspended to disk (virDomainManagedSave)
};

struct DomainRef {
  std::string name;
  std::string uuid;
  bool active = false;
};

struct NodeInfo {
  std::string hostname;
  std::string model;               // CPU architecture as libvirt says it, e.g. "x86_64"
  std::int32_t cpus = 0;
  std::int32_t mhz = 0;
  std::int32_t sockets = 0;        // per NUMA node
  std::int32_t cores = 0;          // per socket
  std::int32_t threads = 0;        // per core
  std::int32_t numa_nodes = 0;
  std::int64_t memory_kb = 0;
  std::int64_t free_memory_kb = 0;
  std::uint64_t hypervisor_version = 0;  // major*1000000 + minor*1000 + micro
  std::uint64_t libvirt_version = 0;
};

// One vCPU's counters (virDomainGetVcpus).
struct VcpuStat {
  std::int32_t id = 0;
  std::uint64_t cpu_time_ns = 0;
};

// An interface's counters (virDomainInterfaceStats); -1: the hypervisor does not count it.
struct InterfaceStats {
  std::int64_t rx_bytes = -1, rx_packets = -1, rx_errs = -1, rx_drop = -1;
  std::int64_t tx_bytes = -1, tx_packets = -1, tx_errs = -1, tx_drop = -1;
};

// A disk's counters (virDomainBlockStats); -1: not counted.
struct BlockStats {
  std::int64_t rd_req = -1, rd_bytes = -1, wr_req = -1, wr_bytes = -1, errs = -1;
};

// A domain lifecycle event (libvirt's VIR_DOMAIN_EVENT_*), mirrored.
enum class DomainEventKind : std::uint8_t {
  kDefined,
  kUndefined,
  kStarted,
  kSuspended,    // vCPUs stopped (paused)
  kResumed,
  kStopped,      // shut off (destroyed, shut down, crashed, saved)
  kShutdown,     // the guest is shutting down (not yet off)
  kPMSuspended,  // suspended by the guest to memory or disk
  kCrashed,
};

struct DomainEvent {
  std::string name;
  std::string uuid;
  DomainEventKind kind = DomainEventKind::kDefined;
};

// Runs on libvirt's event loop thread: must return quickly and call no libvirt API.
using DomainEventCallback = std::function<void(const DomainEvent&)>;

class LibvirtConnection {
 public:
  virtual ~LibvirtConnection() = default;

  virtual const std::string& uri() const = 0;
  // False once the connection to the hypervisor is lost; the driver then opens
  // a new one. Must not block for long.
  virtual bool is_alive() = 0;

  // Defines a persistent domain from XML (virDomainDefineXML). Errors include
  // kInvalidArgument when libvirt refuses the XML.
  virtual sdk::Status define(const std::string& xml) = 0;
  // Removes the definition, and its managed-save image and NVRAM with it.
  virtual sdk::Status undefine(const std::string& name) = 0;
  // Starts a defined domain (from its managed-save image if it has one).
  virtual sdk::Status create(const std::string& name) = 0;
  // Stops a domain at once (pulls the plug); the definition stays.
  virtual sdk::Status destroy(const std::string& name) = 0;
  // Asks the guest to power off (ACPI); returns without waiting.
  virtual sdk::Status shutdown(const std::string& name) = 0;
  // Stops / restarts the vCPUs (libvirt's suspend and resume).
  virtual sdk::Status suspend(const std::string& name) = 0;
  virtual sdk::Status resume(const std::string& name) = 0;
  // Saves the guest's memory to disk and stops it; the next create restores it.
  virtual sdk::Status managed_save(const std::string& name) = 0;

  // The domain's name, uuid and whether it runs; kNotFound when undefined.
  virtual sdk::Result<DomainRef> lookup(const std::string& name) = 0;
  virtual sdk::Result<DomainInfo> info(const std::string& name) = 0;
  virtual sdk::Result<std::string> xml(const std::string& name) = 0;
  // The metadata element of namespace `ns_uri`; kNotFound when it has none.
  virtual sdk::Result<std::string> metadata(const std::string& name, const std::string& ns_uri) = 0;
  // Every domain, running or not.
  virtual sdk::Result<std::vector<DomainRef>> list() = 0;
  virtual sdk::Result<NodeInfo> node_info() = 0;

  // ---- statistics (diagnostics); a running domain, else kInvalidState ----
  virtual sdk::Result<std::vector<VcpuStat>> vcpu_stats(const std::string& name) {
    return sdk::Status::NotSupported("vcpu statistics of " + name + " on " + uri());
  }
  // `device`: the interface's target device ("vnet0", "tap...").
  virtual sdk::Result<InterfaceStats> interface_stats(const std::string& name, const std::string& device) {
    return sdk::Status::NotSupported("interface statistics of " + name + " " + device + " on " + uri());
  }
  // `device`: the disk's target ("vda").
  virtual sdk::Result<BlockStats> block_stats(const std::string& name, const std::string& device) {
    return sdk::Status::NotSupported("block statistics of " + name + " " + device + " on " + uri());
  }

  // ---- devices and interrupts ------------------------------------------------
  // Adds the device `device_xml` to the domain's definition and, when `live`,
  // to the running domain (virDomainAttachDeviceFlags with AFFECT_CONFIG,
  // plus AFFECT_LIVE). Errors: kNotFound, kInvalidState, kNotSupported,
  // kInvalidArgument (XML), kUnavailable.
  virtual sdk::Status attach_device(const std::string& name, const std::string& device_xml, bool live) {
    (void)device_xml, (void)live;
    return sdk::Status::NotSupported("attaching devices to " + name + " on " + uri());
  }
  // The reverse (virDomainDetachDeviceFlags); the device is matched by its
  // MAC for an interface.
  virtual sdk::Status detach_device(const std::string& name, const std::string& device_xml, bool live) {
    (void)device_xml, (void)live;
    return sdk::Status::NotSupported("detaching devices from " + name + " on " + uri());
  }
  // A non-maskable interrupt to the running domain (virDomainInjectNMI).
  // Errors: kNotFound, kInvalidState (not running), kNotSupported.
  virtual sdk::Status inject_nmi(const std::string& name) {
    return sdk::Status::NotSupported("injecting an NMI into " + name + " on " + uri());
  }

  // ---- network filters (security groups) ----------------------------------
  // Defines or replaces a filter (virNWFilterDefineXML); libvirt re-applies
  // a replaced filter to the running interfaces that reference it.
  virtual sdk::Status define_nwfilter(const std::string& xml) {
    (void)xml;
    return sdk::Status::NotSupported("network filters on " + uri());
  }
  // Removes a filter; kNotFound when there is none, kInvalidState while an
  // interface still references it.
  virtual sdk::Status undefine_nwfilter(const std::string& name) {
    return sdk::Status::NotSupported("network filter " + name + " on " + uri());
  }
  virtual sdk::Result<std::string> nwfilter_xml(const std::string& name) {
    return sdk::Status::NotSupported("network filter " + name + " on " + uri());
  }

  // Sends every domain's lifecycle events to `callback` (on the event loop
  // thread) until replaced; an empty callback stops them. Once it returns,
  // the previous callback is not running and is never called again. Closing
  // the connection stops them too. Errors: kNotSupported, kUnavailable.
  virtual sdk::Status watch_lifecycle(DomainEventCallback callback) {
    (void)callback;
    return sdk::Status::NotSupported("domain lifecycle events on " + uri());
  }
};

// Opens a connection to `uri`. Errors: kUnavailable (cannot connect).
using ConnectionFactory = std::function<sdk::Result<std::unique_ptr<LibvirtConnection>>(const std::string& uri)>;

// The factory over real libvirt (libvirt_connection.cpp). The first connection
// starts a process-wide libvirt event loop thread (needed by qemu:///embed and
// keepalives); the last one to close stops it.
sdk::Result<std::unique_ptr<LibvirtConnection>> open_libvirt_connection(const std::string& uri);

}  // namespace stratus::drivers::libvirt
