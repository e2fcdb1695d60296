#include "stratus/rpc/router.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "stratus/rpc/security.h"
#include "wire.h"
#include "zap_handler.h"
#include "zmq_util.h"

namespace stratus::rpc {
namespace {

using Clock = std::chrono::steady_clock;
using detail::Frames;
using detail::Msg;
using std::chrono::milliseconds;

void set_int(void* s, int opt, int v) { zmq_setsockopt(s, opt, &v, sizeof v); }

std::string hex_id(std::string_view id) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : id) {
    out.push_back(d[ch >> 4]);
    out.push_back(d[ch & 15]);
  }
  return out;
}

struct Peer {
  std::string id;
  std::string name;
  std::string key_name;  // CURVE key name ("" without CURVE)
  std::vector<wire::Service> services;
  std::uint32_t protocol = 1;  // negotiated in HELLO: how requests are sent to it
  Clock::time_point last_seen;
  Clock::time_point last_hb_sent;
};

// A registered server as routing sees it: its id and the protocol it speaks.
struct Route {
  std::string id;
  std::uint32_t protocol = 1;
  bool operator<(const Route& o) const { return id < o.id; }
};

struct TopicServers {
  std::vector<Route> peers;
  std::size_t next = 0;
};

struct Inflight {
  std::string server_id;
  std::string client_id;
  std::uint64_t msg_id = 0;
  Clock::time_point deadline;
  std::string server_key;  // the CURVE key name of the server it went to ("" without CURVE)
  std::uint32_t caller_protocol = 1;  // the reply goes back in the call's protocol
};

// Frames on their way out, some moved from a received message: give_back()
// returns those to it after a failed send (nothing was sent), so that the
// message can be offered to the next server.
struct Outgoing {
  Frames frames;
  std::vector<std::pair<std::size_t, std::size_t>> moved;  // (index in frames, index in the received message)
  void take(Frames& in, std::size_t i) {
    moved.emplace_back(frames.size(), i);
    frames.push_back(std::move(in[i]));
  }
  void give_back(Frames& in) {
    for (auto [o, i] : moved) in[i] = std::move(frames[o]);
    moved.clear();
  }
};

// The request id of a call/cast (router view: id, header, request, args in
// protocol 1; id, body in protocol 2), for log lines; decoded only on error
// paths and when debug logging is on.
std::string request_id_of(const Frames& frames) {
  if (frames.size() < 2) return "-";
  std::string_view request;
  std::optional<wire::Body> body;
  if (frames.size() >= 3) {
    request = frames[2].view();
  } else if (auto b = wire::split_body(frames[1].view()); b.ok()) {
    body = std::move(b.value());
    request = body->second;
  } else {
    return "-";
  }
  auto r = wire::decode_request(request);
  return r.ok() ? r->context.request_id : std::string("-");
}

std::string inflight_key(std::string_view client, std::uint64_t msg_id) {
  std::string k(client);
  k.append(reinterpret_cast<const char*>(&msg_id), sizeof msg_id);
  return k;
}

}  // namespace

struct Router::Impl {
  explicit Impl(RouterOptions o) : opt(std::move(o)), io(opt.io ? opt.io : IoContext::global()) {}

  RouterOptions opt;
  std::shared_ptr<IoContext> io;
  void* sock = nullptr;
  std::thread thread;
  std::atomic<bool> running{false};
  bool started = false;
  std::unique_ptr<detail::ZapHandler> zap;
  std::vector<KeyPolicy> policies;

  mutable std::mutex info_mu;
  std::vector<std::string> bound;

  struct Counters {
    std::atomic<std::uint64_t> routed{0}, replies{0}, no_such_target{0}, dropped_malformed{0}, dropped_oversize{0},
        unreachable{0}, evicted{0}, forbidden{0}, registered{0}, stray_replies{0}, messages_in{0}, messages_out{0};
    std::atomic<std::size_t> peers{0};
  } c;

  // Routing thread state.
  std::unordered_map<std::string, Peer> peers;
  std::unordered_map<std::string, TopicServers> topics;
  std::unordered_map<std::string, Route> direct;  // topic + '\0' + server -> peer
  std::unordered_map<std::string, Inflight> inflight;   // client id + msg id
  Outgoing out_;      // reused by forward(): no allocation per message
  std::string key_;   // reused by direct_key()
  // When the batch being received began: a peer's last_seen is this rather
  // than a clock read per message (a batch takes well under the heartbeat).
  Clock::time_point batch_now_{};
  wire::Header hdr_;  // reused by on_message()
  Clock::time_point last_sweep{};

