#include "stratus/rpc/endpoint.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "request_body.h"
#include "wire.h"
#include "zmq_util.h"

namespace stratus::rpc {
namespace {

using Clock = std::chrono::steady_clock;
using detail::Frames;
using std::chrono::milliseconds;

struct Served {
  std::string topic;
  std::string server;
  std::shared_ptr<const Dispatcher> dispatcher;
};

// What a worker needs of a request's header: small enough that a Job needs
// no allocation (topics and routing ids fit std::string's inline buffer).
struct JobHeader {
  wire::Kind kind = wire::Kind::cast;
  std::uint32_t protocol = 1;
  std::uint64_t msg_id = 0;
  std::string topic;
  std::string reply_to;
};

struct Job {
  JobHeader header;
  // Protocol 1: header, request, args; protocol 2: the body in frames[0].
  detail::Msg frames[3];
  std::size_t header_bytes = 0;  // protocol 2: where the request starts in frames[0]
  const Dispatcher* dispatcher = nullptr;
  Clock::time_point received{};  // for the observer's queue time
};

// The queue between the I/O thread and the workers: a ring of pointers to
// Jobs that grows by doubling and is reused, so queueing a message allocates
// nothing in the steady state. The Jobs themselves are recycled (JobPool):
// the queue moves 8-byte pointers under its lock, not Jobs (three zmq frames
// each, and a move of a frame is a call into libzmq).
class JobRing {
 public:
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  void push(Job* j) {
    if (n_ == slots_.size()) grow();
    slots_[(head_ + n_) % slots_.size()] = j;
    ++n_;
  }
  Job* pop() {
    Job* j = slots_[head_];
    head_ = (head_ + 1) % slots_.size();
    --n_;
    return j;
  }

 private:
  void grow() {
    std::vector<Job*> bigger(std::max<std::size_t>(64, slots_.size() * 2));
    for (std::size_t i = 0; i < n_; ++i) bigger[i] = slots_[(head_ + i) % slots_.size()];
    slots_ = std::move(bigger);
    head_ = 0;
  }
  std::vector<Job*> slots_;
  std::size_t head_ = 0;
  std::size_t n_ = 0;
};

// Drops what a finished Job holds (its frames go back to libzmq) so that it
// can be reused; the header's strings keep their storage.
void recycle(Job& j) {
  for (auto& f : j.frames) f = detail::Msg();
  j.dispatcher = nullptr;
}

MessageKind kind_of(wire::Kind k) {
  return k == wire::Kind::call ? MessageKind::call : k == wire::Kind::fanout ? MessageKind::fanout : MessageKind::cast;
}

void set_int(void* s, int opt, int v) { zmq_setsockopt(s, opt, &v, sizeof v); }

}  // namespace

struct Endpoint::Impl {
  explicit Impl(EndpointOptions o) : opt(std::move(o)), io(opt.io ? opt.io : IoContext::global()) {
    hb_interval = opt.heartbeat_interval.count() > 0 ? opt.heartbeat_interval : milliseconds(1000);
  }

  EndpointOptions opt;
  std::shared_ptr<IoContext> io;
  std::vector<Served> served;
  // topic '\0' server -> its dispatcher: one endpoint may serve many servers
  // of one topic (the fake hosts of one process), looked up in O(1).
  std::unordered_map<std::string, const Dispatcher*> by_server;

  void* dealer = nullptr;  // the I/O thread's socket: HELLO, heartbeats, incoming requests

  std::thread io_thread;
  std::vector<std::thread> workers;
  bool started = false;
  std::atomic<bool> accepting{false};
  std::atomic<bool> io_running{false};

  // What a calling thread writes per message (next_id, fast_sock, in_use,
  // the sent counters) sits on cache lines of its own, away from what the
  // I/O thread and the workers write per message (the job queue, served,
  // running): sharing a line would bounce it between cores on every cast.
  alignas(64) std::atomic<std::uint64_t> next_id{1};
  std::atomic<std::uint64_t> router_epoch{0};  // bumped when the router is lost
  // The protocol the router agreed to in HELLO_ACK: how calls and casts are
  // sent (1 until then, and with a router that names none).
  std::atomic<std::uint32_t> protocol{1};

  // Idle caller sockets: one in a lock-free slot (the common case of one
  // thread sending at a time costs two atomic operations, not two mutex
  // round trips), the others in the pool under pool_mu. in_use counts the
  // sockets lent out; stop() waits for it to reach 0 before closing them.
  std::mutex pool_mu;
  std::vector<void*> pool;
  std::atomic<void*> fast_sock{nullptr};
  std::atomic<std::size_t> in_use{0};

  alignas(64) std::mutex job_mu;
  std::condition_variable job_cv;
  JobRing jobs;
  std::vector<Job*> returned;  // finished Jobs, given back by the workers for reuse
  bool jobs_closed = false;
  std::atomic<bool> stopping{false};                 // taken jobs not yet run are dropped
  std::atomic<std::size_t> dropped_at_stop{0};

  alignas(64) mutable std::mutex reg_mu;  // with is_registered: read by callers
  mutable std::condition_variable reg_cv;
  std::atomic<bool> is_registered{false};

