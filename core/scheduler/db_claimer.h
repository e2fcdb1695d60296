// DbClaimer: the Claimer every scheduler of a deployment shares, backed by the
// database's allocations (db/allocation_repository.h). Each claim is one
// conditional UPDATE in an IMMEDIATE transaction, so any number of
// schedulers, in threads or processes, can never overfill a node.
#pragma once

#include "core/db/database.h"
#include "core/scheduler/claimer.h"

namespace stratus::core::scheduler {

class DbClaimer final : public Claimer {
 public:
  // `db` is not owned and must outlive the claimer.
  explicit DbClaimer(db::Database& db) : db_(db) {}

  // As Claimer::claim. The node is the request's nodename (the compute
  // node's hypervisor_hostname). An instance that already holds a claim of
  // another node or size gets kAlreadyExists (release it first), as the
  // contract says, although the database could move it.
  sdk::Status claim(const ClaimRequest& request) override;
  sdk::Status release(std::string_view instance_uuid) override;

 private:
  db::Database& db_;
};

}  // namespace stratus::core::scheduler
