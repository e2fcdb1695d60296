// AllocationRepository: atomic resource claims on compute nodes.
//
// A claim is one IMMEDIATE transaction whose heart is a conditional UPDATE:
//
//   UPDATE compute_nodes SET vcpus_used = vcpus_used + :v, ...
//    WHERE id = :node
//      AND vcpus_used     + :v <= vcpus     * cpu_allocation_ratio
//      AND memory_mb_used + :m <= memory_mb * ram_allocation_ratio
//      AND local_gb_used  + :d <= local_gb  * disk_allocation_ratio
//
// SQLite admits one writer at a time (the Database mutex in one process, the
// file lock across processes), and the check and the increment are one
// statement, so no interleaving of claimers - threads, two Databases, two
// processes - can overfill a node. When no row changes, the node is re-read
// in the same transaction to name the resource that does not fit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct AllocationRecord {
  std::string instance_uuid;
  std::int64_t compute_node_id = 0;
  std::string node;  // hypervisor_hostname
  std::int32_t vcpus = 0;
  std::int64_t memory_mb = 0;
  std::int64_t disk_gb = 0;
  std::string created_at;
};

class AllocationRepository {
 public:
  explicit AllocationRepository(Scope db) : db_(db) {}

  // Claims the resources for `instance_uuid` on node `hypervisor_hostname`.
  // Idempotent: the same claim again changes nothing. A claim for an instance
  // that holds one elsewhere (a reschedule) or of another size (a resize)
  // moves it: the old one is given back in the same transaction, and kept if
  // the new one fails.
  // Errors: kNotFound (node), kInvalidArgument (negative amounts),
  // kConflict naming the resource that does not fit, e.g. "memory_mb on node
  // n1: requested 513, used 0 of 512 (512 x ratio 1)".
  // With HeldClaim::kRefuse, an instance that holds a different claim gets
  // kAlreadyExists ("... already holds a claim on node n1; release it
  // first") and keeps it: the scheduler's contract, checked in the claim's
  // own transaction rather than by a read before it.
  enum class HeldClaim { kMove, kRefuse };
  sdk::Status claim(const std::string& hypervisor_hostname, const std::string& instance_uuid, std::int32_t vcpus,
                    std::int64_t memory_mb, std::int64_t disk_gb, HeldClaim held = HeldClaim::kMove);

  // Gives the instance's allocation back. OK when it holds none (idempotent).
  sdk::Status release(const std::string& instance_uuid);

  sdk::Result<AllocationRecord> get(const std::string& instance_uuid);
  sdk::Result<std::vector<AllocationRecord>> list_for_node(const std::string& hypervisor_hostname);

 private:
  Scope db_;
};

// release() inside a transaction the caller holds (InstanceRepository::destroy).
sdk::Status release_allocation_locked(Connection& conn, const std::string& instance_uuid);

}  // namespace stratus::core::db
