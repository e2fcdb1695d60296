#include "core/cli/client/server_wait.h"

#include <algorithm>
#include <thread>

namespace stratus::core::client {

using nlohmann::json;
using sdk::Result;
using sdk::Status;
using Clock = std::chrono::steady_clock;

// The least time one poll gets, even when the deadline is nearer.
constexpr std::chrono::milliseconds kMinPollTimeout{1'000};

namespace {

std::string text_of(const json& server, const char* key) {
  if (!server.is_object() || !server.contains(key) || !server[key].is_string()) return "";
  return server[key].get<std::string>();
}

bool transient(const Status& status) {
  return status.code() == sdk::StatusCode::kUnavailable || status.code() == sdk::StatusCode::kTimeout;
}

std::string seconds(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + " s";
  return std::to_string(ms.count()) + " ms";
}

// Sleeps for the current interval (never past the deadline) and doubles it.
void pause(std::chrono::milliseconds& interval, const WaitOptions& options, Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  std::this_thread::sleep_for(std::max(std::chrono::milliseconds(0), std::min(interval, left)));
  interval = std::min(interval * 2, std::max(options.max_poll, options.first_poll));
}

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

}  // namespace

const char* wait_target_name(WaitTarget target) {
  switch (target) {
    case WaitTarget::kActive: return "ACTIVE";
    case WaitTarget::kShutoff: return "SHUTOFF";
    case WaitTarget::kGone: return "deleted";
  }
  return "?";
}

bool server_reached(const json& server, WaitTarget target) {
  const std::string status = text_of(server, "status");
  if (target == WaitTarget::kGone) return status == "DELETED" || status == "SOFT_DELETED";
  const bool settled = !server.contains("OS-EXT-STS:task_state") || server["OS-EXT-STS:task_state"].is_null();
  return settled && status == wait_target_name(target);
}

std::string fault_message(const json& server) {
  if (server.is_object() && server.contains("fault") && server["fault"].is_object()) {
    const std::string message = text_of(server["fault"], "message");
    if (!message.empty()) return message;
  }
  return "no fault recorded";
}

Result<json> wait_for_server(ComputeClient& client, const std::string& id, WaitTarget target,
                             const WaitOptions& options) {
  const auto deadline = Clock::now() + options.timeout;
  auto interval = options.first_poll;
  std::string last = "no answer yet";
  std::string last_error;
  struct RestoreTimeout {
    ComputeClient& client;
    ~RestoreTimeout() { client.set_request_timeout(client.options().timeout); }
  } restore{client};
  while (true) {
    // A poll near the deadline still gets a fair chance to be answered.
    client.set_request_timeout(std::max(remaining(deadline), std::min(options.timeout, kMinPollTimeout)));
    auto reply = client.get("/servers/" + id);
    if (reply.ok()) {
      const json server = reply->is_object() ? reply->value("server", json::object()) : json::object();
      if (server_reached(server, target)) return target == WaitTarget::kGone ? json(nullptr) : server;
      const std::string status = text_of(server, "status");
      if (status == "ERROR") return Status::InvalidState("server " + id + " is in ERROR: " + fault_message(server));
      last = "status " + (status.empty() ? std::string("unknown") : status);
      const std::string task = text_of(server, "OS-EXT-STS:task_state");
      if (!task.empty()) last += ", task state " + task;
    } else if (reply.status().code() == sdk::StatusCode::kNotFound) {
      if (target == WaitTarget::kGone) return json(nullptr);
      return Status::NotFound("server " + id + " disappeared while waiting for it to become " +
                              wait_target_name(target) + ": " + reply.status().message());
    } else if (transient(reply.status())) {
      last_error = reply.status().message();
    } else {
      return reply.status();
    }
    if (reply.ok()) last_error.clear();
    if (Clock::now() >= deadline) {
      return Status::Timeout("timed out after " + seconds(options.timeout) + " waiting for server " + id + " to " +
                             (target == WaitTarget::kGone ? "be deleted" : std::string("become ") +
                                                                                wait_target_name(target)) +
                             " (" + last + (last_error.empty() ? "" : "; last poll: " + last_error) + ")");
    }
    pause(interval, options, deadline);
  }
}

std::string FleetProgress::to_string() const {
  return std::to_string(reached) + "/" + std::to_string(expected) + " " + target + ", " + std::to_string(pending) +
         " BUILD, " + std::to_string(errored) + " ERROR";
}

Result<std::vector<json>> wait_for_servers(const std::function<Result<std::vector<json>>()>& fetch,
                                           std::size_t expected, WaitTarget target, const WaitOptions& options,
                                           const std::function<void(const FleetProgress&)>& progress) {
  const auto deadline = Clock::now() + options.timeout;
  auto interval = options.first_poll;
  FleetProgress counts;
  counts.expected = expected;
  counts.pending = expected;
  counts.target = wait_target_name(target);
  std::string last_error;
  while (true) {
    auto servers = fetch();
    if (servers.ok()) {
      last_error.clear();
      counts.reached = 0;
      counts.errored = 0;
      for (const auto& s : *servers) {
        if (server_reached(s, target)) {
          ++counts.reached;
        } else if (text_of(s, "status") == "ERROR") {
          ++counts.errored;
        }
      }
      const std::size_t seen = std::max(expected, servers->size());
      counts.expected = seen;
      counts.pending = seen - counts.reached - counts.errored;
      if (progress) progress(counts);
      if (counts.pending == 0) return std::move(*servers);
    } else if (transient(servers.status())) {
      last_error = servers.status().message();
    } else {
      return servers.status();
    }
    if (Clock::now() >= deadline) {
      return Status::Timeout("timed out after " + seconds(options.timeout) + " waiting for servers to become " +
                             counts.target + " (" + counts.to_string() +
                             (last_error.empty() ? "" : "; last error: " + last_error) + ")");
    }
    pause(interval, options, deadline);
  }
}

}  // namespace stratus::core::client
