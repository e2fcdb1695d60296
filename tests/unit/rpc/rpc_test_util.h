// Helpers shared by the rpc unit and integration tests: a router plus
// endpoints in one process, and a dispatcher with a few test methods.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "stratus/rpc/client.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/rpc/router.h"

namespace stratus::rpc::testing {

using namespace std::chrono_literals;

inline std::string unique_inproc(const std::string& stem) {
  static std::atomic<int> n{0};
  return "inproc://" + stem + "-" + std::to_string(n.fetch_add(1));
}

// Where a test holds a method until it lets it go: the method "block"
// enters the gate (counted) and waits until the test opens it. The test
// waits for the entry instead of sleeping and hoping the call got there.
// Every wait is bounded (10 s), so a broken test fails instead of hanging.
class Gate {
 public:
  // In the method: counts the entry, then waits until open (at most 10 s).
  void pass() {
    std::unique_lock lk(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait_for(lk, 10s, [this] { return open_; });
  }
  // In the test: true once `n` calls have entered (waits at most `timeout`).
  bool wait_entered(int n, std::chrono::milliseconds timeout = 10000ms) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, timeout, [&] { return entered_ >= n; });
  }
  void open() {
    std::lock_guard lk(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

// Context as a msgpack-able tuple.
using ContextTuple =
    std::tuple<std::string, std::string, std::string, std::vector<std::string>, std::map<std::string, std::string>>;

// Methods: echo (returns its args), whoami (the endpoint name), fail (remote
// error InstanceNotFound), throws (a C++ exception), context (the caller's
// context), sleep (args: milliseconds), count (increments *counter), block
// (passes *gate; returns at once without one).
inline Dispatcher test_dispatcher(const std::string& name, std::string version = "1.3",
                                  std::atomic<int>* counter = nullptr, Gate* gate = nullptr) {
  Dispatcher d;
  EXPECT_TRUE(d.add("echo", version, [](const CallInfo&, const Payload& a) -> Result<Payload> { return a; }).ok());
  EXPECT_TRUE(d.add("whoami", version, [name](const CallInfo&, const Payload&) { return Payload::of(name); }).ok());
  EXPECT_TRUE(d.add("fail", version, [](const CallInfo&, const Payload&) -> Result<Payload> {
                 return remote_error("InstanceNotFound", "instance 42 could not be found");
               }).ok());
  EXPECT_TRUE(d.add("throws", version, [](const CallInfo&, const Payload&) -> Result<Payload> {
                 throw std::runtime_error("boom");
               }).ok());
  EXPECT_TRUE(d.add("context", version, [](const CallInfo& info, const Payload&) {
                 const auto& c = info.context;
                 return Payload::of(ContextTuple{c.request_id, c.user_id, c.project_id, c.roles, c.extra});
               }).ok());
  EXPECT_TRUE(d.add("sleep", version, [](const CallInfo&, const Payload& a) -> Result<Payload> {
                 auto ms = a.as<int>();
                 if (!ms) return ms.error();
                 std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms.value(), 5000)));
                 return Payload();
               }).ok());
  EXPECT_TRUE(d.add("count", version, [counter](const CallInfo&, const Payload&) {
                 if (counter) counter->fetch_add(1);
                 return Payload();
               }).ok());
  EXPECT_TRUE(d.add("block", version, [gate](const CallInfo&, const Payload&) {
                 if (gate) gate->pass();
                 return Payload();
               }).ok());
  return d;
}

inline RouterOptions fast_router_options(std::shared_ptr<IoContext> io, std::vector<std::string> bind) {
  RouterOptions o;
  o.bind = std::move(bind);
  o.io = std::move(io);
  o.heartbeat_interval = 50ms;
  // 6 intervals (300 ms) of silence before eviction: short enough for the
  // liveness tests, long enough that a test process descheduled by a loaded
  // CI machine (or slowed by the sanitizers) is not evicted by mistake.
  o.heartbeat_liveness = 6;
  return o;
}

inline EndpointOptions fast_endpoint_options(std::shared_ptr<IoContext> io, std::string router, std::string name) {
  EndpointOptions o;
  o.router = std::move(router);
  o.name = std::move(name);
  o.io = std::move(io);
  o.heartbeat_interval = 50ms;
  o.heartbeat_liveness = 6;  // as the router's, above
  o.default_timeout = 2000ms;
  o.reconnect_interval = 20ms;
  o.workers = 2;
  return o;
}

// A router and endpoints in one process; stops everything on destruction
// (endpoints first, then the router).
class Cluster {
 public:
  explicit Cluster(std::string address = unique_inproc("router"), std::shared_ptr<IoContext> io = nullptr,
                   const std::function<void(RouterOptions&)>& tweak_router = nullptr)
      : io_(io ? std::move(io) : std::make_shared<IoContext>()) {
    auto ro = fast_router_options(io_, {std::move(address)});
    if (tweak_router) tweak_router(ro);
    router_ = std::make_unique<Router>(ro);
    auto s = router_->start();
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().to_string());
    if (s.ok()) address_ = router_->endpoints().at(0);
  }
  ~Cluster() {
    gate_.open();  // no method left waiting on it: stop() waits for running methods
    for (auto& e : endpoints_) e->stop();
    endpoints_.clear();
    if (router_) router_->stop();
  }

  // An endpoint serving topic/server with test_dispatcher(name) (or a client
  // only if topic is empty), started and registered. Its "block" method
  // passes this cluster's gate().
  Endpoint& add(const std::string& name, const std::string& topic = "", const std::string& server = "",
                std::string version = "1.3", std::atomic<int>* counter = nullptr,
                const std::function<void(EndpointOptions&)>& tweak = nullptr) {
    auto o = fast_endpoint_options(io_, address_, name);
    if (tweak) tweak(o);
    auto e = std::make_unique<Endpoint>(o);
    if (!topic.empty()) {
      EXPECT_TRUE(e->serve(topic, server, test_dispatcher(name, version, counter, &gate_)).ok());
    }
    EXPECT_TRUE(e->start().ok());
    EXPECT_TRUE(e->wait_registered(3s)) << name << " did not register";
    endpoints_.push_back(std::move(e));
    return *endpoints_.back();
  }

  Router& router() { return *router_; }
  Gate& gate() { return gate_; }
  const std::string& address() const { return address_; }
  std::shared_ptr<IoContext> io() const { return io_; }

 private:
  Gate gate_;  // declared first: outlives the endpoints whose methods wait on it
  std::shared_ptr<IoContext> io_;
  std::unique_ptr<Router> router_;
  std::string address_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
};

// Polls cond every 5 ms until true or the timeout passes.
template <class F>
bool eventually(F cond, std::chrono::milliseconds timeout = 3000ms) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}

inline std::string str_of(const Result<Payload>& r) {
  if (!r) return "<error " + r.error().to_string() + ">";
  auto s = r.value().as<std::string>();
  return s ? s.value() : "<not a string>";
}

}  // namespace stratus::rpc::testing
