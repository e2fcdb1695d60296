#include "stratus/rpc/io_context.h"

#include <zmq.h>

namespace stratus::rpc {

IoContext::IoContext(int io_threads) : ctx_(zmq_ctx_new()) {
  zmq_ctx_set(ctx_, ZMQ_IO_THREADS, io_threads < 1 ? 1 : io_threads);
  zmq_ctx_set(ctx_, ZMQ_BLOCKY, 0);  // sockets default to linger 0
}

IoContext::~IoContext() { zmq_ctx_term(ctx_); }

std::shared_ptr<IoContext> IoContext::global() {
  static auto* ctx = new std::shared_ptr<IoContext>(std::make_shared<IoContext>(1));  // never destroyed
  return *ctx;
}

}  // namespace stratus::rpc
