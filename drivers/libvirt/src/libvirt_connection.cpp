// LibvirtConnection over the real libvirt C API (contract in connection.h).
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "event_loop.h"
#include "libvirt_handles.h"
#include "stratus/drivers/libvirt/connection.h"

namespace stratus::drivers::libvirt {
namespace {

using sdk::Status;

// Turns libvirt's thread-local last error into a Status for `what`.
Status last_error(virConnectPtr conn, const std::string& what) {
  const virError* err = virGetLastError();
  const int code = err != nullptr ? err->code : VIR_ERR_INTERNAL_ERROR;
  std::string message = what + ": " + (err != nullptr && err->message != nullptr ? err->message : "unknown libvirt error");
  switch (code) {
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_NO_NWFILTER:
    case VIR_ERR_NO_DOMAIN_METADATA: return Status::NotFound(std::move(message));
    case VIR_ERR_OPERATION_INVALID: return Status::InvalidState(std::move(message));
    case VIR_ERR_NO_SUPPORT:
    case VIR_ERR_OPERATION_UNSUPPORTED: return Status::NotSupported(std::move(message));
    case VIR_ERR_DOM_EXIST: return Status::AlreadyExists(std::move(message));
    case VIR_ERR_XML_ERROR:
    case VIR_ERR_XML_DETAIL:
    case VIR_ERR_CONFIG_UNSUPPORTED:
    case VIR_ERR_INVALID_ARG: return Status::InvalidArgument(std::move(message));
    case VIR_ERR_OPERATION_TIMEOUT:
    case VIR_ERR_AGENT_UNRESPONSIVE: return Status::Timeout(std::move(message));
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_INVALID_CONN:
    case VIR_ERR_RPC:
    case VIR_ERR_SYSTEM_ERROR: return Status::Unavailable(std::move(message));
    default: break;
  }
  // Whatever libvirt called it, a dead connection means "try again later".
  if (conn != nullptr && virConnectIsAlive(conn) == 0) return Status::Unavailable(std::move(message));
  return Status::Internal(std::move(message));
}

DomainState to_state(int state) {
  switch (state) {
    case VIR_DOMAIN_RUNNING: return DomainState::kRunning;
    case VIR_DOMAIN_BLOCKED: return DomainState::kBlocked;
    case VIR_DOMAIN_PAUSED: return DomainState::kPaused;
    case VIR_DOMAIN_SHUTDOWN: return DomainState::kShuttingDown;
    case VIR_DOMAIN_SHUTOFF: return DomainState::kShutoff;
    case VIR_DOMAIN_CRASHED: return DomainState::kCrashed;
    case VIR_DOMAIN_PMSUSPENDED: return DomainState::kPMSuspended;
    default: return DomainState::kNoState;
  }
}

// What libvirt's lifecycle callback reaches. libvirt owns it once registered
// and frees it (free_sink) only after the last dispatch, so an event in flight
// never touches a closed connection.
struct EventSink {
  std::mutex mutex;
  DomainEventCallback callback;  // guarded by mutex
};

void free_sink(void* opaque) { delete static_cast<EventSink*>(opaque); }

std::optional<DomainEventKind> to_event_kind(int event) {
  switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED: return DomainEventKind::kDefined;
    case VIR_DOMAIN_EVENT_UNDEFINED: return DomainEventKind::kUndefined;
    case VIR_DOMAIN_EVENT_STARTED: return DomainEventKind::kStarted;
    case VIR_DOMAIN_EVENT_SUSPENDED: return DomainEventKind::kSuspended;
    case VIR_DOMAIN_EVENT_RESUMED: return DomainEventKind::kResumed;
    case VIR_DOMAIN_EVENT_STOPPED: return DomainEventKind::kStopped;
    case VIR_DOMAIN_EVENT_SHUTDOWN: return DomainEventKind::kShutdown;
    case VIR_DOMAIN_EVENT_PMSUSPENDED: return DomainEventKind::kPMSuspended;
    case VIR_DOMAIN_EVENT_CRASHED: return DomainEventKind::kCrashed;
    default: return std::nullopt;
  }
}

int on_lifecycle(virConnectPtr /*conn*/, virDomainPtr dom, int event, int /*detail*/, void* opaque) {
  auto kind = to_event_kind(event);
  if (!kind) return 0;
  DomainEvent e;
  e.kind = *kind;
  if (const char* name = virDomainGetName(dom)) e.name = name;  // local: no RPC
  std::array<char, VIR_UUID_STRING_BUFLEN> uuid{};
  if (virDomainGetUUIDString(dom, uuid.data()) == 0) e.uuid = uuid.data();
  auto* sink = static_cast<EventSink*>(opaque);
  std::lock_guard lock(sink->mutex);
  if (sink->callback) sink->callback(e);
  return 0;
}

class RealConnection final : public LibvirtConnection {
 public:
  RealConnection(std::string uri, std::shared_ptr<EventLoop> loop, ConnectHandle conn)
      : uri_(std::move(uri)), loop_(std::move(loop)), conn_(std::move(conn)) {}
  // conn_ is declared after loop_, so it closes before the loop stops.
  ~RealConnection() override { (void)watch_lifecycle({}); }
  RealConnection(const RealConnection&) = delete;
  RealConnection& operator=(const RealConnection&) = delete;

