// Thin RAII helpers over the libzmq C API, so that no exception and no leaked
// message can escape the socket loops.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.h>

namespace stratus::rpc::detail {

class Msg {
 public:
  Msg() noexcept { zmq_msg_init(&m_); }
  explicit Msg(std::string_view s) noexcept {
    if (zmq_msg_init_size(&m_, s.size()) != 0) {
      zmq_msg_init(&m_);
      return;
    }
    if (!s.empty()) std::memcpy(zmq_msg_data(&m_), s.data(), s.size());
  }
  ~Msg() { zmq_msg_close(&m_); }
  Msg(Msg&& o) noexcept {
    zmq_msg_init(&m_);
    zmq_msg_move(&m_, &o.m_);
  }
  Msg& operator=(Msg&& o) noexcept {
    if (this != &o) zmq_msg_move(&m_, &o.m_);
    return *this;
  }
  Msg(const Msg&) = delete;
  Msg& operator=(const Msg&) = delete;

  zmq_msg_t* get() noexcept { return &m_; }
  // Another reference to the same bytes (libzmq shares a large message's
  // buffer instead of copying it).
  Msg copy() const noexcept {
    Msg m;
    zmq_msg_copy(m.get(), const_cast<zmq_msg_t*>(&m_));
    return m;
  }
  std::string_view view() const noexcept {
    auto* self = const_cast<zmq_msg_t*>(&m_);
    return {static_cast<const char*>(zmq_msg_data(self)), zmq_msg_size(self)};
  }
  std::size_t size() const noexcept { return zmq_msg_size(const_cast<zmq_msg_t*>(&m_)); }
  std::string str() const { return std::string(view()); }
  // Message metadata such as "User-Id" (the ZAP user id); "" if absent.
  std::string property(const char* name) const noexcept {
    const char* v = zmq_msg_gets(const_cast<zmq_msg_t*>(&m_), name);
    return v ? std::string(v) : std::string();
  }

 private:
  zmq_msg_t m_;
};

using Frames = std::vector<Msg>;

// The most frames a message may have as its sender's DEALER sends it
// (docs/rpc-protocol.md section 8); a ROUTER socket sees one more, the
// routing id it prepends, and passes kMaxFrames + 1 below.
inline constexpr std::size_t kMaxFrames = 8;

// Receives one whole multipart message without blocking. Returns 1 when a
// message was read, 0 if none was waiting, -1 on another error. Frames beyond
// max_frames are read and discarded; `extra` says how many.
inline int recv_multipart(void* sock, Frames& out, std::size_t& extra,
                          std::size_t max_frames = kMaxFrames) noexcept {
  out.clear();
  extra = 0;
  int flags = ZMQ_DONTWAIT;
  for (;;) {
    Msg m;
    if (zmq_msg_recv(m.get(), sock, flags) < 0) {
      if (out.empty() && errno == EAGAIN) return 0;
      if (out.empty()) return -1;
      continue;  // parts of a multipart arrive together; retry cannot block long
    }
    const bool more = zmq_msg_more(m.get()) != 0;
    if (out.size() < max_frames) {
      out.push_back(std::move(m));
    } else {
      ++extra;
    }
    if (!more) return 1;
    flags = 0;  // the rest of a multipart message is already here
  }
}

// Sends frames [begin, end) as one multipart message without blocking.
// Returns 0 or the errno of the failure (EAGAIN, EHOSTUNREACH...). After a
// failure of the first frame nothing was sent.
inline int send_multipart(void* sock, Frames& frames, std::size_t begin = 0) noexcept {
  for (std::size_t i = begin; i < frames.size(); ++i) {
    const int flags = ZMQ_DONTWAIT | (i + 1 < frames.size() ? ZMQ_SNDMORE : 0);
    if (zmq_msg_send(frames[i].get(), sock, flags) < 0) return errno;
  }
  return 0;
}

inline std::size_t total_size(const Frames& frames, std::size_t begin = 0) noexcept {
  std::size_t n = 0;
  for (std::size_t i = begin; i < frames.size(); ++i) n += frames[i].size();
  return n;
}

inline std::string zmq_error() { return zmq_strerror(errno); }

}  // namespace stratus::rpc::detail
