// ConductorOptions: the conductor's tunables, from the config
// (rpc.call_timeout, scheduler.max_attempts, service_down_time, host).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/db/database.h"
#include "core/rpcapi/version_cap.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/security_group_rule.h"

namespace stratus::core::conductor {

struct ConductorOptions {
  // How long a call to the scheduler waits (select_destinations, claim).
  std::chrono::milliseconds call_timeout{60000};
  // Hosts tried per instance, the first included (Nova's [scheduler]
  // max_attempts): passed to select_destinations, and the attempt after
  // which a failed build goes to ERROR instead of to an alternate.
  int max_attempts = 3;
  // A compute service silent for longer is down: a reschedule skips an
  // alternate whose service is down rather than claim and cast there.
  std::chrono::seconds service_down_time{60};
  // This conductor's name: its server on topic "conductor", the host of the
  // action events it records.
  std::string host = "conductor";
  // The stuck-instance sweep (stuck_instances.h); each bound is on how long
  // the instance's record has not changed (updated_at). Zero turns a rule off.
  //  - lost_build_timeout: an instance still waiting for a host (building /
  //    scheduling, none set) is sent to the scheduler again: the API's
  //    build_instances cast was lost (no conductor took it). Keep it above
  //    call_timeout, or a slow scheduler's work is done twice (harmless).
  //  - instance_build_timeout: a build that has not moved ends in ERROR
  //    with a fault (Nova's instance_build_timeout).
  //  - task_timeout: a delete is sent again; a power action is sent again
  //    once, then ends in ERROR; any other task ends in ERROR.
  //  lost_build_timeout also bounds a build placed on a live host but never
  //  started (task still "scheduling") whose cast was lost with the
  //  conductor that placed it: it is cast to that host again, up to
  //  max_build_resends times, then taken from the host and scheduled again.
  std::chrono::seconds lost_build_timeout{180};
  int max_build_resends = 2;
  std::chrono::seconds instance_build_timeout{3600};
  std::chrono::seconds task_timeout{1800};
  // The sweep's period; zero or less: no sweep.
  std::chrono::milliseconds stuck_check_interval{60000};
  // The sweep runs on one conductor at a time: the holder of the lease
  // "conductor.stuck-instance-sweep" in the database (db/periodic_lease.h),
  // renewed before each sweep. lease_time is how long a holder keeps it
  // without renewing (a holder killed hands it over after at most that
  // long); zero or less: three stuck_check_intervals.
  std::chrono::milliseconds lease_time{0};
  // The rules each port of an instance enforces (the network service's
  // security groups, computed from the database), sent with every
  // build_and_run_instance so the guest starts with its filters. Unset: no
  // list is sent and hosts enforce nothing at build. A failure is logged and
  // the build goes on without rules (the next refresh brings them).
  std::function<sdk::Result<std::vector<sdk::PortSecurity>>(db::Database&, const std::string& instance_uuid)>
      port_security;
  // The highest RPC versions the conductor sends to compute hosts and to the
  // schedulers ([upgrade_levels]; empty: the newest).
  rpcapi::VersionCap compute_version_cap;
  rpcapi::VersionCap scheduler_version_cap;
};

}  // namespace stratus::core::conductor
