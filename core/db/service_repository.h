// ServiceRepository: the running services (nova-compute, nova-scheduler ...
// here stratus-compute etc.), their heartbeats and admin state (os-services).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct ServiceRecord {
  std::int64_t id = 0;
  std::string host;
  std::string binary;   // "stratus-compute", "stratus-conductor", ...
  std::string topic;    // "compute", "conductor", ...
  bool disabled = false;
  std::optional<std::string> disabled_reason;
  bool forced_down = false;
  std::optional<std::string> last_seen_up;  // last heartbeat
  std::int64_t report_count = 0;
  std::string created_at;
  std::string updated_at;
};

class ServiceRepository {
 public:
  explicit ServiceRepository(Scope db) : db_(db) {}

  // Registers (host, binary) or returns the existing record unchanged:
  // a restarted service keeps its disabled state. Idempotent.
  sdk::Result<ServiceRecord> register_service(const std::string& host, const std::string& binary,
                                              const std::string& topic);
  // A heartbeat: report_count + 1, last_seen_up = now. kNotFound.
  sdk::Status heartbeat(const std::string& host, const std::string& binary);
  sdk::Status set_disabled(const std::string& host, const std::string& binary, bool disabled,
                           const std::optional<std::string>& reason = std::nullopt);
  sdk::Status set_forced_down(const std::string& host, const std::string& binary, bool forced_down);

  sdk::Result<ServiceRecord> get(const std::string& host, const std::string& binary);
  sdk::Result<ServiceRecord> get_by_id(std::int64_t id);
  // By id; filters optional.
  sdk::Result<std::vector<ServiceRecord>> list(const std::optional<std::string>& host = std::nullopt,
                                               const std::optional<std::string>& binary = std::nullopt);
  sdk::Status remove(std::int64_t id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
