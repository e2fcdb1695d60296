// A bare DEALER socket speaking the wire protocol by hand, to play silent,
// broken or hostile peers in tests.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <zmq.h>

#include "stratus/rpc/io_context.h"
#include "wire.h"

namespace stratus::rpc::testing {

class RawPeer {
 public:
  RawPeer(IoContext& io, const std::string& address) : s_(zmq_socket(io.native(), ZMQ_DEALER)) {
    int zero = 0;
    zmq_setsockopt(s_, ZMQ_LINGER, &zero, sizeof zero);
    zmq_connect(s_, address.c_str());
  }
  ~RawPeer() { zmq_close(s_); }
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;

  void send(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      zmq_send(s_, frames[i].data(), frames[i].size(), i + 1 < frames.size() ? ZMQ_SNDMORE : 0);
    }
  }
  void send_header(const wire::Header& h, std::vector<std::string> more = {}) {
    more.insert(more.begin(), wire::encode_header(h));
    send(more);
  }
  // The next message, or nothing within the timeout.
  std::optional<std::vector<std::string>> recv(std::chrono::milliseconds timeout) {
    zmq_pollitem_t item{s_, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, static_cast<long>(timeout.count())) <= 0) return std::nullopt;
    std::vector<std::string> out;
    for (int i = 0; i < 16; ++i) {
      zmq_msg_t m;
      zmq_msg_init(&m);
      if (zmq_msg_recv(&m, s_, 0) < 0) {
        zmq_msg_close(&m);
        break;
      }
      out.emplace_back(static_cast<const char*>(zmq_msg_data(&m)), zmq_msg_size(&m));
      const bool more = zmq_msg_more(&m) != 0;
      zmq_msg_close(&m);
      if (!more) break;
    }
    return out;
  }
  // The next message of the given kind, skipping others (heartbeats...).
  std::optional<std::pair<wire::Header, std::vector<std::string>>> recv_kind(wire::Kind kind,
                                                                             std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (int i = 0; i < 1000; ++i) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      auto m = recv(left);
      if (!m || m->empty()) break;
      auto h = wire::decode_header(m->at(0));
      if (h.ok() && h->kind == kind) return std::make_pair(h.value(), *m);
    }
    return std::nullopt;
  }
  void* socket() { return s_; }

 private:
  void* s_;
};

}  // namespace stratus::rpc::testing