  // topic '\0' server, the key of `direct`, built in a reused buffer: no
  // allocation per message on the routing thread.
  const std::string& direct_key(std::string_view topic, std::string_view server) {
    key_.assign(topic);
    key_.push_back('\0');
    key_.append(server);
    return key_;
  }

  milliseconds interval() const { return opt.heartbeat_interval.count() > 0 ? opt.heartbeat_interval : milliseconds(1000); }

  const KeyPolicy* policy_for(const std::string& key_name) const {
    for (const auto& p : policies) {
      if (p.name == key_name) return &p;
    }
    return nullptr;
  }

  void rebuild_routes() {
    std::unordered_map<std::string, std::size_t> next;
    for (auto& [t, ts] : topics) next[t] = ts.next;
    topics.clear();
    direct.clear();
    for (const auto& [id, p] : peers) {
      for (const auto& s : p.services) {
        auto& ts = topics[s.topic];
        if (std::none_of(ts.peers.begin(), ts.peers.end(), [&](const Route& r) { return r.id == id; })) {
          ts.peers.push_back(Route{id, p.protocol});
        }
        if (!s.server.empty()) direct.insert_or_assign(s.topic + '\0' + s.server, Route{id, p.protocol});
      }
    }
    for (auto& [t, ts] : topics) {
      std::sort(ts.peers.begin(), ts.peers.end());
      ts.next = next.count(t) ? next[t] : 0;
    }
    c.peers.store(peers.size());
  }

  // Sends frames to a peer (frames[0] must be the routing id). Returns errno.
  int send_to(Frames& frames) {
    int rc = detail::send_multipart(sock, frames);
    if (rc != 0) {
      c.unreachable.fetch_add(1, std::memory_order_relaxed);
    } else {
      c.messages_out.fetch_add(1, std::memory_order_relaxed);
    }
    return rc;
  }

  void send_header(const std::string& to, const wire::Header& h) {
    Frames f;
    f.emplace_back(to);
    f.emplace_back(wire::encode_header(h));
    send_to(f);
  }

  void send_error(const std::string& to, std::uint64_t msg_id, Errc code, const std::string& message) {
    wire::Header h;
    h.kind = wire::Kind::error;
    h.msg_id = msg_id;
    h.code = static_cast<std::uint32_t>(code);
    h.message = message;
    send_header(to, h);
  }

  // A REPLY with an error status, in the protocol the call came in.
  void reply_error(const std::string& to, std::uint64_t msg_id, const Error& e, std::uint32_t protocol) {
    wire::Header h;
    h.kind = wire::Kind::reply;
    h.msg_id = msg_id;
    Frames f;
    f.emplace_back(to);
    if (protocol == wire::kProtocolV2) {
      f.emplace_back(wire::encode_body(h, wire::encode_status(e), {}));
    } else {
      f.emplace_back(wire::encode_header(h));
      f.emplace_back(wire::encode_status(e));
    }
    send_to(f);
  }

  void remove_peer(const std::string& id, const char* why) {
    auto it = peers.find(id);
    if (it == peers.end()) return;
    spdlog::info("rpc router: endpoint {} ({}) removed: {}", it->second.name, hex_id(id), why);
    peers.erase(it);
    rebuild_routes();
    // Calls in flight to it fail now rather than at their timeout.
    for (auto i = inflight.begin(); i != inflight.end();) {
      if (i->second.server_id == id) {
        reply_error(i->second.client_id, i->second.msg_id,
                    make_error(Errc::unavailable, std::string("server lost before replying: ") + why),
                    i->second.caller_protocol);
        i = inflight.erase(i);
      } else {
        ++i;
      }
    }
  }

