#include "core/http/lingering_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace stratus::core::api {

namespace {

// What the handlers of the request in progress on this thread asked for.
struct RequestEnd {
  bool close = false;
  bool linger = false;
};
thread_local RequestEnd t_request_end;

// Waits up to `timeout` for `events` on `sock`; > 0 ready, 0 timed out, < 0 error.
int wait_for(socket_t sock, short events, std::chrono::milliseconds timeout) {
  pollfd pfd{sock, events, 0};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const int n = ::poll(&pfd, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

std::chrono::milliseconds to_ms(time_t sec, time_t usec) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(sec) * 1000 + static_cast<std::int64_t>(usec) / 1000);
}

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char host[NI_MAXHOST] = {};
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), sizeof addr, host, sizeof host, nullptr, 0,
                    NI_NUMERICHOST) == 0) {
    ip = host;
  }
  if (addr.ss_family == AF_INET) port = ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  if (addr.ss_family == AF_INET6) port = ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
}

// A plain TCP connection as httplib's request parser reads and writes it,
// with httplib's read and write timeouts. Reads go through a small buffer:
// the parser takes header lines a byte at a time.
//
// httplib's read timeout bounds each wait for bytes, not a request: a client
// sending a byte every few seconds (slowloris) would hold a pool thread for
// ever, and a few such clients every thread. So each request also has a
// deadline (begin_request): its head (request line and headers) must be
// complete within limits.head_time, and its body must then arrive at
// limits.body_min_rate bytes/s on average after a grace of limits.head_time.
// Past the deadline reads fail as on a timeout and httplib drops the
// connection.
class SocketStream final : public httplib::Stream {
 public:
  SocketStream(socket_t sock, std::chrono::milliseconds read_timeout, std::chrono::milliseconds write_timeout,
               const RequestLimits& limits)
      : sock_(sock), read_timeout_(read_timeout), write_timeout_(write_timeout), limits_(limits) {}

  // A new request starts: its head must arrive within limits.head_time.
  void begin_request() {
    in_head_ = true;
    newlines_ = 0;
    started_ = std::chrono::steady_clock::now();
    body_bytes_ = 0;
  }

  bool is_readable() const override {
    if (buffered() > 0) return true;
    if (too_slow_) return false;  // the connection is over (httplib may answer 400 first)
    const auto left = time_left();
    if (left.count() > 0 && wait_for(sock_, POLLIN, std::min(read_timeout_, left)) > 0) return true;
    // The deadline passed, before the wait or during it.
    if (time_left().count() <= 0) {
      spdlog::info("closing a connection whose request arrived too slowly ({})", in_head_ ? "head" : "body");
      too_slow_ = true;
    }
    return false;
  }
  bool is_writable() const override { return wait_for(sock_, POLLOUT, write_timeout_) > 0; }