  Status watch_lifecycle(DomainEventCallback callback) override {
    std::lock_guard lock(watch_mutex_);
    if (sink_ != nullptr) {
      {
        std::lock_guard sink_lock(sink_->mutex);  // waits for a dispatch in flight
        sink_->callback = callback;
      }
      if (callback) return Status::OK();
      (void)virConnectDomainEventDeregisterAny(conn_.get(), callback_id_);  // libvirt frees the sink
      sink_ = nullptr;
      callback_id_ = -1;
      return Status::OK();
    }
    if (!callback) return Status::OK();
    auto* sink = new EventSink;
    sink->callback = std::move(callback);
    const int id = virConnectDomainEventRegisterAny(conn_.get(), nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                    VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), sink, free_sink);
    if (id < 0) {
      delete sink;
      return last_error(conn_.get(), "subscribe to domain lifecycle events");
    }
    sink_ = sink;
    callback_id_ = id;
    return Status::OK();
  }

  const std::string& uri() const override { return uri_; }
  bool is_alive() override { return virConnectIsAlive(conn_.get()) == 1; }

  Status define(const std::string& xml) override {
    DomainHandle d(virDomainDefineXML(conn_.get(), xml.c_str()));
    return d ? Status::OK() : last_error(conn_.get(), "define domain");
  }

  Status undefine(const std::string& name) override {
    return with_domain(name, "undefine", [&](virDomainPtr d) {
      const unsigned base = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
      if (virDomainUndefineFlags(d, base | VIR_DOMAIN_UNDEFINE_NVRAM) == 0) return 0;
      // Drivers without NVRAM support refuse the flag: try again without it.
      const virError* err = virGetLastError();
      if (err == nullptr || (err->code != VIR_ERR_INVALID_ARG && err->code != VIR_ERR_NO_SUPPORT)) return -1;
      return virDomainUndefineFlags(d, base);
    });
  }

  Status create(const std::string& name) override {
    return with_domain(name, "start", [](virDomainPtr d) { return virDomainCreate(d); });
  }
  Status destroy(const std::string& name) override {
    return with_domain(name, "destroy", [](virDomainPtr d) { return virDomainDestroy(d); });
  }
  Status shutdown(const std::string& name) override {
    return with_domain(name, "shut down", [](virDomainPtr d) { return virDomainShutdown(d); });
  }
  Status suspend(const std::string& name) override {
    return with_domain(name, "suspend", [](virDomainPtr d) { return virDomainSuspend(d); });
  }
  Status resume(const std::string& name) override {
    return with_domain(name, "resume", [](virDomainPtr d) { return virDomainResume(d); });
  }
  Status managed_save(const std::string& name) override {
    return with_domain(name, "managed-save", [](virDomainPtr d) { return virDomainManagedSave(d, 0); });
  }
  Status attach_device(const std::string& name, const std::string& device_xml, bool live) override {
    const unsigned flags = static_cast<unsigned>(VIR_DOMAIN_AFFECT_CONFIG) | (live ? static_cast<unsigned>(VIR_DOMAIN_AFFECT_LIVE) : 0u);
    return with_domain(name, "attach a device to",
                       [&](virDomainPtr d) { return virDomainAttachDeviceFlags(d, device_xml.c_str(), flags); });
  }
  Status detach_device(const std::string& name, const std::string& device_xml, bool live) override {
    const unsigned flags = static_cast<unsigned>(VIR_DOMAIN_AFFECT_CONFIG) | (live ? static_cast<unsigned>(VIR_DOMAIN_AFFECT_LIVE) : 0u);
    return with_domain(name, "detach a device from",
                       [&](virDomainPtr d) { return virDomainDetachDeviceFlags(d, device_xml.c_str(), flags); });
  }
  Status inject_nmi(const std::string& name) override {
    return with_domain(name, "inject an NMI into", [](virDomainPtr d) { return virDomainInjectNMI(d, 0); });
  }

  sdk::Result<DomainRef> lookup(const std::string& name) override {
    auto d = find(name, "look up");
    if (!d.ok()) return d.status();
    return describe(d->get());
  }

