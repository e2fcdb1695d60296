// ApiServer's connection handling as a raw-socket client meets it: a reply
// sent before the request's body was read (413 on a declared length, an
// upload refused unread) ends with a lingering close, so that a client that
// writes its whole body before it reads gets the reply, not a broken pipe or
// a reset; and a client that never stops sending is cut off at the bound.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "api_test_support.h"
#include "core/http/api_server.h"

namespace stratus::core::api {
namespace {

using test_support::TwoUserAuthenticator;

constexpr std::size_t kJsonLimit = 64 * 1024;
constexpr std::uint64_t kUploadLimit = 256 * 1024;
// Well over what loopback's socket buffers hold (a few MiB each way): the
// client is still writing when the server's reply comes.
constexpr std::size_t kBigBody = 16 * 1024 * 1024;
// How many times each case runs: the race this guards against lost about
// half the attempts before the lingering close.
constexpr int kAttempts = 20;

// A blocking TCP connection to the server, with a receive timeout so that
// no read waits forever.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }

  // Sends all of `data`; on failure returns false with the errno in `error`.
  bool send_all(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = errno;
        return false;
      }
      done += static_cast<std::size_t>(n);
      sent += static_cast<std::uint64_t>(n);
    }
    return true;
  }

  // Reads until the server's end of stream; false on a reset or timeout.
  bool read_to_end(std::string& out) {
    char buffer[16 * 1024];
    while (true) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) return true;
      if (n < 0) {
        error = errno;
        return false;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }

  int error = 0;
  std::uint64_t sent = 0;

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// `size` bytes of text lines: were the server to read what follows its reply
// as further requests, each line would be one (a malformed one).
std::string body_of(std::size_t size) {
  std::string body;
  body.reserve(size);
  while (body.size() < size) body += body.size() % 100 == 98 ? '\r' : body.size() % 100 == 99 ? '\n' : 'x';
  return body;
}

std::string request_head(const std::string& method, const std::string& path, std::uint64_t length,
                         const std::string& content_type) {
  return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: admin\r\nContent-Type: " +
         content_type + "\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
}

class ApiServerConnections : public ::testing::Test {
 protected:
  void start(ApiServerOptions options = {}) {
    options.max_body_bytes = kJsonLimit;
    options.max_upload_bytes = kUploadLimit;
    server_ = std::make_unique<ApiServer>(std::make_shared<TwoUserAuthenticator>(), options);
    server_->route("POST", R"(/v2\.1/echo)", [](const ApiRequest& req) -> sdk::Result<ApiResponse> {
      return ApiResponse{200, req.body};
    });
    // An upload route that refuses "refused" before reading a byte, and
    // reads (and counts) the body of anything else.
    server_->upload_route("PUT", R"(/upload/([^/]+))",
                          [](const ApiRequest& req, const BodyReader& read) -> sdk::Result<ApiResponse> {
                            if (req.path_params[0] == "refused") return sdk::Status::Conflict("refused unread");
                            std::uint64_t got = 0;
                            if (!read([&got](std::string_view chunk) {
                                  got += chunk.size();
                                  return true;
                                })) {
                              return sdk::Status::InvalidArgument("the body broke off");
                            }
                            return ApiResponse{200, {{"bytes", got}}};
                          });
    auto port = server_->start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
  }

  // Sends a whole request (head and body) before reading anything, as
  // Python's http.client and openstackclient do, then reads the reply.
  void expect_reply_after_full_send(const std::string& head, std::size_t body_size, const std::string& status_line,
                                    const std::string& body_says) {
    const std::string request = head + body_of(body_size);
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      SCOPED_TRACE("attempt " + std::to_string(attempt));
      RawClient client(port_);
      ASSERT_TRUE(client.connected());
      ASSERT_TRUE(client.send_all(request))
          << "the server broke the connection while the client sent its body: " << std::strerror(client.error);
      std::string reply;
      ASSERT_TRUE(client.read_to_end(reply)) << "reading the reply: " << std::strerror(client.error);
      EXPECT_EQ(reply.rfind(status_line, 0), 0u) << reply.substr(0, 200);
      EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply.substr(0, 400);
      EXPECT_NE(reply.find(body_says), std::string::npos) << reply.substr(0, 400);
    }
  }

  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
};

