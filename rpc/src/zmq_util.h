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

// A zmq_msg_t with RAII. `full_` says whether it may hold content (it was
// given bytes, or lent to libzmq through get()): an empty Msg is moved and
// destroyed without calling into libzmq, which matters because the receiving
// side moves each message several times (the endpoint's job queue holds three
// frame slots per job, of which protocol 2 fills one; see
// docs/performance.md, "The cast path").
class Msg {
 public:
  Msg() noexcept { zmq_msg_init(&m_); }
  explicit Msg(std::string_view s) noexcept {
    if (zmq_msg_init_size(&m_, s.size()) != 0) {
      zmq_msg_init(&m_);
      return;
    }
    full_ = true;
    if (!s.empty()) std::memcpy(zmq_msg_data(&m_), s.data(), s.size());
  }
  ~Msg() {
    if (full_) zmq_msg_close(&m_);
  }
  Msg(Msg&& o) noexcept {
    zmq_msg_init(&m_);
    if (o.full_) {
      zmq_msg_move(&m_, &o.m_);
      full_ = true;
      o.full_ = false;
    }
  }
  Msg& operator=(Msg&& o) noexcept {
    if (this == &o) return *this;
    if (o.full_) {
      zmq_msg_move(&m_, &o.m_);  // closes what this held
      full_ = true;
      o.full_ = false;
    } else if (full_) {
      zmq_msg_close(&m_);
      zmq_msg_init(&m_);
      full_ = false;
    }
    return *this;
  }
  Msg(const Msg&) = delete;
  Msg& operator=(const Msg&) = delete;

  // A message of n bytes, not initialised, to be written through data()
  // (an encoder that writes straight into the frame). size() is 0 if the
  // allocation failed.
  static Msg of_size(std::size_t n) noexcept {
    Msg m;
    if (zmq_msg_init_size(&m.m_, n) != 0) {
      zmq_msg_init(&m.m_);
    } else {
      m.full_ = true;
    }
    return m;
  }

  // The raw message, for libzmq to fill or send: from now on it may hold content.
  zmq_msg_t* get() noexcept {
    full_ = true;
    return &m_;
  }
  char* data() noexcept { return static_cast<char*>(zmq_msg_data(&m_)); }
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
  bool full_ = false;
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
  Msg discard;  // frames beyond max_frames
  for (;;) {
    // Received in place (no Msg moved per frame); a failed receive leaves
    // the slot empty and it is dropped.
    Msg& m = out.size() < max_frames ? out.emplace_back() : discard;
    if (zmq_msg_recv(m.get(), sock, flags) < 0) {
      const int err = errno;
      if (&m != &discard) out.pop_back();
      if (out.empty() && err == EAGAIN) return 0;
      if (out.empty()) return -1;
      continue;  // parts of a multipart arrive together; retry cannot block long
    }
    const bool more = zmq_msg_more(m.get()) != 0;
    if (&m == &discard) ++extra;
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
