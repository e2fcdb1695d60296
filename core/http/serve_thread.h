// Starting a cpp-httplib server on a thread of its own, as ApiServer and
// MetricsServer do: bind, serve, and return only once the loop runs.
#pragma once

#include <string>
#include <string_view>
#include <thread>

#include "stratus/sdk/result.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace stratus::core::api {

// Binds host:port (0 picks a free port), starts `thread` serving, and waits
// (at most 10 s) until the loop runs: httplib's stop() does nothing before
// that, so a stop() right after would leave the thread running and its
// join() waiting forever. Returns the bound port, or kUnavailable naming
// `what` and the address; on failure the server is stopped and the thread
// joined. `thread` must not be running.
sdk::Result<int> serve_on_thread(httplib::Server& server, std::thread& thread, const std::string& host, int port,
                                 std::string_view what);

}  // namespace stratus::core::api