TEST_F(ApiServerConnections, OversizedJsonBodySentInFullGetsThe413) {
  start();
  expect_reply_after_full_send(request_head("POST", "/v2.1/echo", kBigBody, "application/json"), kBigBody,
                               "HTTP/1.1 413", "Request body too large: 16777216 bytes, the limit is 65536.");
}

TEST_F(ApiServerConnections, OversizedUploadSentInFullGetsThe413) {
  start();
  expect_reply_after_full_send(request_head("PUT", "/upload/any", kBigBody, "application/octet-stream"), kBigBody,
                               "HTTP/1.1 413", "the limit is 262144.");
}

TEST_F(ApiServerConnections, UploadRefusedBeforeReadingGetsItsReply) {
  start();
  const std::size_t size = kUploadLimit;  // within the limit: the handler refuses it
  expect_reply_after_full_send(request_head("PUT", "/upload/refused", size, "application/octet-stream"), size,
                               "HTTP/1.1 409", "refused unread");
}

TEST_F(ApiServerConnections, ConnectionStillServesAfterAFullyReadUpload) {
  start();
  // The lingering close is for unread bodies only: an upload read to its end
  // is answered and closed at once, and requests that fit keep working.
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_all(request_head("PUT", "/upload/ok", 1000, "application/octet-stream") +
                              std::string(1000, 'x')));
  std::string reply;
  ASSERT_TRUE(client.read_to_end(reply));
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_NE(reply.find(R"({"bytes":1000})"), std::string::npos) << reply;

  RawClient json(port_);
  ASSERT_TRUE(json.connected());
  ASSERT_TRUE(json.send_all(request_head("POST", "/v2.1/echo", 7, "application/json") + R"({"a":1})"));
  ASSERT_TRUE(json.send_all(
      "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));  // keep-alive: a second request
  ASSERT_TRUE(json.read_to_end(reply = ""));
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_NE(reply.find(R"({"a":1})"), std::string::npos) << reply;
  EXPECT_NE(reply.find("HTTP/1.1 404"), std::string::npos) << reply;
}

TEST_F(ApiServerConnections, ClientThatNeverStopsSendingIsCutOffAtTheByteBound) {
  ApiServerOptions options;
  options.linger_max_bytes = 1 << 20;
  start(options);
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_all(request_head("PUT", "/upload/any", std::uint64_t{1} << 40, "application/octet-stream")));
  // It declared a terabyte: it keeps sending (at most 256 MiB here) until the
  // server, having discarded its 1 MiB, closes on it.
  const std::string block(64 * 1024, 'x');
  bool cut_off = false;
  for (int i = 0; i < 4096 && !cut_off; ++i) cut_off = !client.send_all(block);
  EXPECT_TRUE(cut_off) << "sent " << client.sent << " bytes without the server closing";
  EXPECT_TRUE(client.error == EPIPE || client.error == ECONNRESET) << std::strerror(client.error);
  // The bound plus what the socket buffers of both sides held.
  EXPECT_LT(client.sent, std::uint64_t{64} << 20);
}

TEST_F(ApiServerConnections, ClientThatNeverStopsSendingIsCutOffAtTheTimeBound) {
  ApiServerOptions options;
  options.linger_max_time = std::chrono::milliseconds(500);
  start(options);
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_all(request_head("PUT", "/upload/any", std::uint64_t{1} << 40, "application/octet-stream")));
  // A slow sender (1 KiB every 10 ms, for at most 60 s): far under the byte
  // bound and never idle, so only the time bound ends it.
  const std::string block(1024, 'x');
  bool cut_off = false;
  for (int i = 0; i < 6000 && !cut_off; ++i) {
    cut_off = !client.send_all(block);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(cut_off) << "sent " << client.sent << " bytes without the server closing";
}

}  // namespace
}  // namespace stratus::core::api