  ssize_t read(char* ptr, size_t size) override {
    if (buffered() == 0) {
      if (!is_readable()) return -1;
      if (size >= sizeof buffer_) return account(ptr, receive(ptr, size));  // large reads skip the copy
      const ssize_t n = receive(buffer_, sizeof buffer_);
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, buffered());
    std::memcpy(ptr, buffer_ + begin_, n);
    begin_ += n;
    return account(ptr, static_cast<ssize_t>(n));
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    while (true) {
      const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
  }
  socket_t socket() const override { return sock_; }

  std::size_t buffered() const { return end_ - begin_; }
  // The request missed its deadline: the client is not to be waited for again.
  bool too_slow() const { return too_slow_; }

 private:
  // The time the current request has left to arrive (see the class comment).
  std::chrono::milliseconds time_left() const {
    using std::chrono::milliseconds;
    auto deadline = started_ + limits_.head_time;
    if (!in_head_) {
      const auto rate = std::max<std::uint64_t>(1, limits_.body_min_rate);
      deadline = head_done_ + limits_.head_time + milliseconds(body_bytes_ * 1000 / rate);
    }
    return std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
  }

  // Follows the bytes handed to the parser: the head ends at an empty line.
  ssize_t account(const char* data, ssize_t n) {
    if (n <= 0) return n;
    if (!in_head_) {
      body_bytes_ += static_cast<std::uint64_t>(n);
      return n;
    }
    for (ssize_t i = 0; i < n; ++i) {
      if (!in_head_) {
        ++body_bytes_;
        continue;
      }
      if (data[i] == '\n') {
        if (++newlines_ == 2) {
          in_head_ = false;
          head_done_ = std::chrono::steady_clock::now();
        }
      } else if (data[i] != '\r') {
        newlines_ = 0;
      }
    }
    return n;
  }

  ssize_t receive(char* ptr, std::size_t size) {
    while (true) {
      const ssize_t n = ::recv(sock_, ptr, size, 0);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

  socket_t sock_;
  std::chrono::milliseconds read_timeout_;
  std::chrono::milliseconds write_timeout_;
  RequestLimits limits_;
  bool in_head_ = true;
  int newlines_ = 0;  // consecutive line ends (a CR between them aside) seen in the head
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point head_done_;
  std::uint64_t body_bytes_ = 0;
  mutable bool too_slow_ = false;
  char buffer_[16 * 1024];
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

// Requests from a buffer, replies into a string: a connection without a
// socket (serve_bytes). Reads end at the buffer's end as at a closed socket.
class MemoryStream final : public httplib::Stream {
 public:
  explicit MemoryStream(std::string_view in) : in_(in) {}

  bool is_readable() const override { return position_ < in_.size(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const std::size_t n = std::min(size, in_.size() - position_);
    std::memcpy(ptr, in_.data() + position_, n);
    position_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    out_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 1;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 2;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

  bool exhausted() const { return position_ >= in_.size(); }
  std::string take_output() { return std::move(out_); }

 private:
  std::string_view in_;
  std::size_t position_ = 0;
  std::string out_;
};

}  // namespace

std::string LingeringServer::serve_bytes(std::string_view raw) {
  MemoryStream stream(raw);
  for (std::size_t count = keep_alive_max_count_; count > 0 && !stream.exhausted(); --count) {
    t_request_end = {};
    bool connection_closed = false;
    const bool ok = process_request(stream, /*close_connection=*/count == 1, connection_closed, nullptr);
    if (!ok || connection_closed || t_request_end.close) break;
  }
  t_request_end = {};
  return stream.take_output();
}

void LingeringServer::close_after_reply(bool body_left_unread) {
  t_request_end.close = true;
  t_request_end.linger = t_request_end.linger || body_left_unread;
}

bool LingeringServer::process_and_close_socket(socket_t sock) {
  SocketStream stream(sock, to_ms(read_timeout_sec_, read_timeout_usec_), to_ms(write_timeout_sec_, write_timeout_usec_),
                      request_limits_);
  const auto keep_alive_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(keep_alive_timeout_sec_) * 1000);
  const auto step = std::chrono::milliseconds(50);  // how soon an idle connection sees the server stop
  bool ret = false;
  bool linger = false;
  for (std::size_t count = keep_alive_max_count_; count > 0; --count) {
    // Wait for the next request: data already buffered, or on the socket.
    bool ready = stream.buffered() > 0;
    const auto idle_since = std::chrono::steady_clock::now();
    while (!ready && svr_sock_ != INVALID_SOCKET && std::chrono::steady_clock::now() - idle_since < keep_alive_timeout) {
      const int n = wait_for(sock, POLLIN, step);
      if (n < 0) break;
      ready = n > 0;
    }
    if (!ready || svr_sock_ == INVALID_SOCKET) break;
    t_request_end = {};
    stream.begin_request();
    bool connection_closed = false;
    ret = process_request(stream, /*close_connection=*/count == 1, connection_closed, nullptr);
    linger = t_request_end.linger;
    // A request that missed its deadline ends the connection: httplib answers
    // its 400 and would otherwise wait for a next request on it.
    if (!ret || connection_closed || t_request_end.close || stream.too_slow()) break;
  }
  t_request_end = {};
  // A client too slow to send its request is not lingered for either (it
  // would hold the thread up to linger_max_time more): closed at once.
  if (stream.too_slow()) linger = false;
  // Bytes the server never read already waiting: closing now would reset.
  if (!linger && !stream.too_slow() && wait_for(sock, POLLIN, std::chrono::milliseconds(0)) > 0) {
    char probe;
    linger = ::recv(sock, &probe, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
  }
  if (linger) {
    const std::uint64_t discarded = linger_and_close(sock);
    spdlog::debug("lingering close: discarded {} bytes", discarded);
  } else {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }
  return ret;
}

std::uint64_t LingeringServer::linger_and_close(socket_t sock) const {
  // The reply is sent: end of stream for the client, which then closes.
  ::shutdown(sock, SHUT_WR);
  const auto started = std::chrono::steady_clock::now();
  auto last_arrival = started;
  std::uint64_t discarded = 0;
  char buffer[64 * 1024];
  // Polled in short steps so that a stopping server does not wait out the limits.
  const auto step = std::chrono::milliseconds(50);
  while (discarded < limits_.max_bytes && svr_sock_ != INVALID_SOCKET) {
    const auto now = std::chrono::steady_clock::now();
    if (now - started >= limits_.max_time || now - last_arrival >= limits_.idle_time) break;
    const int ready = wait_for(sock, POLLIN, step);
    if (ready < 0) break;
    if (ready == 0) continue;
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buffer, limits_.max_bytes - discarded));
    const ssize_t n = ::recv(sock, buffer, want, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) break;  // the client closed (or the connection broke): done
    discarded += static_cast<std::uint64_t>(n);
    last_arrival = std::chrono::steady_clock::now();
  }
  ::close(sock);
  return discarded;
}

}  // namespace stratus::core::api
