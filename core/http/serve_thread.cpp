#include "core/http/serve_thread.h"

#include <chrono>

#include <httplib.h>

namespace stratus::core::api {

sdk::Result<int> serve_on_thread(httplib::Server& server, std::thread& thread, const std::string& host, int port,
                                 std::string_view what) {
  const std::string address = host + ":" + std::to_string(port);
  int bound = port;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) return sdk::Status::Unavailable("cannot listen for " + std::string(what) + " on " + address);
  thread = std::thread([&server] { server.listen_after_bind(); });
  for (int i = 0; i < 10000 && !server.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!server.is_running()) {
    server.stop();
    if (thread.joinable()) thread.join();
    return sdk::Status::Unavailable("the " + std::string(what) + " server on " + address + " did not start");
  }
  return bound;
}

}  // namespace stratus::core::api
