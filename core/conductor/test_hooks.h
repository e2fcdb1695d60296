// Fault injection for integration tests: conductor crashes at chosen points
// that a test cannot hit with a kill from outside. Every hook is off unless
// its environment variable is set; nothing sets one outside tests.
//
//   STRATUS_TEST_HOOK_CONDUCTOR_KILL_AFTER_PLACEMENT=N
//       the conductor process kills itself (SIGKILL, as kill -9) when it is
//       about to cast build_and_run_instance for the N-th time: the build is
//       placed (the scheduler's claim made, the instance's host and node
//       set, task still "scheduling") and its cast recorded in the system
//       metadata (ComputeTaskManager::cast_build), but never sent: the build
//       a dying conductor had placed (issue #14; StuckInstanceSweeper sends
//       it again once that conductor process is gone).
//
// Thread-safety: any thread.
#pragma once

#include <string>

namespace stratus::core::conductor::test_hooks {

// Called before each build_and_run_instance cast; kills the process when the hook says so.
void after_placement(const std::string& request_id, const std::string& instance_uuid);

}  // namespace stratus::core::conductor::test_hooks