  struct Counters {
    alignas(64) std::atomic<std::uint64_t> calls_sent{0}, casts_sent{0};  // callers
    alignas(64) std::atomic<std::uint64_t> served{0};                      // workers
    std::atomic<std::size_t> running{0};
    alignas(64) std::atomic<std::uint64_t> dropped_malformed{0}, dropped_busy{0}, dropped_oversize{0}, cast_errors{0},
        router_lost{0}, registrations{0};
  } c;

  // I/O thread state.
  Clock::time_point last_heard{};
  Clock::time_point last_hb_sent{};
  Clock::time_point last_hello{};
  Clock::time_point hello_not_before{};
  Clock::time_point last_drain{};
  wire::Header hdr;                  // reused by on_message()
  std::size_t unsignalled_jobs = 0;  // jobs queued since the last wake_workers()
  std::vector<Job*> arrived, refused;  // of the batch being received (reused)
  std::vector<Job*> spare;             // Jobs ready for reuse (I/O thread)
  std::vector<std::unique_ptr<Job>> job_store;  // every Job (made by the I/O thread)
  std::string server_key;             // reused by on_request() to look up by_server
  std::size_t worker_count = 0;      // set before the threads start
  milliseconds hb_interval{1000};

  // ---- client side -------------------------------------------------------

  // Fills `f` (cleared first; a thread's Frames is reused, so that sending
  // allocates no vector) with the message in the negotiated protocol.
  Status build(Frames& f, wire::Kind kind, std::uint64_t id, const Target& t, std::string_view method,
               const Payload& args, const RequestContext& ctx, std::uint32_t timeout_ms,
               std::string& new_request_id) {
    if (t.topic.empty()) return make_error(Errc::invalid_argument, "target has no topic");
    // The canonical "major.minor" of the target's version, remembered per
    // thread (a sender repeats the same few versions): parsed only when it
    // differs from the last one this thread sent.
    thread_local std::string last_given, last_canonical;
    if (t.version != last_given || last_canonical.empty()) {
      auto v = Version::parse(t.version);
      if (!v) return v.error();
      last_canonical = v->to_string();
      last_given = t.version;
    }
    const std::string& version = last_canonical;
    if (method.empty()) return make_error(Errc::invalid_argument, "method name is empty");
    // A context without a request id gets one (a copy only then).
    std::optional<RequestContext> with_id;
    if (ctx.request_id.empty()) {
      with_id = ctx;
      with_id->request_id = RequestContext::new_request_id();
    }
    const RequestContext& context = with_id ? *with_id : ctx;
    if (with_id) new_request_id = with_id->request_id;  // else the caller's context has it
    f.clear();
    const std::string_view server = kind == wire::Kind::fanout ? std::string_view() : std::string_view(t.server);
    if (protocol.load(std::memory_order_relaxed) == wire::kProtocolV2) {
      // One frame, encoded straight into the message's own buffer.
      const wire::RequestBodyView b{kind, id, t.topic, server, timeout_ms, method, t.ns, version, &context,
                                    args.bytes()};
      const std::size_t size = wire::request_body_size(b);
      if (size > opt.max_message_bytes) return too_large(size);
      detail::Msg m = detail::Msg::of_size(size);
      if (m.size() != size) {
        return make_error(Errc::internal, "out of memory for a message of " + std::to_string(size) + " bytes");
      }
      wire::write_request_body(b, m.data());
      f.push_back(std::move(m));
      return {};
    }
    wire::Header h;
    h.kind = kind;
    h.msg_id = id;
    h.topic = t.topic;
    h.server = server;
    h.timeout_ms = timeout_ms;
    wire::Request r;
    r.method = std::string(method);
    r.ns = t.ns;
    r.version = version;
    r.context = context;
    f.reserve(3);
    f.emplace_back(wire::encode_header(h));
    f.emplace_back(wire::encode_request(r));
    f.emplace_back(args.bytes());
    const std::size_t size = detail::total_size(f);
    if (size > opt.max_message_bytes) return too_large(size);
    return {};
  }

  Error too_large(std::size_t size) const {
    return make_error(Errc::too_large, "message of " + std::to_string(size) + " bytes exceeds the limit of " +
                                           std::to_string(opt.max_message_bytes));
  }

  Status check_ready() const {
    if (!accepting.load()) return make_error(Errc::unavailable, "endpoint '" + opt.name + "' is not running");
    if (!is_registered.load()) {
      return make_error(Errc::unavailable, "endpoint '" + opt.name + "' is not connected to the router " + opt.router);
    }
    return {};
  }

  // ---- caller sockets ---------------------------------------------------------
  // Calls do not go through the I/O thread: each call borrows a DEALER socket
  // of its own from a pool, sends on it and waits on it for the reply, so a
  // call costs no thread hop on the client side.

