// InstanceFaultRepository: why an instance went to ERROR (Nova's
// instance_faults). The API shows the latest one as the server's "fault".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct InstanceFaultRecord {
  std::int64_t id = 0;
  std::string instance_uuid;
  std::int32_t code = 500;   // HTTP-like code, as Nova records it
  std::string message;       // short, shown to users
  std::string details;       // longer (a traceback in Nova); admins only
  std::string host;
  std::string created_at;
};

class InstanceFaultRepository {
 public:
  explicit InstanceFaultRepository(Scope db) : db_(db) {}

  // Records a fault (deleted instances included). kNotFound for an unknown instance.
  sdk::Result<InstanceFaultRecord> add(const std::string& instance_uuid, std::int32_t code,
                                       const std::string& message, const std::string& details = {},
                                       const std::string& host = {});
  // The most recent fault; kNotFound when there is none.
  sdk::Result<InstanceFaultRecord> latest(const std::string& instance_uuid);
  // The most recent fault of each of these instances that has one, in a few
  // statements (lists).
  sdk::Result<std::map<std::string, InstanceFaultRecord>> latest_of(const std::vector<std::string>& instance_uuids);
  // All faults, newest first.
  sdk::Result<std::vector<InstanceFaultRecord>> list(const std::string& instance_uuid);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
