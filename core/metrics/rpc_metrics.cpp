#include "core/metrics/rpc_metrics.h"

#include <chrono>

namespace stratus::core::metrics {

namespace {

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

class RpcObserver final : public rpc::Observer {
 public:
  explicit RpcObserver(Registry& r)
      : sent_(r.counter("stratus_rpc_sent_total",
                        "RPC messages sent by this process, by service (topic), method, kind (call, cast, fanout) "
                        "and outcome (ok or the RPC error code).",
                        {"service", "method", "kind", "outcome"})),
        call_seconds_(r.histogram("stratus_rpc_call_duration_seconds",
                                  "Round trip of RPC calls sent by this process, from the call to its reply or "
                                  "failure, by service and method.",
                                  {"service", "method"}, latency_buckets())),
        handled_(r.counter("stratus_rpc_handled_total",
                           "RPC messages served by this process, by service, method, kind and outcome.",
                           {"service", "method", "kind", "outcome"})),
        handle_seconds_(r.histogram("stratus_rpc_handle_duration_seconds",
                                    "Time a served RPC method ran, by service, method and kind.",
                                    {"service", "method", "kind"}, latency_buckets())),
        queue_seconds_(r.histogram("stratus_rpc_queue_wait_seconds",
                                   "Time a received RPC message waited for a worker, by service.", {"service"},
                                   latency_buckets())) {}

  void on_sent(const rpc::SentEvent& e) noexcept override {
    const std::string_view kind = rpc::message_kind_name(e.kind);
    sent_.labels({e.topic, e.method, kind, rpc::errc_name(e.outcome)}).inc();
    if (e.kind == rpc::MessageKind::call) call_seconds_.labels({e.topic, e.method}).observe(seconds(e.duration));
  }

  void on_handled(const rpc::HandledEvent& e) noexcept override {
    const std::string_view kind = rpc::message_kind_name(e.kind);
    const std::string_view method = e.known_method ? e.method : std::string_view("unknown");
    handled_.labels({e.topic, method, kind, rpc::errc_name(e.outcome)}).inc();
    handle_seconds_.labels({e.topic, method, kind}).observe(seconds(e.duration));
    queue_seconds_.labels({e.topic}).observe(seconds(e.queued));
  }

 private:
  Family<Counter>& sent_;
  Family<Histogram>& call_seconds_;
  Family<Counter>& handled_;
  Family<Histogram>& handle_seconds_;
  Family<Histogram>& queue_seconds_;
};

}  // namespace

std::shared_ptr<rpc::Observer> make_rpc_observer(Registry& registry) {
  return std::make_shared<RpcObserver>(registry);
}

CollectorHandle add_endpoint_collector(Registry& registry, const rpc::Endpoint& endpoint, std::string name) {
  return registry.add_collector([&endpoint, name = std::move(name)](CollectorSink& sink) {
    const rpc::EndpointStats s = endpoint.stats();
    const LabelPairs l = {{"endpoint", name}};
    sink.gauge("stratus_rpc_dispatcher_queued", "Received RPC messages waiting for a worker of the endpoint.", l,
               static_cast<double>(s.queued));
    sink.gauge("stratus_rpc_dispatcher_running", "RPC messages the endpoint's workers are serving now.", l,
               static_cast<double>(s.running));
    sink.counter("stratus_rpc_dropped_total",
                 "Received RPC messages the endpoint dropped, by reason (busy: queue full; malformed; oversize).",
                 {{"endpoint", name}, {"reason", "busy"}}, static_cast<double>(s.dropped_busy));
    sink.counter("stratus_rpc_dropped_total", "", {{"endpoint", name}, {"reason", "malformed"}},
                 static_cast<double>(s.dropped_malformed));
    sink.counter("stratus_rpc_dropped_total", "", {{"endpoint", name}, {"reason", "oversize"}},
                 static_cast<double>(s.dropped_oversize));
    sink.counter("stratus_rpc_cast_errors_total", "Casts the router reported undeliverable.", l,
                 static_cast<double>(s.cast_errors));
    sink.counter("stratus_rpc_router_lost_total", "Times the endpoint found the router silent and reconnected.", l,
                 static_cast<double>(s.router_lost));
  });
}

CollectorHandle add_router_collector(Registry& registry, const rpc::Router& router) {
  return registry.add_collector([&router](CollectorSink& sink) {
    const rpc::RouterStats s = router.stats();
    auto d = [](std::uint64_t v) { return static_cast<double>(v); };
    sink.counter("stratus_rpc_router_messages_received_total", "Messages (sets of frames) the router received.", {},
                 d(s.messages_in));
    sink.counter("stratus_rpc_router_messages_sent_total", "Messages (sets of frames) the router sent to peers.", {},
                 d(s.messages_out));
    sink.counter("stratus_rpc_router_routed_total", "Calls, casts and fanout copies the router forwarded.", {},
                 d(s.routed));
    sink.counter("stratus_rpc_router_replies_total", "Replies the router forwarded.", {}, d(s.replies));
    const char* help = "Messages the router did not forward, by reason.";
    for (const auto& [reason, value] :
         {std::pair{"no_such_target", s.no_such_target}, std::pair{"malformed", s.dropped_malformed},
          std::pair{"oversize", s.dropped_oversize}, std::pair{"unreachable", s.unreachable},
          std::pair{"forbidden", s.forbidden}, std::pair{"stray_reply", s.stray_replies}}) {
      sink.counter("stratus_rpc_router_dropped_total", help, {{"reason", reason}}, d(value));
    }
    sink.counter("stratus_rpc_router_evicted_total", "Endpoints the router evicted for silence.", {}, d(s.evicted));
    sink.gauge("stratus_rpc_router_peers", "Endpoints registered with the router now.", {}, d(s.peers));
  });
}

}  // namespace stratus::core::metrics