  void* new_socket(bool immediate) {
    void* s = zmq_socket(io->native(), ZMQ_DEALER);
    set_int(s, ZMQ_LINGER, 0);
    set_int(s, ZMQ_IMMEDIATE, immediate ? 1 : 0);
    set_int(s, ZMQ_SNDHWM, 100000);
    set_int(s, ZMQ_RCVHWM, 100000);
    set_int(s, ZMQ_RECONNECT_IVL, static_cast<int>(opt.reconnect_interval.count()));
    if (opt.curve.enabled()) {
      const auto& k = opt.curve;
      if (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, k.server_public_key.c_str(), k.server_public_key.size() + 1) ||
          zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, k.public_key.c_str(), k.public_key.size() + 1) ||
          zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, k.secret_key.c_str(), k.secret_key.size() + 1)) {
        zmq_close(s);
        return nullptr;
      }
    }
    if (zmq_connect(s, opt.router.c_str()) != 0) {
      zmq_close(s);
      return nullptr;
    }
    return s;
  }

  // in_use is raised before `accepting` is read and stop() clears
  // `accepting` before it reads in_use (both sequentially consistent), so
  // either stop() waits for this socket or acquire() sees it stopping.
  void* acquire() {
    in_use.fetch_add(1);
    if (!accepting.load()) {
      in_use.fetch_sub(1);
      return nullptr;
    }
    if (void* s = fast_sock.exchange(nullptr)) return s;
    std::lock_guard lk(pool_mu);
    void* s = nullptr;
    if (!pool.empty()) {
      s = pool.back();
      pool.pop_back();
    } else {
      s = new_socket(false);
      if (!s) in_use.fetch_sub(1);
    }
    return s;
  }

  void release(void* s) {
    if (accepting.load()) {
      void* empty = nullptr;
      if (!fast_sock.compare_exchange_strong(empty, s)) {
        std::lock_guard lk(pool_mu);
        pool.push_back(s);
      }
    } else {
      zmq_close(s);
    }
    in_use.fetch_sub(1);
  }

  // call() and cast() as the observer sees them: timed, with their outcome.
  Result<Payload> observed_call(const Target& t, std::string_view method, const Payload& args,
                                const RequestContext& ctx, milliseconds timeout) {
    if (!opt.observer) return call(t, method, args, ctx, timeout);
    const auto sent_at = Clock::now();
    Result<Payload> r = call(t, method, args, ctx, timeout);
    opt.observer->on_sent(SentEvent{MessageKind::call, t.topic, method, r.ok() ? Errc::ok : r.error().code,
                                    Clock::now() - sent_at});
    return r;
  }

  Status observed_cast(const Target& t, std::string_view method, const Payload& args, const RequestContext& ctx) {
    if (!opt.observer) return cast(t, method, args, ctx);
    const auto sent_at = Clock::now();
    Status r = cast(t, method, args, ctx);
    opt.observer->on_sent(SentEvent{t.fanout ? MessageKind::fanout : MessageKind::cast, t.topic, method,
                                    r.ok() ? Errc::ok : r.error().code, Clock::now() - sent_at});
    return r;
  }

  Result<Payload> call(const Target& t, std::string_view method, const Payload& args, const RequestContext& ctx,
                       milliseconds timeout) {
    if (t.fanout) return make_error(Errc::invalid_argument, "a fanout target can only be cast to");
    if (auto s = check_ready(); !s) return s.error();
    if (timeout.count() <= 0) timeout = opt.default_timeout;
    const std::uint64_t id = next_id.fetch_add(1);
    std::string req_id;
    thread_local Frames frames;
    auto built = build(frames, wire::Kind::call, id, t, method, args, ctx,
                        static_cast<std::uint32_t>(std::min<std::int64_t>(timeout.count(), UINT32_MAX)), req_id);
    if (!built) return built.error();
    const std::uint64_t epoch = router_epoch.load();
    void* sock = acquire();
    if (!sock) return make_error(Errc::unavailable, "endpoint '" + opt.name + "' is not running");
    struct Releaser {
      Impl* self;
      void* s;
      ~Releaser() { self->release(s); }
    } releaser{this, sock};
    if (int rc = detail::send_multipart(sock, frames); rc != 0) {
      return make_error(Errc::unavailable, std::string("cannot send to the router: ") + zmq_strerror(rc));
    }
    c.calls_sent.fetch_add(1, std::memory_order_relaxed);
    const auto deadline = Clock::now() + timeout;
    zmq_pollitem_t item{sock, 0, ZMQ_POLLIN, 0};
    Frames in;
    std::size_t extra = 0;
    for (;;) {
      const auto now = Clock::now();
      if (now >= deadline) break;
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - now).count() + 1;
      const int rc = zmq_poll(&item, 1, std::min<long>(static_cast<long>(left), 50));
      if (rc < 0 && errno != EINTR) return make_error(Errc::internal, "poll failed: " + detail::zmq_error());
      while (rc > 0 && detail::recv_multipart(sock, in, extra) == 1) {
        if (in.empty()) continue;
        std::size_t header_bytes = 0;
        auto h = wire::decode_header_prefix(in[0].view(), header_bytes);
        if (!h || (h->protocol == wire::kProtocolVersion && header_bytes != in[0].size())) {
          c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        if (h->msg_id != id) continue;  // a late reply to an earlier call on this socket
        if (h->kind == wire::Kind::error) return wire::status_to_error(wire::ReplyStatus{h->code, "", h->message});
        if (h->kind != wire::Kind::reply) continue;
        std::string_view status_bytes, result;
        if (h->protocol == wire::kProtocolV2) {  // one frame: header, status, result
          const std::string_view rest = in[0].view().substr(header_bytes);
          auto n = wire::value_length(rest);
          if (!n) return make_error(Errc::bad_message, "reply without status: " + n.error().message);
          status_bytes = rest.substr(0, n.value());
          result = rest.substr(n.value());
        } else {
          if (in.size() < 2) return make_error(Errc::bad_message, "reply without status frame");
          status_bytes = in[1].view();
          if (in.size() > 2) result = in[2].view();
        }
        auto st = wire::decode_status(status_bytes);
        if (!st) return st.error();
        if (st->code != 0) return wire::status_to_error(std::move(st.value()));
        return result.empty() ? Payload() : Payload::from_bytes(std::string(result));
      }
      if (!accepting.load()) return make_error(Errc::unavailable, "endpoint '" + opt.name + "' stopped");
      if (router_epoch.load() != epoch) return make_error(Errc::unavailable, "connection to the router lost");
    }
    spdlog::warn("rpc call {} {} timed out after {} ms req={}", t.to_string(), method, timeout.count(),
                 ctx.request_id.empty() ? req_id : ctx.request_id);
    return make_error(Errc::timeout, "no reply to '" + std::string(method) + "' from " + t.to_string() + " within " +
                                         std::to_string(timeout.count()) + " ms");
  }

  Status cast(const Target& t, std::string_view method, const Payload& args, const RequestContext& ctx) {
    if (auto s = check_ready(); !s) return s;
    std::string req_id;
    thread_local Frames frames;
    auto built = build(frames, t.fanout ? wire::Kind::fanout : wire::Kind::cast, next_id.fetch_add(1), t, method, args,
                        ctx, 0, req_id);
    if (!built) return built.error();
    void* sock = acquire();
    if (!sock) return make_error(Errc::unavailable, "endpoint '" + opt.name + "' is not running");
    const int rc = detail::send_multipart(sock, frames);
    release(sock);
    if (rc != 0) {
      return make_error(Errc::unavailable, std::string("cannot send to the router (") + zmq_strerror(rc) +
                                               "); cast " + std::string(method) + " req=" +
                                               (ctx.request_id.empty() ? req_id : ctx.request_id) + " not sent");
    }
    c.casts_sent.fetch_add(1, std::memory_order_relaxed);
    return {};
  }

  // Reads what arrived on idle caller sockets: the router's ERROR reports for
  // casts sent on them (counted in cast_errors and logged) and late replies to
  // calls that timed out (dropped). Called by the I/O thread every heartbeat
  // interval and by stats().
  void drain_idle_pool() {
    std::lock_guard lk(pool_mu);
    if (void* f = fast_sock.exchange(nullptr)) pool.push_back(f);
    Frames in;
    std::size_t extra = 0;
    for (void* s : pool) {
      for (int i = 0; i < 256 && detail::recv_multipart(s, in, extra) == 1; ++i) {
        if (in.empty()) continue;
        auto h = wire::decode_header(in[0].view());
        if (h.ok() && h->kind == wire::Kind::error) {
          c.cast_errors.fetch_add(1, std::memory_order_relaxed);
          const Error e = wire::status_to_error(wire::ReplyStatus{h->code, "", h->message});
          spdlog::warn("rpc endpoint {}: router reports cast {} undelivered: {}", opt.name, h->msg_id, e.to_string());
        }
      }
    }
  }

  // ---- I/O thread ----------------------------------------------------------

  void set_registered(bool v) {
    // Until the next HELLO_ACK says otherwise, speak 1: the router may have
    // restarted as an older release.
    if (!v) protocol.store(wire::kProtocolVersion);
    {
      std::lock_guard lk(reg_mu);
      is_registered.store(v);
    }
    reg_cv.notify_all();
  }

  void send_direct(Frames& frames) {
    int rc = detail::send_multipart(dealer, frames);
    if (rc != 0) spdlog::debug("rpc endpoint {}: send to router failed: {}", opt.name, zmq_strerror(rc));
  }

  void send_hello() {
    wire::Header h;
    h.kind = wire::Kind::hello;
    h.name = opt.name;
    // Offer every protocol up to ours; without the field (max_protocol 1) the
    // HELLO is exactly a protocol-1 endpoint's.
    for (std::uint32_t v = 1; opt.max_protocol >= 2 && v <= std::min(opt.max_protocol, wire::kMaxProtocol); ++v) {
      h.protocols.push_back(v);
    }
    for (const auto& s : served) h.services.push_back({s.topic, s.server});
    Frames f;
    f.emplace_back(wire::encode_header(h));
    send_direct(f);
    last_hello = Clock::now();
  }

  void send_simple(wire::Kind k) {
    wire::Header h;
    h.kind = k;
    Frames f;
    f.emplace_back(wire::encode_header(h));
    send_direct(f);
  }

  // Reply frames without the local id frame, in the protocol of the request.
  static Frames reply_frames(std::uint32_t protocol, std::uint64_t msg_id, const std::string& reply_to,
                             const Result<Payload>& r) {
    wire::Header h;
    h.kind = wire::Kind::reply;
    h.msg_id = msg_id;
    h.reply_to = reply_to;
    Frames f;
    if (protocol == wire::kProtocolV2) {  // body, then reply_to in a frame of its own
      f.reserve(2);
      if (r.ok()) {
        f.emplace_back(wire::encode_body(h, wire::encode_status(wire::ReplyStatus{}), r.value().bytes()));
      } else {
        f.emplace_back(wire::encode_body(h, wire::encode_status(r.error()), {}));
      }
      f.emplace_back(reply_to);
      return f;
    }
    f.reserve(4);
    f.emplace_back(wire::encode_header(h));
    if (r.ok()) {
      f.emplace_back(wire::encode_status(wire::ReplyStatus{}));
      f.emplace_back(r.value().bytes());
    } else {
      f.emplace_back(wire::encode_status(r.error()));
    }
    return f;
  }

  void reply_now(const wire::Header& req, Error e) {
    Frames f = reply_frames(req.protocol, req.msg_id, req.reply_to, Result<Payload>(std::move(e)));
    send_direct(f);
  }

  void on_request(wire::Header& h, Frames& frames, std::size_t header_bytes) {
    const bool is_call = h.kind == wire::Kind::call;
    const bool v2 = h.protocol == wire::kProtocolV2;
    if (v2 && frames.size() > 1) h.reply_to = frames[1].str();  // protocol 2: the frame after the body
    if (is_call && h.reply_to.empty()) {
      c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    const std::size_t size = detail::total_size(frames);
    if (size > opt.max_message_bytes) {
      c.dropped_oversize.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("rpc endpoint {}: message {} of {} bytes over the limit dropped", opt.name, h.msg_id, size);
      if (is_call) reply_now(h, make_error(Errc::too_large, "message of " + std::to_string(size) + " bytes exceeds " +
                                                                std::to_string(opt.max_message_bytes)));
      return;
    }
    if (v2 ? header_bytes >= frames[0].size() : frames.size() < 3) {
      c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
      if (is_call) {
        reply_now(h, make_error(Errc::bad_message, v2 ? "a call's body needs a request and args after the header"
                                                      : "a call needs 3 frames: header, request, args"));
      }
      return;
    }
    const Dispatcher* d = nullptr;
    if (!h.server.empty()) {
      // topic '\0' server in a reused buffer: no allocation per message.
      server_key.assign(h.topic);
      server_key.push_back('\0');
      server_key.append(h.server);
      auto it = by_server.find(server_key);
      if (it != by_server.end()) d = it->second;
    } else {
      for (const auto& s : served) {
        if (s.topic == h.topic) {
          d = s.dispatcher.get();
          break;
        }
      }
    }
    if (d == nullptr) {
      if (is_call) reply_now(h, make_error(Errc::no_such_target, "endpoint '" + opt.name + "' does not serve " + h.topic));
      return;
    }
    Job& job = *arrived.emplace_back(new_job());
    job.header.kind = h.kind;
    job.header.protocol = h.protocol;
    job.header.msg_id = h.msg_id;
    job.header.topic.swap(h.topic);  // hdr is rewritten by the next message
    job.header.reply_to.swap(h.reply_to);
    for (std::size_t i = 0; i < frames.size() && i < 3; ++i) job.frames[i] = std::move(frames[i]);
    job.header_bytes = header_bytes;
    job.dispatcher = d;
    job.received = opt.observer ? Clock::now() : Clock::time_point{};
  }

  // A recycled Job, or a new one.
  Job* new_job() {
    if (spare.empty()) return job_store.emplace_back(std::make_unique<Job>()).get();
    Job* j = spare.back();
    spare.pop_back();
    return j;
  }

  // Queues the jobs of one received batch under one lock (the workers take
  // the same lock; one acquisition per batch rather than per message keeps
  // them from colliding), answers those beyond the queue limit "busy", and
  // wakes as many workers as there are new jobs.
  void queue_arrived() {
    if (arrived.empty()) return;
    {
      std::lock_guard lk(job_mu);
      for (Job* j : arrived) {
        if (jobs.size() >= opt.queue_limit || jobs_closed) {
          refused.push_back(j);
        } else {
          jobs.push(j);
          ++unsignalled_jobs;
        }
      }
      spare.insert(spare.end(), returned.begin(), returned.end());
      returned.clear();
    }
    arrived.clear();
    for (Job* j : refused) {
      if (j->header.kind == wire::Kind::call) {
        Frames f = reply_frames(j->header.protocol, j->header.msg_id, j->header.reply_to,
                                make_error(Errc::unavailable, "server '" + opt.name + "' is busy"));
        send_direct(f);
      } else {
        c.dropped_busy.fetch_add(1, std::memory_order_relaxed);
      }
      recycle(*j);
      spare.push_back(j);
    }
    refused.clear();
    wake_workers();
  }

  void wake_workers() {
    if (unsignalled_jobs == 0) return;
    if (unsignalled_jobs >= worker_count) {
      job_cv.notify_all();
    } else {
      for (std::size_t i = 0; i < unsignalled_jobs; ++i) job_cv.notify_one();
    }
    unsignalled_jobs = 0;
  }

  void on_message(Frames& frames, std::size_t extra) {
    if (frames.empty() || extra > 0) {
      c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    std::size_t header_bytes = 0;
    Status decoded = wire::decode_header_prefix_into(frames[0].view(), hdr, header_bytes);
    if (decoded && hdr.protocol == wire::kProtocolVersion && header_bytes != frames[0].size()) {
      decoded = make_error(Errc::bad_message, "header: not msgpack: trailing bytes after the msgpack value");
    } else if (decoded && hdr.protocol > std::min(opt.max_protocol, wire::kMaxProtocol)) {
      decoded = make_error(Errc::bad_message, "header: unsupported protocol version " + std::to_string(hdr.protocol));
    }
    if (!decoded) {
      c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("rpc endpoint {}: dropped message from router: {}", opt.name, decoded.error().message);
      return;
    }
    wire::Header* h = &hdr;
    switch (h->kind) {
      case wire::Kind::reply: c.dropped_malformed.fetch_add(1, std::memory_order_relaxed); break;  // go to caller sockets
      case wire::Kind::call:
      case wire::Kind::cast:
      case wire::Kind::fanout: on_request(*h, frames, header_bytes); break;
      case wire::Kind::hello_ack:
        if (h->heartbeat_ms > 0) hb_interval = milliseconds(h->heartbeat_ms);
        // A router that names no protocol speaks 1; never above what we offered.
        protocol.store(h->chosen_protocol == wire::kProtocolV2 && opt.max_protocol >= wire::kProtocolV2
                           ? wire::kProtocolV2
                           : wire::kProtocolVersion);
        c.registrations.fetch_add(1, std::memory_order_relaxed);
        if (!is_registered.load()) spdlog::info("rpc endpoint {}: registered with router {}", opt.name, opt.router);
        set_registered(true);
        break;
      case wire::Kind::reset:
        spdlog::info("rpc endpoint {}: router does not know us; saying hello again", opt.name);
        set_registered(false);
        send_hello();
        break;
      case wire::Kind::error: {
        Error e = wire::status_to_error(wire::ReplyStatus{h->code, "", h->message});
        if (h->msg_id == 0 && e.code == Errc::forbidden && !is_registered.load()) {
          // Our HELLO was refused by policy: retrying at once would not help.
          spdlog::error("rpc endpoint {}: router refused registration: {}", opt.name, e.message);
          hello_not_before = Clock::now() + std::max(hb_interval * 4, milliseconds(1000));
          break;
        }
        c.cast_errors.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("rpc endpoint {}: router reports for message {}: {}", opt.name, h->msg_id, e.to_string());
        break;
      }
      case wire::Kind::heartbeat: break;
      case wire::Kind::hello:
      case wire::Kind::bye: c.dropped_malformed.fetch_add(1, std::memory_order_relaxed); break;
    }
  }

  void timers() {
    const auto now = Clock::now();
    if (now - last_drain >= hb_interval) {
      last_drain = now;
      drain_idle_pool();
    }
    if (is_registered.load()) {
      if (now - last_hb_sent >= hb_interval) {
        send_simple(wire::Kind::heartbeat);
        last_hb_sent = now;
      }
      if (now - last_heard > hb_interval * std::max(1, opt.heartbeat_liveness)) {
        c.router_lost.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("rpc endpoint {}: router {} silent for {} ms; failing calls in flight and reconnecting",
                     opt.name, opt.router,
                     std::chrono::duration_cast<milliseconds>(now - last_heard).count());
        set_registered(false);
        router_epoch.fetch_add(1);  // calls in flight fail with unavailable
        send_hello();
      }
    } else if (now >= hello_not_before && now - last_hello >= std::max(opt.reconnect_interval, milliseconds(20))) {
      send_hello();
    }
  }

  void io_loop() {
    pthread_setname_np(pthread_self(), "rpc-endpoint");
    zmq_pollitem_t item{dealer, 0, ZMQ_POLLIN, 0};
    Frames frames;
    std::size_t extra = 0;
    last_heard = Clock::now();
    send_hello();
    while (io_running.load(std::memory_order_relaxed)) {
      const long timeout = std::clamp<long>(static_cast<long>(hb_interval.count() / 4), 5, 100);
      if (zmq_poll(&item, 1, is_registered.load() ? timeout : 10) < 0 && errno != EINTR) break;
      if (item.revents & ZMQ_POLLIN) {
        int got = 0;
        for (; got < 512 && detail::recv_multipart(dealer, frames, extra) == 1; ++got) on_message(frames, extra);
        if (got > 0) last_heard = Clock::now();  // any message is a sign of the router's life
        queue_arrived();
      }
      timers();
    }
    if (is_registered.load()) send_simple(wire::Kind::bye);
    set_registered(false);
  }

  // ---- workers --------------------------------------------------------------

  void run_job(Job& job, void* reply_sock) {
    const JobHeader& h = job.header;
    const bool is_call = h.kind == wire::Kind::call;
    const auto began = opt.observer ? Clock::now() : Clock::time_point{};
    std::string method;  // for the observer
    Result<Payload> result = [&]() -> Result<Payload> {
      // Decoded into this thread's Request, whose strings keep their storage.
      thread_local wire::Request request;
      wire::Request* req = &request;
      std::string_view args_bytes;
      Status decoded;
      if (h.protocol == wire::kProtocolV2) {  // one frame: header, request, args
        const std::string_view rest = job.frames[0].view().substr(job.header_bytes);
        std::size_t n = 0;
        decoded = wire::decode_request_into(rest, request, &n);
        if (decoded) args_bytes = rest.substr(n);
      } else {
        decoded = wire::decode_request_into(job.frames[1].view(), request, nullptr);
        args_bytes = job.frames[2].view();
      }
      if (!decoded) {
        c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("rpc endpoint {}: bad request {} on {}: {}", opt.name, h.msg_id, h.topic,
                     decoded.error().message);
        return decoded.error();
      }
      if (args_bytes.empty()) return make_error(Errc::bad_message, "body: the args are missing after the request");
      // The version as parsed last time on this thread, when it is the same
      // string (a worker sees the same few versions over and over).
      thread_local std::string last_version;
      thread_local Version parsed;
      if (req->version != last_version || last_version.empty()) {
        auto v = Version::parse(req->version);
        if (!v) return make_error(Errc::bad_message, v.error().message);
        parsed = v.value();
        last_version = req->version;
      }
      const RequestContext& ctx = req->context;
      CallInfo info{ctx, req->method, req->ns, parsed, h.topic, is_call};
      if (opt.observer) method = req->method;
      // The args stay in the received frame, which outlives the dispatch.
      auto r = job.dispatcher->dispatch(info, Payload::borrowing(args_bytes));
      c.served.fetch_add(1, std::memory_order_relaxed);
      if (r.ok()) {
        spdlog::debug("rpc {} {} {} v{} req={} ok", is_call ? "call" : "cast", h.topic, req->method,
                      req->version, ctx.request_id);
      } else {
        spdlog::info("rpc {} {} {} v{} req={} failed: {}", is_call ? "call" : "cast", h.topic, req->method,
                     req->version, ctx.request_id, r.error().to_string());
      }
      return r;
    }();
    if (opt.observer) {
      const Errc outcome = result.ok() ? Errc::ok : result.error().code;
      opt.observer->on_handled(HandledEvent{kind_of(h.kind), h.topic, method,
                                            !method.empty() && outcome != Errc::no_such_method, outcome,
                                            began - job.received, Clock::now() - began});
    }
    if (!is_call) return;
    Frames f = reply_frames(h.protocol, h.msg_id, h.reply_to, result);
    if (int rc = reply_sock ? detail::send_multipart(reply_sock, f) : ENOTSOCK; rc != 0) {
      spdlog::warn("rpc endpoint {}: reply {} lost: {}", opt.name, h.msg_id, zmq_strerror(rc));
    }
  }

  // Each worker sends its replies on a DEALER socket of its own (the router
  // routes a reply by its reply_to field, not by the socket it came from), so a
  // reply costs no hop back through the I/O thread.
  void worker_loop(void* reply_sock) {
    pthread_setname_np(pthread_self(), "rpc-worker");
    std::vector<Job*> batch;
    for (;;) {
      {
        std::unique_lock lk(job_mu);
        // The last batch's Jobs go back to the I/O thread with this lock.
        returned.insert(returned.end(), batch.begin(), batch.end());
        batch.clear();
        job_cv.wait(lk, [&] { return !jobs.empty() || jobs_closed; });
        if (jobs_closed) break;
        // A fair share of what waits (all of it with one worker, at most 32),
        // so that a burst of casts costs one lock round trip per share, not
        // per message, while a lone call still goes to the first free worker.
        const std::size_t take = std::min<std::size_t>(32, std::max<std::size_t>(1, jobs.size() / worker_count));
        for (std::size_t i = 0; i < take; ++i) batch.push_back(jobs.pop());
      }
      for (Job* job : batch) {
        if (stopping.load(std::memory_order_relaxed)) {
          dropped_at_stop.fetch_add(1, std::memory_order_relaxed);
        } else {
          c.running.fetch_add(1, std::memory_order_relaxed);
          run_job(*job, reply_sock);
          c.running.fetch_sub(1, std::memory_order_relaxed);
        }
        recycle(*job);
      }
    }
    if (reply_sock) zmq_close(reply_sock);
  }

  // ---- lifecycle ------------------------------------------------------------

  Status start() {
    if (started) return make_error(Errc::unavailable, "endpoint '" + opt.name + "' already started");
    if (opt.router.empty()) return make_error(Errc::invalid_argument, "no router address");
    void* ctx = io->native();
    dealer = zmq_socket(ctx, ZMQ_DEALER);
    set_int(dealer, ZMQ_LINGER, 0);
    set_int(dealer, ZMQ_IMMEDIATE, 1);
    set_int(dealer, ZMQ_SNDHWM, 100000);
    set_int(dealer, ZMQ_RCVHWM, 100000);
    set_int(dealer, ZMQ_RECONNECT_IVL, static_cast<int>(opt.reconnect_interval.count()));
    if (opt.curve.enabled()) {
      const auto& k = opt.curve;
      if (zmq_setsockopt(dealer, ZMQ_CURVE_SERVERKEY, k.server_public_key.c_str(), k.server_public_key.size() + 1) ||
          zmq_setsockopt(dealer, ZMQ_CURVE_PUBLICKEY, k.public_key.c_str(), k.public_key.size() + 1) ||
          zmq_setsockopt(dealer, ZMQ_CURVE_SECRETKEY, k.secret_key.c_str(), k.secret_key.size() + 1)) {
        Error e = make_error(Errc::invalid_argument, "bad CURVE keys: " + detail::zmq_error());
        close_sockets();
        return e;
      }
    }
    if (zmq_connect(dealer, opt.router.c_str()) != 0) {
      Error e = make_error(Errc::invalid_argument, "cannot connect to '" + opt.router + "': " + detail::zmq_error());
      close_sockets();
      return e;
    }
    started = true;
    accepting = true;
    io_running = true;
    jobs_closed = false;
    stopping = false;
    const std::size_t n = served.empty() ? 0 : std::max<std::size_t>(1, opt.workers);
    worker_count = n;
    for (std::size_t i = 0; i < n; ++i) {
      void* reply_sock = new_socket(false);  // handed to the worker thread, which owns it
      workers.emplace_back([this, reply_sock] { worker_loop(reply_sock); });
    }
    io_thread = std::thread([this] { io_loop(); });
    spdlog::debug("rpc endpoint {}: started, router {}", opt.name, opt.router);
    return {};
  }

  void close_sockets() {
    if (dealer) zmq_close(dealer);
    dealer = nullptr;
  }

  void stop() {
    if (!started) return;
    accepting = false;
    std::size_t dropped = 0;
    stopping = true;
    {
      std::lock_guard lk(job_mu);
      jobs_closed = true;
      dropped = jobs.size();
      while (!jobs.empty()) {
        Job* j = jobs.pop();
        recycle(*j);
        returned.push_back(j);
      }
    }
    job_cv.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
    dropped += dropped_at_stop.exchange(0);
    io_running = false;
    io_thread.join();
    {
      // Calls in flight notice `accepting` within one poll slice (50 ms).
      const auto until = Clock::now() + std::chrono::seconds(5);
      while (in_use.load() != 0 && Clock::now() < until) std::this_thread::sleep_for(milliseconds(1));
      std::lock_guard lk(pool_mu);
      if (void* f = fast_sock.exchange(nullptr)) pool.push_back(f);
      for (void* ps : pool) zmq_close(ps);
      pool.clear();
    }
    close_sockets();
    started = false;
    if (dropped) spdlog::warn("rpc endpoint {}: stopped with {} queued messages unserved", opt.name, dropped);
    spdlog::debug("rpc endpoint {}: stopped", opt.name);
  }
};

Endpoint::Endpoint(EndpointOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Endpoint::~Endpoint() { stop(); }

Status Endpoint::serve(std::string topic, std::string server, Dispatcher dispatcher) {
  if (impl_->started) return make_error(Errc::invalid_argument, "serve() after start()");
  if (topic.empty()) return make_error(Errc::invalid_argument, "serve() needs a topic");
  // Several servers of one topic are fine (each named); a topic served
  // without a server name is served once.
  for (const auto& s : impl_->served) {
    if (s.topic == topic && (s.server.empty() || server.empty() || s.server == server)) {
      return make_error(Errc::invalid_argument, "topic '" + topic + "' already served");
    }
  }
  auto d = std::make_shared<const Dispatcher>(std::move(dispatcher));
  if (!server.empty()) impl_->by_server.emplace(topic + '\0' + server, d.get());
  impl_->served.push_back(Served{std::move(topic), std::move(server), std::move(d)});
  return {};
}

Status Endpoint::start() { return impl_->start(); }
void Endpoint::stop() { impl_->stop(); }

bool Endpoint::wait_registered(std::chrono::milliseconds timeout) const {
  std::unique_lock lk(impl_->reg_mu);
  return impl_->reg_cv.wait_for(lk, timeout, [&] { return impl_->is_registered.load(); });
}
bool Endpoint::registered() const { return impl_->is_registered.load(); }

Result<Payload> Endpoint::call(const Target& target, std::string_view method, const Payload& args,
                               const RequestContext& context, std::chrono::milliseconds timeout) {
  return impl_->observed_call(target, method, args, context, timeout);
}

Status Endpoint::cast(const Target& target, std::string_view method, const Payload& args,
                      const RequestContext& context) {
  return impl_->observed_cast(target, method, args, context);
}

EndpointStats Endpoint::stats() const {
  impl_->drain_idle_pool();
  const auto& c = impl_->c;
  EndpointStats s;
  s.calls_sent = c.calls_sent.load();
  s.casts_sent = c.casts_sent.load();
  s.served = c.served.load();
  s.dropped_malformed = c.dropped_malformed.load();
  s.dropped_busy = c.dropped_busy.load();
  s.dropped_oversize = c.dropped_oversize.load();
  s.cast_errors = c.cast_errors.load();
  s.router_lost = c.router_lost.load();
  s.registrations = c.registrations.load();
  s.running = c.running.load();
  s.protocol = impl_->protocol.load();
  {
    std::lock_guard lk(impl_->job_mu);
    s.queued = impl_->jobs.size();
  }
  return s;
}

const EndpointOptions& Endpoint::options() const { return impl_->opt; }

}  // namespace stratus::rpc
