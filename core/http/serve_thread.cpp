#include "core/http/serve_thread.h"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>

#include <httplib.h>

namespace stratus::core::api {

sdk::Result<int> serve_on_thread(httplib::Server& server, std::thread& thread, const std::string& host, int port,
                                 std::string_view what) {
  const std::string address = host + ":" + std::to_string(port);
  // httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, compiled
  // into Debian's library). Clients that open a connection per request (the
  // bench's 8, a dashboard's) overflow a queue of 5 whenever the accept
  // thread is a moment late on a loaded machine; the kernel then drops the
  // SYN and the client resends it after its initial retransmission timeout,
  // one second: the "one-second stall" of issue #16 (TcpExtListenOverflows
  // counts each). The socket is listened on again with the system's maximum
  // once bound; Linux takes a second listen() as a new backlog.
  auto listening = std::make_shared<std::atomic<int>>(-1);
  server.set_socket_options([listening](socket_t sock) {
    httplib::default_socket_options(sock);
    listening->store(sock);
  });
  int bound = port;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) return sdk::Status::Unavailable("cannot listen for " + std::string(what) + " on " + address);
  if (const int sock = listening->load(); sock >= 0) (void)::listen(sock, SOMAXCONN);
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