  void on_hello(const std::string& from, const std::string& key_name, wire::Header& h) {
    if (opt.curve.enabled()) {
      const KeyPolicy* pol = policy_for(key_name);
      for (const auto& s : h.services) {
        if (!pol || !pol->may_serve(s.topic, s.server)) {
          c.forbidden.fetch_add(1, std::memory_order_relaxed);
          const std::string what = s.server.empty() ? s.topic : s.topic + "." + s.server;
          spdlog::warn("rpc router: key '{}' ({}) may not serve {}; registration refused", key_name, h.name, what);
          send_error(from, 0, Errc::forbidden, "key '" + key_name + "' may not serve " + what);
          return;
        }
      }
    }
    // The newest protocol both sides speak; an endpoint that names none
    // (a release before protocol 2) speaks 1.
    std::uint32_t protocol = h.protocols.empty() ? 1 : 0;
    for (std::uint32_t v : h.protocols) {
      if (v >= 1 && v <= std::min(opt.max_protocol, wire::kMaxProtocol)) protocol = std::max(protocol, v);
    }
    if (protocol == 0) {
      c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("rpc router: endpoint {} ({}) speaks no protocol of ours; registration refused", h.name,
                   hex_id(from));
      send_error(from, 0, Errc::bad_message,
                 "no common protocol version: this router speaks 1 to " +
                     std::to_string(std::min(opt.max_protocol, wire::kMaxProtocol)));
      return;
    }
    const auto now = Clock::now();
    auto [it, fresh] = peers.try_emplace(from);
    Peer& p = it->second;
    p.id = from;
    p.name = h.name;
    p.key_name = key_name;
    p.services = std::move(h.services);
    p.protocol = protocol;
    p.last_seen = now;
    if (fresh) p.last_hb_sent = now;
    rebuild_routes();
    c.registered.fetch_add(1, std::memory_order_relaxed);
    if (fresh) {
      spdlog::info("rpc router: endpoint {} ({}) registered with {} services, protocol {}", p.name, hex_id(from),
                   p.services.size(), protocol);
    }
    wire::Header ack;
    ack.kind = wire::Kind::hello_ack;
    ack.heartbeat_ms = static_cast<std::uint32_t>(interval().count());
    ack.max_message_bytes = opt.max_message_bytes;
    if (!h.protocols.empty()) ack.chosen_protocol = protocol;  // an old endpoint gets the old HELLO_ACK
    send_header(from, ack);
  }

  // The frames that deliver request `h`, received as `in` (router view: the
  // sender's id, then its frames), to `to` in `to`'s protocol, translating
  // between protocol 1 (header, request, args) and 2 (one body frame, and the
  // caller's id as a frame of its own for a CALL). Frames of `in` are moved
  // unless `copy` (fanout: one message, several copies).
  Status outgoing_request(Outgoing& out, const Route& to, const wire::Header& h, Frames& in, bool copy) {
    out.frames.clear();
    out.moved.clear();
    out.frames.emplace_back(to.id);
    auto use = [&](std::size_t i) {
      if (copy) {
        out.frames.push_back(in[i].copy());
      } else {
        out.take(in, i);
      }
    };
    const bool v2_in = h.protocol == wire::kProtocolV2;
    if (v2_in && to.protocol == wire::kProtocolV2) {
      use(1);
      if (h.kind == wire::Kind::call) use(0);  // reply_to: the caller's id, as received
      return {};
    }
    if (!v2_in && to.protocol != wire::kProtocolV2) {
      wire::Header fwd = h;
      fwd.reply_to = in[0].str();
      out.frames.emplace_back(wire::encode_header(fwd));
      for (std::size_t k = 2; k < in.size(); ++k) use(k);
      return {};
    }
    if (!v2_in) {  // 1 -> 2: the three frames become one body
      if (in.size() < 4) return make_error(Errc::bad_message, "a call needs 3 frames: header, request, args");
      out.frames.emplace_back(wire::encode_body(h, in[2].view(), in[3].view()));
      if (h.kind == wire::Kind::call) use(0);
      return {};
    }
    auto body = wire::split_body(in[1].view());  // 2 -> 1: the body becomes three frames
    if (!body) return body.error();
    if (body->rest.empty()) return make_error(Errc::bad_message, "body: the args are missing after the request");
    wire::Header fwd = h;
    fwd.protocol = wire::kProtocolVersion;
    fwd.reply_to = in[0].str();
    out.frames.emplace_back(wire::encode_header(fwd));
    out.frames.emplace_back(body->second);
    out.frames.emplace_back(body->rest);
    return {};
  }

