// IoContext: the ZeroMQ context that routers and endpoints share.
//
// inproc:// addresses only connect sockets of the same context, so an
// all-in-one process gives its router and its endpoints one IoContext (the
// process-wide global() by default). Tests that want isolation create their own.
#pragma once

#include <memory>

namespace stratus::rpc {

class IoContext {
 public:
  // io_threads: ZeroMQ I/O threads (1 is plenty below ~1 Gb/s).
  explicit IoContext(int io_threads = 1);
  // Blocks until every socket of this context is closed; routers and
  // endpoints hold a shared_ptr, so the last of them to go closes it.
  ~IoContext();
  IoContext(const IoContext&) = delete;
  IoContext& operator=(const IoContext&) = delete;

  // The libzmq context (void* as in zmq.h).
  void* native() const noexcept { return ctx_; }

  // The process-wide context, created on first use and never destroyed.
  static std::shared_ptr<IoContext> global();

 private:
  void* ctx_;
};

}  // namespace stratus::rpc
