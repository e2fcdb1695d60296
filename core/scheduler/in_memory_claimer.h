// InMemoryClaimer: the single-process Claimer, guarded by one mutex.
//
// It is the real implementation for a deployment with one scheduler and no
// shared database (`stratus aio` may use it), and what the scheduler's unit
// tests claim against. It is not a fake: it enforces placement's rule,
//   used + requested <= total * allocation_ratio  and  requested <= total,
// per resource class, atomically. It knows only what it was told through
// set_inventory() and forgets everything when destroyed; deployments with
// several schedulers or processes must use the database claimer.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/scheduler/claimer.h"

namespace stratus::core::scheduler {

// A node's capacity, as placement's inventory of VCPU, MEMORY_MB and DISK_GB.
struct Inventory {
  std::int32_t vcpus = 0;
  std::int64_t memory_mb = 0;
  std::int64_t disk_gb = 0;
  double cpu_allocation_ratio = 1.0;
  double ram_allocation_ratio = 1.0;
  double disk_allocation_ratio = 1.0;
};

// What the claims on a node add up to.
struct Usage {
  std::int64_t vcpus = 0;
  std::int64_t memory_mb = 0;
  std::int64_t disk_gb = 0;
  std::int64_t instances = 0;
};

class InMemoryClaimer final : public Claimer {
 public:
  // Sets (or replaces) the capacity of a node. Existing claims stay, even if
  // the node is now over capacity (as placement keeps allocations when an
  // inventory shrinks); new claims must fit the new capacity.
  void set_inventory(const std::string& host, const std::string& nodename, const Inventory& inventory);

  sdk::Status claim(const ClaimRequest& request) override;
  sdk::Status release(std::string_view instance_uuid) override;

  // The sum of claims on a node (zero for an unknown node).
  Usage usage(const std::string& host, const std::string& nodename) const;
  // The node an instance is claimed on, if any.
  std::optional<std::pair<std::string, std::string>> node_of(std::string_view instance_uuid) const;
  std::size_t claim_count() const;

 private:
  using NodeKey = std::pair<std::string, std::string>;
  struct Node {
    Inventory inventory;
    Usage usage;
  };
  struct Allocation {
    NodeKey node;
    std::int32_t vcpus = 0;
    std::int64_t memory_mb = 0;
    std::int64_t disk_gb = 0;
  };

  mutable std::mutex mu_;
  std::map<NodeKey, Node> nodes_;                             // GUARDED_BY(mu_)
  std::map<std::string, Allocation, std::less<>> allocations_;  // GUARDED_BY(mu_); by instance uuid
};

}  // namespace stratus::core::scheduler
