// serve_on_thread: the listening socket's accept queue is the system's
// maximum, not httplib's 5 (issue #16's one-second stall: SYNs dropped by a
// full queue are resent by the client only after a second).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <optional>
#include <thread>

#include <httplib.h>

#include "core/http/serve_thread.h"

namespace stratus::core::api {
namespace {

constexpr int kTcpListen = 10;  // TCP_LISTEN in the kernel's tcp_states.h

// The accept queue length of the IPv4 TCP socket listening on `port`, as
// `ss -ltn` shows it (Send-Q): inet_diag's idiag_wqueue for a listener.
std::optional<unsigned> listen_backlog(int port) {
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return std::nullopt;
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = AF_INET;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = 1u << kTcpListen;
  if (::send(fd, &message, sizeof(message), 0) < 0) {
    ::close(fd);
    return std::nullopt;
  }
  std::optional<unsigned> found;
  alignas(nlmsghdr) char buffer[16384];
  for (int reads = 0; reads < 1000; ++reads) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    bool done = false;
    int left = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
        done = true;
        break;
      }
      const auto* diag = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
      if (ntohs(diag->id.idiag_sport) == port) found = diag->idiag_wqueue;
    }
    if (done) break;
  }
  ::close(fd);
  return found;
}

TEST(ServeOnThread, ListensWithTheSystemsBacklogNotHttplibsFive) {
  httplib::Server server;
  server.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  std::thread thread;
  auto port = serve_on_thread(server, thread, "127.0.0.1", 0, "test");
  ASSERT_TRUE(port.ok()) << port.status();
  const auto backlog = listen_backlog(*port);
  server.stop();
  thread.join();
  ASSERT_TRUE(backlog.has_value()) << "no listening socket on port " << *port << " seen through sock_diag";
  // The kernel caps what listen() asks for at net.core.somaxconn.
  unsigned cap = SOMAXCONN;
  if (std::ifstream in("/proc/sys/net/core/somaxconn"); in) {
    unsigned sysctl = 0;
    if (in >> sysctl) cap = std::min(cap, sysctl);
  }
  EXPECT_EQ(*backlog, cap);
  EXPECT_GT(*backlog, 5u);
}

}  // namespace
}  // namespace stratus::core::api