  sdk::Result<DomainInfo> info(const std::string& name) override {
    auto d = find(name, "get info of");
    if (!d.ok()) return d.status();
    virDomainInfo raw{};
    if (virDomainGetInfo(d->get(), &raw) < 0) return last_error(conn_.get(), "get info of domain " + name);
    DomainInfo out;
    out.state = to_state(raw.state);
    out.max_mem_kb = static_cast<std::int64_t>(raw.maxMem);
    out.mem_kb = static_cast<std::int64_t>(raw.memory);
    out.vcpus = static_cast<std::int32_t>(raw.nrVirtCpu);
    out.cpu_time_ns = raw.cpuTime;
    const int saved = virDomainHasManagedSaveImage(d->get(), 0);
    if (saved < 0) return last_error(conn_.get(), "check managed save of domain " + name);
    out.has_managed_save = saved == 1;
    return out;
  }

  sdk::Result<std::string> xml(const std::string& name) override {
    auto d = find(name, "get XML of");
    if (!d.ok()) return d.status();
    char* raw = virDomainGetXMLDesc(d->get(), 0);
    if (raw == nullptr) return last_error(conn_.get(), "get XML of domain " + name);
    return take_string(raw);
  }

  sdk::Result<std::string> metadata(const std::string& name, const std::string& ns_uri) override {
    auto d = find(name, "get metadata of");
    if (!d.ok()) return d.status();
    char* raw = virDomainGetMetadata(d->get(), VIR_DOMAIN_METADATA_ELEMENT, ns_uri.c_str(), VIR_DOMAIN_AFFECT_CURRENT);
    if (raw == nullptr) return last_error(conn_.get(), "get metadata " + ns_uri + " of domain " + name);
    return take_string(raw);
  }

