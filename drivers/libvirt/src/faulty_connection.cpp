// The fault-injecting connection wrapper (contract in faulty_connection.h).
#include "stratus/drivers/libvirt/faulty_connection.h"

#include <utility>

namespace stratus::drivers::libvirt {

using sdk::Status;

namespace {
std::size_t index(ConnectionOp op) { return static_cast<std::size_t>(op); }
Status lost_status() { return Status::Unavailable("injected fault: connection to libvirt lost"); }
}  // namespace

void ConnectionFaults::fail(ConnectionOp op, Status status, std::uint32_t times) {
  std::lock_guard lock(mu_);
  faults_[index(op)] = Fault{std::move(status), times};
}

void ConnectionFaults::clear(ConnectionOp op) {
  std::lock_guard lock(mu_);
  faults_[index(op)].reset();
}

void ConnectionFaults::lose_connection() {
  std::lock_guard lock(mu_);
  lost_ = true;
}

void ConnectionFaults::restore_connection() {
  std::lock_guard lock(mu_);
  lost_ = false;
}

void ConnectionFaults::ignore_acpi(bool on) {
  std::lock_guard lock(mu_);
  ignore_acpi_ = on;
}

std::uint32_t ConnectionFaults::calls(ConnectionOp op) const {
  std::lock_guard lock(mu_);
  return calls_[index(op)];
}

std::uint32_t ConnectionFaults::connections_opened() const {
  std::lock_guard lock(mu_);
  return opened_;
}

std::optional<Status> ConnectionFaults::on_call(ConnectionOp op) {
  std::lock_guard lock(mu_);
  ++calls_[index(op)];
  if (lost_) return lost_status();
  auto& slot = faults_[index(op)];
  if (!slot) return std::nullopt;
  Status out = slot->status;
  if (slot->remaining > 0 && --slot->remaining == 0) slot.reset();
  return out;
}

bool ConnectionFaults::lost() const {
  std::lock_guard lock(mu_);
  return lost_;
}

bool ConnectionFaults::acpi_ignored() const {
  std::lock_guard lock(mu_);
  return ignore_acpi_;
}

void ConnectionFaults::count_connection() {
  std::lock_guard lock(mu_);
  ++opened_;
}

FaultyConnection::FaultyConnection(std::unique_ptr<LibvirtConnection> inner, std::shared_ptr<ConnectionFaults> faults)
    : inner_(std::move(inner)), faults_(std::move(faults)) {}

bool FaultyConnection::is_alive() { return !faults_->lost() && inner_->is_alive(); }

#define STRATUS_FAULT_GUARD(op)                          \
  if (auto injected = faults_->on_call(op)) return *injected

Status FaultyConnection::define(const std::string& xml) {
  STRATUS_FAULT_GUARD(ConnectionOp::kDefine);
  return inner_->define(xml);
}
Status FaultyConnection::undefine(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kUndefine);
  return inner_->undefine(name);
}
Status FaultyConnection::create(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kCreate);
  return inner_->create(name);
}
Status FaultyConnection::destroy(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kDestroy);
  return inner_->destroy(name);
}
Status FaultyConnection::shutdown(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kShutdown);
  if (faults_->acpi_ignored()) {
    // The request is delivered, as libvirt would report; the guest ignores it.
    auto found = inner_->lookup(name);
    return found.ok() ? Status::OK() : found.status();
  }
  return inner_->shutdown(name);
}
Status FaultyConnection::suspend(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kSuspend);
  return inner_->suspend(name);
}
Status FaultyConnection::resume(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kResume);
  return inner_->resume(name);
}
Status FaultyConnection::managed_save(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kManagedSave);
  return inner_->managed_save(name);
}
sdk::Result<DomainRef> FaultyConnection::lookup(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kLookup);
  return inner_->lookup(name);
}
sdk::Result<DomainInfo> FaultyConnection::info(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kInfo);
  return inner_->info(name);
}
sdk::Result<std::string> FaultyConnection::xml(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kXml);
  return inner_->xml(name);
}
sdk::Result<std::string> FaultyConnection::metadata(const std::string& name, const std::string& ns_uri) {
  STRATUS_FAULT_GUARD(ConnectionOp::kMetadata);
  return inner_->metadata(name, ns_uri);
}
sdk::Result<std::vector<DomainRef>> FaultyConnection::list() {
  STRATUS_FAULT_GUARD(ConnectionOp::kList);
  return inner_->list();
}
sdk::Result<NodeInfo> FaultyConnection::node_info() {
  STRATUS_FAULT_GUARD(ConnectionOp::kNodeInfo);
  return inner_->node_info();
}
sdk::Result<std::vector<VcpuStat>> FaultyConnection::vcpu_stats(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kVcpuStats);
  return inner_->vcpu_stats(name);
}
sdk::Result<InterfaceStats> FaultyConnection::interface_stats(const std::string& name, const std::string& device) {
  STRATUS_FAULT_GUARD(ConnectionOp::kInterfaceStats);
  return inner_->interface_stats(name, device);
}
sdk::Result<BlockStats> FaultyConnection::block_stats(const std::string& name, const std::string& device) {
  STRATUS_FAULT_GUARD(ConnectionOp::kBlockStats);
  return inner_->block_stats(name, device);
}
Status FaultyConnection::define_nwfilter(const std::string& xml) {
  STRATUS_FAULT_GUARD(ConnectionOp::kDefineNwfilter);
  return inner_->define_nwfilter(xml);
}
Status FaultyConnection::undefine_nwfilter(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kUndefineNwfilter);
  return inner_->undefine_nwfilter(name);
}
sdk::Result<std::string> FaultyConnection::nwfilter_xml(const std::string& name) {
  STRATUS_FAULT_GUARD(ConnectionOp::kNwfilterXml);
  return inner_->nwfilter_xml(name);
}

#undef STRATUS_FAULT_GUARD

ConnectionFactory faulty_connection_factory(ConnectionFactory inner, std::shared_ptr<ConnectionFaults> faults) {
  return [inner = std::move(inner), faults = std::move(faults)](
             const std::string& uri) -> sdk::Result<std::unique_ptr<LibvirtConnection>> {
    if (faults->lost()) return Status::Unavailable("injected fault: cannot connect to " + uri);
    auto conn = inner(uri);
    if (!conn.ok()) return conn.status();
    faults->count_connection();
    return std::unique_ptr<LibvirtConnection>(new FaultyConnection(std::move(*conn), faults));
  };
}

}  // namespace stratus::drivers::libvirt
