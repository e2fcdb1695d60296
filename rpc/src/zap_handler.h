// The ZAP (ZeroMQ authentication protocol, RFC 27) handler of a CURVE router:
// accepts a connection only if its CURVE public key is in the allow-list, and
// names the connection's messages with the key's name ("User-Id").
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "stratus/rpc/error.h"
#include "stratus/rpc/io_context.h"
#include "stratus/rpc/security.h"

namespace stratus::rpc::detail {

class ZapHandler {
 public:
  ZapHandler(std::shared_ptr<IoContext> io, std::vector<KeyPolicy> allowed);
  ~ZapHandler();
  // Binds inproc://zeromq.zap.01 of the context and starts the thread.
  // Errc::unavailable if another handler holds the context's ZAP endpoint.
  Status start();
  void stop();

 private:
  void loop();
  std::shared_ptr<IoContext> io_;
  std::vector<KeyPolicy> allowed_;
  void* sock_ = nullptr;
  std::thread thread_;
  std::atomic<bool> running_{false};
};

}  // namespace stratus::rpc::detail
