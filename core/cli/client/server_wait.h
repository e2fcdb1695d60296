// The `--wait` loops: poll the Compute API until servers reach the state an
// action leads to, an error, or the deadline.
//
// Done means: kActive -> status ACTIVE, kShutoff -> status SHUTOFF (both with
// no task state left, when the API shows OS-EXT-STS:task_state), kGone -> 404
// (or status DELETED / SOFT_DELETED: a soft delete does not disappear until
// it is reclaimed). Every loop is bounded by WaitOptions::timeout; the poll
// interval starts at `first_poll` and doubles up to `max_poll`. Transient
// failures (connection refused, read timeout, 503) are retried until the
// deadline; any other API error ends the wait. Blocks the calling thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/cli/client/compute_client.h"
#include "stratus/sdk/result.h"

namespace stratus::core::client {

enum class WaitTarget { kActive, kShutoff, kGone };

// "ACTIVE", "SHUTOFF", "deleted": for messages.
const char* wait_target_name(WaitTarget target);

struct WaitOptions {
  std::chrono::milliseconds timeout{300'000};
  std::chrono::milliseconds first_poll{250};
  std::chrono::milliseconds max_poll{2'000};
};

// Whether `server` (a Nova server body) is where `target` wants it.
bool server_reached(const nlohmann::json& server, WaitTarget target);

// The fault message of a server in ERROR ("No valid host was found. ..."),
// or "no fault recorded".
std::string fault_message(const nlohmann::json& server);

// Polls GET /servers/{id}. Returns the last server body (null for kGone).
// Errors: kInvalidState "server <id> is in ERROR: <fault>"; kTimeout "timed
// out after 300 s waiting for server <id> to become ACTIVE (status BUILD,
// task state spawning)"; kNotFound when a server vanishes while waited for
// ACTIVE or SHUTOFF; any other API error.
sdk::Result<nlohmann::json> wait_for_server(ComputeClient& client, const std::string& id, WaitTarget target,
                                            const WaitOptions& options);

struct FleetProgress {
  std::size_t expected = 0;
  std::size_t reached = 0;   // in the target state
  std::size_t pending = 0;   // anything else but ERROR, including not yet listed
  std::size_t errored = 0;   // ERROR
  std::string target;        // "ACTIVE"
  // "3/10 ACTIVE, 7 BUILD, 0 ERROR"
  std::string to_string() const;
};

// Polls `fetch` (e.g. GET /servers/detail?reservation_id=r-...) until each of
// `expected` servers is in the target state or ERROR, calling `progress` after
// every poll. Returns the servers of the last poll; a server in ERROR is not
// an error of the wait (the caller reports it). kTimeout names the counts.
sdk::Result<std::vector<nlohmann::json>> wait_for_servers(
    const std::function<sdk::Result<std::vector<nlohmann::json>>()>& fetch, std::size_t expected, WaitTarget target,
    const WaitOptions& options, const std::function<void(const FleetProgress&)>& progress);

}  // namespace stratus::core::client