  // Forwards request `h` (received as `frames`) to `to`. Returns 0, the errno
  // of the send (the frames are then as received), or -1 with `why` set when
  // the message cannot be put in `to`'s protocol.
  int forward(const Route& to, const wire::Header& h, Frames& frames, bool copy, Error& why) {
    if (auto s = outgoing_request(out_, to, h, frames, copy); !s) {
      why = s.error();
      return -1;
    }
    const int rc = send_to(out_.frames);
    if (rc == 0) {
      c.routed.fetch_add(1, std::memory_order_relaxed);
    } else {
      out_.give_back(frames);
    }
    return rc;
  }

  void on_request(const std::string& from, const std::string& key_name, wire::Header& h, Frames& frames) {
    const bool is_call = h.kind == wire::Kind::call;
    auto refuse = [&](const Error& e) {
      if (is_call) {
        reply_error(from, h.msg_id, e, h.protocol);
      } else {
        send_error(from, h.msg_id, e.code, e.message);
      }
    };
    if (h.topic.empty()) {
      c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
      refuse(make_error(Errc::bad_message, "message without topic"));
      return;
    }
    if (opt.curve.enabled()) {
      const KeyPolicy* pol = policy_for(key_name);
      if (!pol || !pol->may_call(h.topic, h.server)) {
        c.forbidden.fetch_add(1, std::memory_order_relaxed);
        const std::string what = h.server.empty() ? h.topic : h.topic + "." + h.server;
        spdlog::warn("rpc router: key '{}' may not call {}; message {} refused req={}", key_name, what, h.msg_id,
                     request_id_of(frames));
        refuse(make_error(Errc::forbidden, "key '" + key_name + "' may not call " + what));
        return;
      }
    }
    if (h.kind == wire::Kind::fanout) {
      auto it = topics.find(h.topic);
      if (it == topics.end() || it->second.peers.empty()) {
        c.no_such_target.fetch_add(1, std::memory_order_relaxed);
        spdlog::info("rpc router: no server for fanout {} (message {}) req={}", h.topic, h.msg_id, request_id_of(frames));
        refuse(make_error(Errc::no_such_target, "no server for fanout topic '" + h.topic + "'"));
        return;
      }
      const std::vector<Route> targets = it->second.peers;  // copy: sends may evict
      for (const Route& to : targets) {
        Error why;
        const int rc = forward(to, h, frames, true, why);
        if (rc == -1) {
          c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
          refuse(why);
          return;
        }
        if (rc == EHOSTUNREACH) remove_peer(to.id, "unreachable");
      }
      return;
    }
    // call / cast: up to as many attempts as there are servers (a server found
    // gone is removed and the next one tried).
    for (int attempt = 0; attempt < 64; ++attempt) {
      Route to;
      if (!h.server.empty()) {
        auto it = direct.find(direct_key(h.topic, h.server));
        if (it != direct.end()) to = it->second;
      } else {
        auto it = topics.find(h.topic);
        if (it != topics.end() && !it->second.peers.empty()) {
          auto& ts = it->second;
          to = ts.peers[ts.next++ % ts.peers.size()];
        }
      }
      if (to.id.empty()) {
        c.no_such_target.fetch_add(1, std::memory_order_relaxed);
        const std::string what = h.server.empty() ? h.topic : h.topic + "." + h.server;
        spdlog::info("rpc router: no server for {} (message {}) req={}", what, h.msg_id, request_id_of(frames));
        refuse(make_error(Errc::no_such_target, "no server for '" + what + "'"));
        return;
      }
      if (spdlog::should_log(spdlog::level::debug)) {
        spdlog::debug("rpc router: {} {} {} -> {} req={}", is_call ? "call" : "cast", h.msg_id,
                      h.server.empty() ? h.topic : h.topic + "." + h.server, hex_id(to.id), request_id_of(frames));
      }
      Error why;
      const int rc = forward(to, h, frames, false, why);
      if (rc == 0) {
        if (is_call) {
          auto server = peers.find(to.id);
          inflight.insert_or_assign(inflight_key(from, h.msg_id),
                                    Inflight{to.id, from, h.msg_id,
                                             Clock::now() + milliseconds(std::max<std::uint32_t>(h.timeout_ms, 1000)),
                                             server == peers.end() ? std::string() : server->second.key_name,
                                             h.protocol});
        }
        return;
      }
      if (rc == -1) {
        c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
        refuse(why);
        return;
      }
      if (rc != EHOSTUNREACH) {
        refuse(make_error(Errc::unavailable, std::string("cannot forward: ") + zmq_strerror(rc)));
        return;
      }
      remove_peer(to.id, "unreachable");
    }
  }

