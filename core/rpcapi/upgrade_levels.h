// make_version_cap: an [upgrade_levels] setting made into the VersionCap a
// typed client asks before each message.
//
//   ""      no cap: the newest shapes are sent
//   "1.0"   that version at most
//   "auto"  the lowest version the live services of the topic report in
//           their heartbeats (service_versions beside the services table;
//           a live service that never reported one counts as 1.0), as
//           Nova's auto does; no live service: no cap. Read again at most
//           every `refresh` (the database is the API's and the conductor's,
//           not a compute node's), so the cap rises on its own once the last
//           old service is down or deleted.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/db/database.h"
#include "core/rpcapi/version_cap.h"
#include "stratus/sdk/result.h"

namespace stratus::core::rpcapi {

struct AutoCapOptions {
  std::chrono::seconds service_down_time{60};  // a service silent longer is not counted
  std::chrono::milliseconds refresh{1000};
};

// kInvalidArgument for a bad setting (check_upgrade_level). `db` must outlive
// the cap; it is only read for "auto".
sdk::Result<VersionCap> make_version_cap(std::string_view topic, const std::string& setting, db::Database& db,
                                         AutoCapOptions options = {});

// The "auto" cap of `topic` now, read once ("" = no live service). Pure
// read; thread-safe.
sdk::Result<std::string> lowest_live_version(std::string_view topic, db::Database& db,
                                             std::chrono::seconds service_down_time);

}  // namespace stratus::core::rpcapi
