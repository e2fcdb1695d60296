// Claimer: the atomic "take these resources on this node" step of scheduling.
//
// The host state cache is a fast, possibly stale view; a Claimer is the
// authority. select_destinations claims each placement before it returns it,
// so two schedulers working from stale views can never overfill a node: the
// loser of a race gets kConflict and the scheduler tries its next candidate
// (Nova's claim_resources against placement).
//
// Implementations: the database-backed claimer (core/db, shared by every
// scheduler of a deployment) and InMemoryClaimer (in_memory_claimer.h, one
// process only).
//
// Thread-safety: both methods may be called from any number of threads at
// once. They may block on their backing store.
#pragma once

#include <cstdint>
#include <string_view>

#include "stratus/sdk/flavor.h"
#include "stratus/sdk/status.h"

namespace stratus::core::scheduler {

// What one instance takes on one node. The views must stay valid for the call.
struct ClaimRequest {
  std::string_view host;
  std::string_view nodename;
  std::string_view instance_uuid;
  std::int32_t vcpus = 0;
  std::int64_t memory_mb = 0;
  std::int64_t disk_gb = 0;  // root + ephemeral + swap rounded up to GB, as placement counts DISK_GB
};

// The ClaimRequest of `flavor` for one instance (Nova's resources_from_flavor).
ClaimRequest claim_for_flavor(std::string_view host, std::string_view nodename, std::string_view instance_uuid,
                              const sdk::Flavor& flavor);

class Claimer {
 public:
  virtual ~Claimer() = default;

  // Records that `request.instance_uuid` uses its resources on the node.
  //  - OK: claimed; or the very same claim was already held (idempotent).
  //  - kConflict: the node has no room left for it (someone else was faster).
  //  - kNotFound: the claimer knows no such node (no inventory yet).
  //  - kAlreadyExists: the instance holds a different claim; release it first.
  //  - anything else (kUnavailable, ...): the store failed; nothing was claimed.
  // On failure nothing changes.
  virtual sdk::Status claim(const ClaimRequest& request) = 0;

  // Gives back whatever `instance_uuid` holds. OK also when it holds nothing
  // (idempotent), so cleanup paths may call it unconditionally.
  virtual sdk::Status release(std::string_view instance_uuid) = 0;
};

}  // namespace stratus::core::scheduler
