// FaultyConnection: a LibvirtConnection that wraps another and breaks on
// purpose, for tests (LevelDB's fault-injecting Env). Faults live in a shared
// ConnectionFaults object, so a test keeps its handle while the driver owns
// the connection, and faults survive the driver's reconnects.
//
//   auto faults = std::make_shared<ConnectionFaults>();
//   faults->fail(ConnectionOp::kDefine, Status::Internal("disk full"), 1);
//   faults->lose_connection();   // every call kUnavailable, is_alive() false
//   faults->ignore_acpi(true);   // shutdown() succeeds but the guest runs on
//
// Thread-safety: all of it, from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "stratus/drivers/libvirt/connection.h"

namespace stratus::drivers::libvirt {

enum class ConnectionOp : std::uint8_t {
  kDefine, kUndefine, kCreate, kDestroy, kShutdown, kSuspend, kResume, kManagedSave,
  kLookup, kInfo, kXml, kMetadata, kList, kNodeInfo,
  kVcpuStats, kInterfaceStats, kBlockStats, kDefineNwfilter, kUndefineNwfilter, kNwfilterXml,
  kCount,
};

class ConnectionFaults {
 public:
  // The next `times` calls of `op` (0: every call) fail with `status` and do nothing.
  void fail(ConnectionOp op, sdk::Status status, std::uint32_t times = 0);
  void clear(ConnectionOp op);
  // Every call fails with kUnavailable and is_alive() is false, until restored.
  void lose_connection();
  void restore_connection();
  // shutdown() reports success but the guest does not power off, like a guest
  // OS that ignores ACPI (or has not booted far enough to handle it).
  void ignore_acpi(bool on);

  // How many times `op` was called (faulted or not), and how many connections
  // were opened through a factory made by faulty_connection_factory.
  std::uint32_t calls(ConnectionOp op) const;
  std::uint32_t connections_opened() const;

  // For FaultyConnection: counts the call and says whether it must fail.
  std::optional<sdk::Status> on_call(ConnectionOp op);
  bool lost() const;
  bool acpi_ignored() const;
  void count_connection();

 private:
  struct Fault {
    sdk::Status status;
    std::uint32_t remaining = 0;  // 0: every call
  };
  mutable std::mutex mu_;
  std::array<std::optional<Fault>, static_cast<std::size_t>(ConnectionOp::kCount)> faults_{};
  std::array<std::uint32_t, static_cast<std::size_t>(ConnectionOp::kCount)> calls_{};
  bool lost_ = false;
  bool ignore_acpi_ = false;
  std::uint32_t opened_ = 0;
};

class FaultyConnection final : public LibvirtConnection {
 public:
  FaultyConnection(std::unique_ptr<LibvirtConnection> inner, std::shared_ptr<ConnectionFaults> faults);

  const std::string& uri() const override { return inner_->uri(); }
  bool is_alive() override;
  sdk::Status define(const std::string& xml) override;
  sdk::Status undefine(const std::string& name) override;
  sdk::Status create(const std::string& name) override;
  sdk::Status destroy(const std::string& name) override;
  sdk::Status shutdown(const std::string& name) override;
  sdk::Status suspend(const std::string& name) override;
  sdk::Status resume(const std::string& name) override;
  sdk::Status managed_save(const std::string& name) override;
  sdk::Result<DomainRef> lookup(const std::string& name) override;
  sdk::Result<DomainInfo> info(const std::string& name) override;
  sdk::Result<std::string> xml(const std::string& name) override;
  sdk::Result<std::string> metadata(const std::string& name, const std::string& ns_uri) override;
  sdk::Result<std::vector<DomainRef>> list() override;
  sdk::Result<NodeInfo> node_info() override;
  sdk::Result<std::vector<VcpuStat>> vcpu_stats(const std::string& name) override;
  sdk::Result<InterfaceStats> interface_stats(const std::string& name, const std::string& device) override;
  sdk::Result<BlockStats> block_stats(const std::string& name, const std::string& device) override;
  sdk::Status define_nwfilter(const std::string& xml) override;
  sdk::Status undefine_nwfilter(const std::string& name) override;
  sdk::Result<std::string> nwfilter_xml(const std::string& name) override;
  // Passed through, not faulted (yet): hot-plug and NMI.
  sdk::Status attach_device(const std::string& name, const std::string& device_xml, bool live) override {
    return inner_->attach_device(name, device_xml, live);
  }
  sdk::Status detach_device(const std::string& name, const std::string& device_xml, bool live) override {
    return inner_->detach_device(name, device_xml, live);
  }
  sdk::Status inject_nmi(const std::string& name) override { return inner_->inject_nmi(name); }
  // Passed through (events are not faulted).
  sdk::Status watch_lifecycle(DomainEventCallback callback) override { return inner_->watch_lifecycle(std::move(callback)); }

 private:
  std::unique_ptr<LibvirtConnection> inner_;
  std::shared_ptr<ConnectionFaults> faults_;
};

// A factory that opens a connection with `inner` and wraps it. While the
// faults say the connection is lost, opening fails with kUnavailable too.
ConnectionFactory faulty_connection_factory(ConnectionFactory inner, std::shared_ptr<ConnectionFaults> faults);

}  // namespace stratus::drivers::libvirt
