// The baseline: the same call and cast patterns written with raw libzmq through
// a bare ROUTER forwarder (one ROUTER socket; the echo server is a DEALER with
// routing id "srv"), on tcp loopback, in the same process as the Stratus run.
#include <zmq.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include "bench_util.h"

namespace stratus::bench {
namespace {

void set_int(void* s, int opt, int v) { zmq_setsockopt(s, opt, &v, sizeof v); }

struct Part {
  zmq_msg_t m;
  Part() { zmq_msg_init(&m); }
  ~Part() { zmq_msg_close(&m); }
};

// Receives a multipart message into up to 4 parts; returns the count (0 = none).
int recv_parts(void* s, Part (&parts)[4], int flags) {
  int n = 0;
  for (;;) {
    Part tmp;
    if (zmq_msg_recv(&tmp.m, s, n == 0 ? flags : 0) < 0) return n;
    const bool more = zmq_msg_more(&tmp.m) != 0;
    if (n < 4) zmq_msg_move(&parts[n++].m, &tmp.m);
    if (!more) return n;
  }
}

class Forwarder {
 public:
  explicit Forwarder(void* ctx) {
    sock_ = zmq_socket(ctx, ZMQ_ROUTER);
    set_int(sock_, ZMQ_LINGER, 0);
    set_int(sock_, ZMQ_ROUTER_MANDATORY, 1);
    set_int(sock_, ZMQ_SNDHWM, 100000);
    set_int(sock_, ZMQ_RCVHWM, 100000);
    zmq_bind(sock_, "tcp://127.0.0.1:0");
    char buf[256];
    std::size_t len = sizeof buf;
    zmq_getsockopt(sock_, ZMQ_LAST_ENDPOINT, buf, &len);
    address_ = buf;
    thread_ = std::thread([this] { loop(); });
  }
  ~Forwarder() {
    running_ = false;
    thread_.join();
    zmq_close(sock_);
  }
  const std::string& address() const { return address_; }

 private:
  void loop() {
    zmq_pollitem_t item{sock_, 0, ZMQ_POLLIN, 0};
    while (running_.load(std::memory_order_relaxed)) {
      if (zmq_poll(&item, 1, 50) <= 0) continue;
      for (int k = 0; k < 1024; ++k) {
        Part p[4];
        const int n = recv_parts(sock_, p, ZMQ_DONTWAIT);
        if (n == 0) break;
        const bool from_srv = zmq_msg_size(&p[0].m) == 3 && std::memcmp(zmq_msg_data(&p[0].m), "srv", 3) == 0;
        if (from_srv) {
          if (n < 3) continue;  // the server's hello
          zmq_msg_send(&p[1].m, sock_, ZMQ_SNDMORE);  // to the client
          zmq_msg_send(&p[2].m, sock_, 0);
        } else {
          if (n < 2) continue;
          zmq_send(sock_, "srv", 3, ZMQ_SNDMORE);
          zmq_msg_send(&p[0].m, sock_, ZMQ_SNDMORE);  // client id
          zmq_msg_send(&p[1].m, sock_, 0);
        }
      }
    }
  }
  void* sock_;
  std::string address_;
  std::thread thread_;
  std::atomic<bool> running_{true};
};

// The server: echoes (echo = true) or counts what it receives.
class RawServer {
 public:
  RawServer(void* ctx, const std::string& addr, bool echo) : echo_(echo) {
    sock_ = zmq_socket(ctx, ZMQ_DEALER);
    set_int(sock_, ZMQ_LINGER, 0);
    set_int(sock_, ZMQ_RCVHWM, 100000);
    zmq_setsockopt(sock_, ZMQ_ROUTING_ID, "srv", 3);
    zmq_connect(sock_, addr.c_str());
    zmq_send(sock_, "hi", 2, 0);
    thread_ = std::thread([this] { loop(); });
  }
  ~RawServer() {
    running_ = false;
    thread_.join();
    zmq_close(sock_);
  }
  std::size_t received() const { return received_.load(); }

 private:
  void loop() {
    zmq_pollitem_t item{sock_, 0, ZMQ_POLLIN, 0};
    while (running_.load(std::memory_order_relaxed)) {
      if (zmq_poll(&item, 1, 50) <= 0) continue;
      for (int k = 0; k < 1024; ++k) {
        Part p[4];
        const int n = recv_parts(sock_, p, ZMQ_DONTWAIT);
        if (n == 0) break;
        received_.fetch_add(1, std::memory_order_relaxed);
        if (echo_ && n >= 2) {
          zmq_msg_send(&p[0].m, sock_, ZMQ_SNDMORE);
          zmq_msg_send(&p[1].m, sock_, 0);
        }
      }
    }
  }
  void* sock_;
  bool echo_;
  std::thread thread_;
  std::atomic<bool> running_{true};
  std::atomic<std::size_t> received_{0};
};

}  // namespace

// The forwarder gets a ZeroMQ context (I/O thread) of its own, as the Stratus
// router does in the benchmark: in a deployment the router is another process.
Latency raw_call_latency(std::size_t payload_bytes, int iterations) {
  void* ctx = zmq_ctx_new();
  void* fwd_ctx = zmq_ctx_new();
  std::vector<double> us;
  {
    Forwarder fwd(fwd_ctx);
    RawServer srv(ctx, fwd.address(), true);
    void* cli = zmq_socket(ctx, ZMQ_DEALER);
    set_int(cli, ZMQ_LINGER, 0);
    zmq_connect(cli, fwd.address().c_str());
    const std::string payload(payload_bytes, 'x');
    std::string buf(payload_bytes + 16, '\0');
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let both connect
    us.reserve(static_cast<std::size_t>(iterations));
    const int timeout_ms = 2000;
    zmq_setsockopt(cli, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
    for (int i = 0; i < iterations + iterations / 10; ++i) {
      const auto t0 = Clock::now();
      zmq_send(cli, payload.data(), payload.size(), 0);
      if (zmq_recv(cli, buf.data(), buf.size(), 0) < 0) break;
      if (i >= iterations / 10) us.push_back(us_since(t0));  // first 10% warm up
    }
    zmq_close(cli);
  }
  zmq_ctx_term(ctx);
  zmq_ctx_term(fwd_ctx);
  return summarize(std::move(us));
}

Throughput raw_cast_throughput(std::size_t payload_bytes, int count) {
  void* ctx = zmq_ctx_new();
  void* fwd_ctx = zmq_ctx_new();
  Throughput t;
  {
    Forwarder fwd(fwd_ctx);
    RawServer srv(ctx, fwd.address(), false);
    void* cli = zmq_socket(ctx, ZMQ_DEALER);
    set_int(cli, ZMQ_LINGER, 0);
    set_int(cli, ZMQ_SNDHWM, 100000);
    zmq_connect(cli, fwd.address().c_str());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string payload(payload_bytes, 'x');
    const std::size_t base = srv.received();
    const auto t0 = Clock::now();
    for (int i = 0; i < count; ++i) zmq_send(cli, payload.data(), payload.size(), 0);
    t.sent = static_cast<std::size_t>(count);
    const auto deadline = t0 + std::chrono::seconds(20);
    while (srv.received() - base < t.sent && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::microseconds(200));
    const double secs = us_since(t0) / 1e6;
    t.received = srv.received() - base;
    t.per_second = static_cast<double>(t.received) / secs;
    zmq_close(cli);
  }
  zmq_ctx_term(ctx);
  zmq_ctx_term(fwd_ctx);
  return t;
}

}  // namespace stratus::bench