  void on_reply(const std::string& from, const std::string& key_name, wire::Header& h, Frames& frames) {
    // Protocol 2 carries reply_to as the frame after the body.
    if (h.protocol == wire::kProtocolV2 && frames.size() > 2) h.reply_to = frames[2].str();
    if (h.reply_to.empty()) {
      c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    // Only the answer to a call in flight is passed on: a REPLY naming a
    // caller that is not waiting (the call timed out, or never was) is
    // dropped, and under CURVE so is one from another key than the server's
    // the call went to, so that no peer can answer another's call for it.
    // (A server may reply from any of its sockets: the key, not the routing
    // id, names it.)
    auto pending = inflight.find(inflight_key(h.reply_to, h.msg_id));
    if (pending == inflight.end()) {
      c.stray_replies.fetch_add(1, std::memory_order_relaxed);
      spdlog::debug("rpc router: reply {} from {} matches no call in flight; dropped", h.msg_id, hex_id(from));
      return;
    }
    if (opt.curve.enabled() && pending->second.server_key != key_name) {
      c.forbidden.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("rpc router: key '{}' replied to message {} sent to key '{}'; dropped", key_name, h.msg_id,
                   pending->second.server_key);
      return;
    }
    const std::uint32_t caller_protocol = pending->second.caller_protocol;
    inflight.erase(pending);
    wire::Header out;
    out.kind = wire::Kind::reply;
    out.msg_id = h.msg_id;
    Frames to_caller;
    to_caller.reserve(4);
    to_caller.emplace_back(h.reply_to);
    const bool v2_in = h.protocol == wire::kProtocolV2;
    if (v2_in && caller_protocol == wire::kProtocolV2) {
      to_caller.push_back(std::move(frames[1]));  // the body as the server sent it
    } else if (!v2_in && caller_protocol != wire::kProtocolV2) {
      to_caller.emplace_back(wire::encode_header(out));
      for (std::size_t k = 2; k < frames.size(); ++k) to_caller.push_back(std::move(frames[k]));
    } else if (!v2_in) {  // 1 -> 2: header, status, result become one body
      if (frames.size() < 3) {
        reply_error(h.reply_to, h.msg_id, make_error(Errc::bad_message, "the server's reply has no status"),
                    caller_protocol);
        return;
      }
      to_caller.emplace_back(wire::encode_body(out, frames[2].view(), frames.size() > 3 ? frames[3].view() : ""));
    } else {  // 2 -> 1
      auto body = wire::split_body(frames[1].view());
      if (!body) {
        c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
        reply_error(h.reply_to, h.msg_id,
                    make_error(Errc::bad_message, "the server's reply is malformed: " + body.error().message),
                    caller_protocol);
        return;
      }
      to_caller.emplace_back(wire::encode_header(out));
      to_caller.emplace_back(body->second);
      if (!body->rest.empty()) to_caller.emplace_back(body->rest);
    }
    if (send_to(to_caller) == 0) {
      c.replies.fetch_add(1, std::memory_order_relaxed);
    } else {
      spdlog::debug("rpc router: reply {} from {} to a gone caller dropped", h.msg_id, hex_id(from));
    }
  }

  void on_message(Frames& frames, std::size_t extra) {
    if (frames.size() < 2) {
      c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    const std::string from = frames[0].str();
    const std::string key_name = opt.curve.enabled() ? frames[1].property("User-Id") : std::string();
    auto pit = peers.find(from);
    if (pit != peers.end()) pit->second.last_seen = batch_now_;
    const std::size_t size = detail::total_size(frames, 1);
    // Frame 1 starts with the header; in protocol 1 it is nothing else, in
    // protocol 2 the request or status and the args or result follow it.
    std::size_t header_bytes = 0;
    Status decoded = wire::decode_header_prefix_into(frames[1].view(), hdr_, header_bytes);
    if (decoded && hdr_.protocol == wire::kProtocolVersion && header_bytes != frames[1].size()) {
      decoded = make_error(Errc::bad_message, "header: not msgpack: trailing bytes after the msgpack value");
    } else if (decoded && hdr_.protocol > std::min(opt.max_protocol, wire::kMaxProtocol)) {
      decoded = make_error(Errc::bad_message, "header: unsupported protocol version " +
                                                  std::to_string(hdr_.protocol) + " (this side speaks 1)");
    }
    if (!decoded) {
      c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("rpc router: malformed message from {} dropped: {}", hex_id(from), decoded.error().message);
      send_error(from, 0, Errc::bad_message, decoded.error().message);
      return;
    }
    wire::Header* h = &hdr_;
    if (size > opt.max_message_bytes || extra > 0) {
      c.dropped_oversize.fetch_add(1, std::memory_order_relaxed);
      const std::string why = extra > 0 ? "too many frames"
                                        : "message of " + std::to_string(size) + " bytes exceeds the limit of " +
                                              std::to_string(opt.max_message_bytes);
      spdlog::warn("rpc router: message {} from {} dropped: {} req={}", h->msg_id, hex_id(from), why,
                   request_id_of(frames));
      const Error e = make_error(extra > 0 ? Errc::bad_message : Errc::too_large, why);
      if (h->kind == wire::Kind::call) {
        reply_error(from, h->msg_id, e, h->protocol);
      } else {
        send_error(from, h->msg_id, e.code, e.message);
      }
      return;
    }
    switch (h->kind) {
      case wire::Kind::hello: on_hello(from, key_name, *h); break;
      case wire::Kind::heartbeat:
        if (pit == peers.end()) {
          wire::Header r;
          r.kind = wire::Kind::reset;
          send_header(from, r);
        }
        break;
      case wire::Kind::call:
      case wire::Kind::cast:
      case wire::Kind::fanout: on_request(from, key_name, *h, frames); break;
      case wire::Kind::reply: on_reply(from, key_name, *h, frames); break;
      case wire::Kind::bye: remove_peer(from, "said goodbye"); break;
      case wire::Kind::hello_ack:
      case wire::Kind::reset:
      case wire::Kind::error:
        c.dropped_malformed.fetch_add(1, std::memory_order_relaxed);
        send_error(from, 0, Errc::bad_message, "message kind not accepted by the router");
        break;
    }
  }

  void timers() {
    const auto now = Clock::now();
    const auto iv = interval();
    const auto dead_after = iv * std::max(1, opt.heartbeat_liveness);
    std::vector<std::string> dead;
    for (auto& [id, p] : peers) {
      if (now - p.last_seen > dead_after) {
        dead.push_back(id);
      } else if (now - p.last_hb_sent >= iv) {
        wire::Header hb;
        hb.kind = wire::Kind::heartbeat;
        p.last_hb_sent = now;
        send_header(id, hb);
      }
    }
    for (const auto& id : dead) {
      c.evicted.fetch_add(1, std::memory_order_relaxed);
      remove_peer(id, "silent for longer than the heartbeat timeout");
    }
    if (now - last_sweep > milliseconds(500)) {
      last_sweep = now;
      std::erase_if(inflight, [&](const auto& kv) { return kv.second.deadline < now; });
    }
  }

  void loop() {
    pthread_setname_np(pthread_self(), "rpc-router");
    zmq_pollitem_t item{sock, 0, ZMQ_POLLIN, 0};
    Frames frames;
    std::size_t extra = 0;
    const long timeout = std::clamp<long>(static_cast<long>(interval().count() / 4), 5, 100);
    while (running.load(std::memory_order_relaxed)) {
      if (zmq_poll(&item, 1, timeout) < 0 && errno != EINTR) break;
      if (item.revents & ZMQ_POLLIN) {
        batch_now_ = Clock::now();
        for (int i = 0; i < 1024 && detail::recv_multipart(sock, frames, extra, detail::kMaxFrames + 1) == 1; ++i) {
          c.messages_in.fetch_add(1, std::memory_order_relaxed);
          on_message(frames, extra);
        }
      }
      timers();
    }
  }

  Status start() {
    if (started) return make_error(Errc::unavailable, "router already started");
    if (opt.bind.empty()) return make_error(Errc::invalid_argument, "router has no address to bind");
    if (opt.curve.enabled()) {
      if (!curve_available()) return make_error(Errc::unavailable, "libzmq was built without CURVE");
      auto pol = load_allow_list(opt.curve.allowed_keys_dir);
      if (!pol) return pol.error();
      policies = std::move(pol.value());
      zap = std::make_unique<detail::ZapHandler>(io, policies);
      if (auto s = zap->start(); !s) {
        zap.reset();
        return s;
      }
    }
    sock = zmq_socket(io->native(), ZMQ_ROUTER);
    set_int(sock, ZMQ_LINGER, 0);
    set_int(sock, ZMQ_ROUTER_MANDATORY, 1);
    set_int(sock, ZMQ_SNDHWM, 100000);
    set_int(sock, ZMQ_RCVHWM, 100000);
    // A hard cap far above the routed limit, so that a hostile peer cannot make
    // us buffer gigabytes; such a peer is disconnected by libzmq.
    const std::int64_t hard = static_cast<std::int64_t>(opt.max_message_bytes) * 2 + 65536;
    zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &hard, sizeof hard);
    if (opt.curve.enabled()) {
      set_int(sock, ZMQ_CURVE_SERVER, 1);
      zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "stratus", 7);
      if (zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, opt.curve.secret_key.c_str(), opt.curve.secret_key.size() + 1)) {
        Error e = make_error(Errc::invalid_argument, "bad router CURVE secret key: " + detail::zmq_error());
        cleanup();
        return e;
      }
    }
    std::vector<std::string> eps;
    for (const auto& addr : opt.bind) {
      if (zmq_bind(sock, addr.c_str()) != 0) {
        Error e = make_error(Errc::invalid_argument, "cannot bind router to '" + addr + "': " + detail::zmq_error());
        cleanup();
        return e;
      }
      char buf[512];
      std::size_t len = sizeof buf;
      if (zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, buf, &len) == 0 && len > 0) {
        eps.emplace_back(buf, strnlen(buf, len));
      } else {
        eps.push_back(addr);
      }
    }
    {
      std::lock_guard lk(info_mu);
      bound = eps;
    }
    started = true;
    running = true;
    thread = std::thread([this] { loop(); });
    for (const auto& e : eps) spdlog::info("rpc router: listening on {}{}", e, opt.curve.enabled() ? " (CURVE)" : "");
    return {};
  }

  std::vector<std::string> endpoints_copy() const {
    std::lock_guard lk(info_mu);
    return bound;
  }

  void cleanup() {
    if (sock) zmq_close(sock);
    sock = nullptr;
    if (zap) zap->stop();
    zap.reset();
  }

  void stop() {
    if (!started) return;
    running = false;
    thread.join();
    cleanup();
    // libzmq leaves ipc:// socket files behind; remove ours (not abstract "@" ones).
    for (const auto& e : endpoints_copy()) {
      if (e.rfind("ipc://", 0) == 0 && e.size() > 6 && e[6] != '@') ::unlink(e.c_str() + 6);
    }
    peers.clear();
    topics.clear();
    direct.clear();
    inflight.clear();
    c.peers.store(0);
    started = false;
    spdlog::info("rpc router: stopped");
  }
};

Router::Router(RouterOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Router::~Router() { stop(); }
Status Router::start() { return impl_->start(); }
void Router::stop() { impl_->stop(); }

std::vector<std::string> Router::endpoints() const {
  std::lock_guard lk(impl_->info_mu);
  return impl_->bound;
}

RouterStats Router::stats() const {
  const auto& c = impl_->c;
  RouterStats s;
  s.routed = c.routed.load();
  s.replies = c.replies.load();
  s.no_such_target = c.no_such_target.load();
  s.dropped_malformed = c.dropped_malformed.load();
  s.dropped_oversize = c.dropped_oversize.load();
  s.unreachable = c.unreachable.load();
  s.evicted = c.evicted.load();
  s.forbidden = c.forbidden.load();
  s.registered = c.registered.load();
  s.stray_replies = c.stray_replies.load();
  s.peers = c.peers.load();
  s.messages_in = c.messages_in.load();
  s.messages_out = c.messages_out.load();
  return s;
}

}  // namespace stratus::rpc
