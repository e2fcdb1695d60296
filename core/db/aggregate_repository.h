// AggregateRepository: host aggregates (Nova's os-aggregates), their hosts
// and metadata, with Nova's rules on availability zones.
//
// A host's availability zone is the "availability_zone" metadata of the
// aggregates it is in (Nova's default zone "nova" when none has one), so a
// host may not end up in two zones, and a host with instances may not change
// zone. Each call checks those rules and writes in one write transaction, so
// two concurrent changes cannot together break them (SQLite: one writer).
//
// Errors: kNotFound ("Aggregate <id> could not be found.", "Compute host <h>
// could not be found.", ...), kConflict (name taken, host already in the
// aggregate) and kInvalidArgument with Nova's InvalidAggregateAction text for
// a zone rule broken; the controller picks the HTTP status per call as Nova.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct AggregateRecord {
  std::int64_t id = 0;
  std::string uuid;
  std::string name;
  std::vector<std::string> hosts;              // sorted
  std::map<std::string, std::string> metadata;
  std::string created_at;
  std::optional<std::string> updated_at;

  // The "availability_zone" metadata, if set.
  std::optional<std::string> availability_zone() const;
};

class AggregateRepository {
 public:
  explicit AggregateRepository(Scope db) : db_(db) {}

  // kConflict "Aggregate <name> already exists." when the name is taken.
  sdk::Result<AggregateRecord> create(const std::string& name, const std::optional<std::string>& availability_zone);
  sdk::Result<AggregateRecord> get(std::int64_t id);
  // Ordered by id.
  sdk::Result<std::vector<AggregateRecord>> list();

  // Renames and/or sets the zone (Nova's update_aggregate). An empty zone,
  // one that would put a host in two zones, or a zone change for hosts with
  // instances is kInvalidArgument ("Cannot update aggregate ...").
  sdk::Result<AggregateRecord> update(std::int64_t id, const std::optional<std::string>& name,
                                      const std::optional<std::string>& availability_zone);

  // Sets keys; a null value removes its key (Nova's set_metadata), with the
  // zone checked as by update ("Cannot update metadata of aggregate ...").
  sdk::Result<AggregateRecord> set_metadata(std::int64_t id,
                                            const std::map<std::string, std::optional<std::string>>& metadata);

  // kNotFound for an unknown compute host or aggregate; kConflict when the
  // host is already in; kInvalidArgument when the host would be in two zones
  // or would change zone under its instances ("Cannot add host ...").
  sdk::Result<AggregateRecord> add_host(std::int64_t id, const std::string& host);
  // kNotFound when the aggregate does not hold the host; kInvalidArgument
  // when the host's instances would change zone ("Cannot remove host ...").
  sdk::Result<AggregateRecord> remove_host(std::int64_t id, const std::string& host);

  // kInvalidArgument "... Reason: Host aggregate is not empty." while it has hosts.
  sdk::Status remove(std::int64_t id);

  // Every host in a zone-setting aggregate, with its zone.
  sdk::Result<std::map<std::string, std::string>> zones_by_host();

 private:
  Scope db_;
};

}  // namespace stratus::core::db