  sdk::Result<std::vector<DomainRef>> list() override {
    virDomainPtr* raw = nullptr;
    const int n = virConnectListAllDomains(conn_.get(), &raw, 0);
    if (n < 0) return last_error(conn_.get(), "list domains");
    // Own every handle (and the array) before anything can fail.
    std::vector<DomainHandle> handles;
    handles.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) handles.emplace_back(raw[i]);
    CString array(reinterpret_cast<char*>(raw));
    std::vector<DomainRef> out;
    for (const auto& d : handles) {
      auto ref = describe(d.get());
      // A domain undefined between the listing and now is simply gone.
      if (ref.ok()) out.push_back(std::move(*ref));
    }
    return out;
  }

  sdk::Result<NodeInfo> node_info() override {
    virNodeInfo raw{};
    if (virNodeGetInfo(conn_.get(), &raw) < 0) return last_error(conn_.get(), "get node info");
    NodeInfo out;
    out.model = raw.model;
    out.cpus = static_cast<std::int32_t>(raw.cpus);
    out.mhz = static_cast<std::int32_t>(raw.mhz);
    out.sockets = static_cast<std::int32_t>(raw.sockets);
    out.cores = static_cast<std::int32_t>(raw.cores);
    out.threads = static_cast<std::int32_t>(raw.threads);
    out.numa_nodes = static_cast<std::int32_t>(raw.nodes);
    out.memory_kb = static_cast<std::int64_t>(raw.memory);
    // 0 means "unknown" (some drivers cannot tell); the caller decides.
    out.free_memory_kb = static_cast<std::int64_t>(virNodeGetFreeMemory(conn_.get()) / 1024);
    out.hostname = take_string(virConnectGetHostname(conn_.get()));
    unsigned long version = 0;
    if (virConnectGetVersion(conn_.get(), &version) == 0) out.hypervisor_version = version;
    unsigned long lib_version = 0;
    if (virConnectGetLibVersion(conn_.get(), &lib_version) == 0) out.libvirt_version = lib_version;
    return out;
  }

  sdk::Result<std::vector<VcpuStat>> vcpu_stats(const std::string& name) override {
    auto d = find(name, "get vcpus of");
    if (!d.ok()) return d.status();
    virDomainInfo raw{};
    if (virDomainGetInfo(d->get(), &raw) < 0) return last_error(conn_.get(), "get info of domain " + name);
    const int max = static_cast<int>(raw.nrVirtCpu);
    if (max <= 0) return std::vector<VcpuStat>{};
    std::vector<virVcpuInfo> info(static_cast<std::size_t>(max));
    const int n = virDomainGetVcpus(d->get(), info.data(), max, nullptr, 0);
    if (n < 0) return last_error(conn_.get(), "get vcpus of domain " + name);
    std::vector<VcpuStat> out;
    for (int i = 0; i < n; ++i) {
      out.push_back({static_cast<std::int32_t>(info[static_cast<std::size_t>(i)].number),
                     info[static_cast<std::size_t>(i)].cpuTime});
    }
    return out;
  }

  sdk::Result<InterfaceStats> interface_stats(const std::string& name, const std::string& device) override {
    auto d = find(name, "get interface statistics of");
    if (!d.ok()) return d.status();
    virDomainInterfaceStatsStruct raw{};
    if (virDomainInterfaceStats(d->get(), device.c_str(), &raw, sizeof raw) < 0) {
      return last_error(conn_.get(), "get statistics of interface " + device + " of domain " + name);
    }
    return InterfaceStats{raw.rx_bytes, raw.rx_packets, raw.rx_errs, raw.rx_drop,
                          raw.tx_bytes, raw.tx_packets, raw.tx_errs, raw.tx_drop};
  }

  sdk::Result<BlockStats> block_stats(const std::string& name, const std::string& device) override {
    auto d = find(name, "get block statistics of");
    if (!d.ok()) return d.status();
    virDomainBlockStatsStruct raw{};
    if (virDomainBlockStats(d->get(), device.c_str(), &raw, sizeof raw) < 0) {
      return last_error(conn_.get(), "get statistics of disk " + device + " of domain " + name);
    }
    return BlockStats{raw.rd_req, raw.rd_bytes, raw.wr_req, raw.wr_bytes, raw.errs};
  }

  Status define_nwfilter(const std::string& xml) override {
    NWFilterHandle f(virNWFilterDefineXML(conn_.get(), xml.c_str()));
    return f ? Status::OK() : last_error(conn_.get(), "define network filter");
  }

  Status undefine_nwfilter(const std::string& name) override {
    NWFilterHandle f(virNWFilterLookupByName(conn_.get(), name.c_str()));
    if (!f) return last_error(conn_.get(), "look up network filter " + name);
    if (virNWFilterUndefine(f.get()) < 0) return last_error(conn_.get(), "undefine network filter " + name);
    return Status::OK();
  }

  sdk::Result<std::string> nwfilter_xml(const std::string& name) override {
    NWFilterHandle f(virNWFilterLookupByName(conn_.get(), name.c_str()));
    if (!f) return last_error(conn_.get(), "look up network filter " + name);
    char* raw = virNWFilterGetXMLDesc(f.get(), 0);
    if (raw == nullptr) return last_error(conn_.get(), "get XML of network filter " + name);
    return take_string(raw);
  }

 private:
  sdk::Result<DomainHandle> find(const std::string& name, const std::string& what) {
    DomainHandle d(virDomainLookupByName(conn_.get(), name.c_str()));
    if (!d) return last_error(conn_.get(), what + " domain " + name);
    return d;
  }

  template <typename Call>
  Status with_domain(const std::string& name, const std::string& what, Call&& call) {
    auto d = find(name, what);
    if (!d.ok()) return d.status();
    if (call(d->get()) < 0) return last_error(conn_.get(), what + " domain " + name);
    return Status::OK();
  }

  sdk::Result<DomainRef> describe(virDomainPtr d) {
    DomainRef ref;
    const char* name = virDomainGetName(d);
    if (name == nullptr) return last_error(conn_.get(), "get domain name");
    ref.name = name;
    std::array<char, VIR_UUID_STRING_BUFLEN> uuid{};
    if (virDomainGetUUIDString(d, uuid.data()) < 0) return last_error(conn_.get(), "get uuid of domain " + ref.name);
    ref.uuid = uuid.data();
    const int active = virDomainIsActive(d);
    if (active < 0) return last_error(conn_.get(), "check domain " + ref.name);
    ref.active = active == 1;
    return ref;
  }

  const std::string uri_;
  std::shared_ptr<EventLoop> loop_;
  ConnectHandle conn_;
  std::mutex watch_mutex_;
  EventSink* sink_ = nullptr;  // guarded by watch_mutex_; owned by libvirt once registered
  int callback_id_ = -1;       // guarded by watch_mutex_
};

}  // namespace

sdk::Result<std::unique_ptr<LibvirtConnection>> open_libvirt_connection(const std::string& uri) {
  auto loop = EventLoop::acquire();
  if (!loop.ok()) return loop.status();
  ConnectHandle conn(virConnectOpen(uri.c_str()));
  if (!conn) {
    Status s = last_error(nullptr, "connect to " + uri);
    return Status::Unavailable(s.message());
  }
  // Keepalives let a dead remote daemon be noticed (is_alive turns false);
  // local drivers do not support them, which is fine.
  (void)virConnectSetKeepAlive(conn.get(), 5, 3);
  return std::unique_ptr<LibvirtConnection>(new RealConnection(uri, std::move(*loop), std::move(conn)));
}

}  // namespace stratus::drivers::libvirt
