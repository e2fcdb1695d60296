#include "core/rpcapi/upgrade_levels.h"

#include <memory>
#include <mutex>
#include <optional>

#include <spdlog/spdlog.h>

#include "core/db/service_liveness.h"
#include "core/db/service_repository.h"
#include "core/db/service_version_repository.h"
#include "core/rpcapi/topics.h"
#include "stratus/rpc/target.h"

namespace stratus::core::rpcapi {
namespace {

std::string_view binary_of(std::string_view topic) {
  if (topic == kComputeTopic) return kComputeBinary;
  if (topic == kConductorTopic) return kConductorBinary;
  return kSchedulerBinary;
}

// The state an auto cap keeps between reads; shared by the copies of the cap.
struct AutoCap {
  std::string topic;
  db::Database* db;
  AutoCapOptions options;
  std::mutex mutex;
  std::optional<std::chrono::steady_clock::time_point> read_at;
  std::string cap;

  std::string current() {
    std::lock_guard lock(mutex);
    const auto now = std::chrono::steady_clock::now();
    if (read_at && now - *read_at < options.refresh) return cap;
    read_at = now;
    auto lowest = lowest_live_version(topic, *db, options.service_down_time);
    if (!lowest.ok()) {
      // Keep the last cap: a failed read must not lift it.
      spdlog::warn("upgrade_levels.{} = auto: reading the services' versions: {}", topic, lowest.status().message());
      return cap;
    }
    if (*lowest != cap) {
      spdlog::info("upgrade_levels.{} = auto: {} RPC capped at {}", topic, topic,
                   lowest->empty() ? std::string("the newest version (no cap)") : *lowest);
      cap = *lowest;
    }
    return cap;
  }
};

}  // namespace

sdk::Result<std::string> lowest_live_version(std::string_view topic, db::Database& db,
                                             std::chrono::seconds service_down_time) {
  const std::string binary(binary_of(topic));
  auto services = db::ServiceRepository(db).list(std::nullopt, binary);
  if (!services.ok()) return services.status();
  auto versions = db::ServiceVersionRepository(db).list(binary);
  if (!versions.ok()) return versions.status();
  std::optional<rpc::Version> lowest;
  const auto now = std::chrono::system_clock::now();
  for (const auto& s : *services) {
    if (!db::service_is_up(s, service_down_time, now)) continue;
    auto it = versions->find({s.host, s.binary});
    auto v = rpc::Version::parse(it == versions->end() ? std::string(kBaseVersion) : it->second);
    // A version that does not parse is the oldest we know: capping is safe.
    const rpc::Version version = v.ok() ? v.value() : rpc::Version{1, 0};
    if (!lowest || version < *lowest) lowest = version;
  }
  return lowest ? lowest->to_string() : std::string();
}

sdk::Result<VersionCap> make_version_cap(std::string_view topic, const std::string& setting, db::Database& db,
                                         AutoCapOptions options) {
  if (auto s = check_upgrade_level(topic, setting); !s.ok()) return s;
  if (setting != "auto") return fixed_cap(setting);
  auto state = std::make_shared<AutoCap>();
  state->topic = std::string(topic);
  state->db = &db;
  state->options = options;
  return VersionCap([state] { return state->current(); });
}

}  // namespace stratus::core::rpcapi
