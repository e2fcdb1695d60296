// ServiceVersionRepository: the newest RPC version each service serves, as
// its heartbeat reports it (migration 15, table service_versions). The
// typed clients' [upgrade_levels] "auto" cap is the lowest of these among
// the live services of a topic (core/rpcapi/version_caps.h).
//
// Kept beside the services table rather than in it: a service deleted
// through os-services leaves a row here that no live service joins, and the
// next heartbeat of a service of that name writes it again.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

class ServiceVersionRepository {
 public:
  explicit ServiceVersionRepository(Scope db) : db_(db) {}

  // Records (or replaces) the version (host, binary) serves.
  // kInvalidArgument without a host, binary or version.
  sdk::Status record(const std::string& host, const std::string& binary, const std::string& rpc_version);
  // (host, binary) -> version, for every service of `binary` that reported one.
  sdk::Result<std::map<std::pair<std::string, std::string>, std::string>> list(const std::string& binary);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
