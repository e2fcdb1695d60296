#include "core/scheduler/in_memory_claimer.h"

#include <cmath>

namespace stratus::core::scheduler {
namespace {

// Placement's capacity test for one resource class.
bool fits(std::int64_t used, std::int64_t requested, std::int64_t total, double ratio) {
  if (requested <= 0) return true;
  if (requested > total) return false;  // max_unit: never more than the node has
  return static_cast<double>(used + requested) <= std::floor(static_cast<double>(total) * ratio);
}

std::string describe(const ClaimRequest& r) {
  std::string out = "instance ";
  out.append(r.instance_uuid);
  out += " on ";
  out.append(r.host);
  out += "/";
  out.append(r.nodename);
  return out;
}

}  // namespace

void InMemoryClaimer::set_inventory(const std::string& host, const std::string& nodename,
                                    const Inventory& inventory) {
  std::lock_guard lock(mu_);
  nodes_[{host, nodename}].inventory = inventory;
}

sdk::Status InMemoryClaimer::claim(const ClaimRequest& request) {
  if (request.instance_uuid.empty()) return sdk::Status::InvalidArgument("claim without an instance uuid");
  if (request.vcpus < 0 || request.memory_mb < 0 || request.disk_gb < 0) {
    return sdk::Status::InvalidArgument("negative resources in the claim of " + describe(request));
  }
  std::lock_guard lock(mu_);
  NodeKey key{std::string(request.host), std::string(request.nodename)};
  if (auto held = allocations_.find(request.instance_uuid); held != allocations_.end()) {
    const Allocation& a = held->second;
    if (a.node == key && a.vcpus == request.vcpus && a.memory_mb == request.memory_mb &&
        a.disk_gb == request.disk_gb) {
      return sdk::Status::OK();
    }
    return sdk::Status::AlreadyExists(describe(request) + ": the instance already holds a claim on " +
                                      a.node.first + "/" + a.node.second);
  }
  auto it = nodes_.find(key);
  if (it == nodes_.end()) return sdk::Status::NotFound(describe(request) + ": no inventory for the node");
  Node& node = it->second;
  const Inventory& inv = node.inventory;
  const char* short_of = nullptr;
  if (!fits(node.usage.vcpus, request.vcpus, inv.vcpus, inv.cpu_allocation_ratio)) {
    short_of = "VCPU";
  } else if (!fits(node.usage.memory_mb, request.memory_mb, inv.memory_mb, inv.ram_allocation_ratio)) {
    short_of = "MEMORY_MB";
  } else if (!fits(node.usage.disk_gb, request.disk_gb, inv.disk_gb, inv.disk_allocation_ratio)) {
    short_of = "DISK_GB";
  }
  if (short_of != nullptr) {
    return sdk::Status::Conflict(describe(request) + ": not enough " + short_of + " left");
  }
  node.usage.vcpus += request.vcpus;
  node.usage.memory_mb += request.memory_mb;
  node.usage.disk_gb += request.disk_gb;
  node.usage.instances += 1;
  allocations_.emplace(std::string(request.instance_uuid),
                       Allocation{std::move(key), request.vcpus, request.memory_mb, request.disk_gb});
  return sdk::Status::OK();
}

sdk::Status InMemoryClaimer::release(std::string_view instance_uuid) {
  std::lock_guard lock(mu_);
  auto held = allocations_.find(instance_uuid);
  if (held == allocations_.end()) return sdk::Status::OK();
  const Allocation& a = held->second;
  if (auto it = nodes_.find(a.node); it != nodes_.end()) {
    Usage& u = it->second.usage;
    u.vcpus -= a.vcpus;
    u.memory_mb -= a.memory_mb;
    u.disk_gb -= a.disk_gb;
    u.instances -= 1;
  }
  allocations_.erase(held);
  return sdk::Status::OK();
}

Usage InMemoryClaimer::usage(const std::string& host, const std::string& nodename) const {
  std::lock_guard lock(mu_);
  auto it = nodes_.find({host, nodename});
  return it == nodes_.end() ? Usage{} : it->second.usage;
}

std::optional<std::pair<std::string, std::string>> InMemoryClaimer::node_of(std::string_view instance_uuid) const {
  std::lock_guard lock(mu_);
  auto held = allocations_.find(instance_uuid);
  if (held == allocations_.end()) return std::nullopt;
  return held->second.node;
}

std::size_t InMemoryClaimer::claim_count() const {
  std::lock_guard lock(mu_);
  return allocations_.size();
}

}  // namespace stratus::core::scheduler
