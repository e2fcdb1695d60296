// Helpers shared by the compute service's tests: a test-double conductor
// that records every message a compute host sends and keeps instances in a
// map (honouring instance_update's guards as the database does), and a
// fixture that runs one real ComputeManager with a FakeDriver on an inproc
// router.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/compute/compute_manager.h"
#include "core/compute/compute_options.h"
#include "core/compute/console_tail.h"
#include "core/rpcapi/compute_rpcapi.h"
#include "core/rpcapi/conductor_rpcapi.h"
#include "core/rpcapi/messages.h"
#include "core/rpcapi/rpc_status.h"
#include "core/rpcapi/topics.h"
#include "stratus/drivers/fake/fake_driver.h"
#include "stratus/rpc/dispatcher.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/rpc/router.h"

namespace stratus::core::compute::testing {

using namespace std::chrono_literals;
using rpcapi::InstanceMsg;

// One applied instance_update, as the instance stood after it.
struct StateStep {
  std::string vm_state;
  std::optional<std::string> task_state;
  sdk::PowerState power_state = sdk::PowerState::kNoState;
};

// The conductor as a compute host sees it, in memory.
class FakeConductor {
 public:
  void put(InstanceMsg msg) {
    std::lock_guard lock(mutex_);
    if (msg.updated_at.empty()) msg.updated_at = "2026-01-01T00:00:00.000000";
    instances_[msg.instance.uuid] = std::move(msg);
  }
  std::optional<InstanceMsg> get(const std::string& uuid) const {
    std::lock_guard lock(mutex_);
    auto it = instances_.find(uuid);
    if (it == instances_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<StateStep> history(const std::string& uuid) const {
    std::lock_guard lock(mutex_);
    auto it = history_.find(uuid);
    return it == history_.end() ? std::vector<StateStep>{} : it->second;
  }
  std::vector<rpcapi::InstanceFaultMsg> faults(const std::string& uuid) const {
    return filter(faults_, [&](const auto& f) { return f.instance_uuid == uuid; });
  }
  std::vector<rpcapi::ActionEventMsg> events(const std::string& uuid) const {
    return filter(events_, [&](const auto& e) { return e.instance_uuid == uuid; });
  }
  std::vector<rpcapi::RescheduleRequest> reschedules() const { return copy(reschedules_); }
  std::vector<std::string> destroyed() const { return copy(destroyed_); }
  std::vector<rpcapi::NodeReportMsg> reports() const { return copy(reports_); }
  std::vector<rpcapi::ServiceMsg> heartbeats() const { return copy(heartbeats_); }
  // Batch messages (conductor RPC 1.2) received: reports, heartbeats.
  std::size_t report_batches() const {
    std::lock_guard lock(mutex_);
    return report_batches_;
  }
  std::size_t heartbeat_batches() const {
    std::lock_guard lock(mutex_);
    return heartbeat_batches_;
  }
  // instance_steps messages (conductor RPC 1.3) and single instance_update
  // calls received.
  std::size_t step_messages() const {
    std::lock_guard lock(mutex_);
    return step_messages_;
  }
  std::size_t update_calls() const {
    std::lock_guard lock(mutex_);
    return update_calls_;
  }
  // The hosts whose batched reports are refused (reported as failed).
  void refuse_reports_of(std::string host) {
    std::lock_guard lock(mutex_);
    refused_hosts_.insert(std::move(host));
  }
  // The next `n` instance updates fail as if no conductor were connected.
  void make_unreachable_for(std::size_t n) {
    std::lock_guard lock(mutex_);
    unreachable_updates_ = n;
  }
  // The next `n` listings of a host's instances fail as if no conductor answered.
  void make_listing_unreachable_for(std::size_t n) {
    std::lock_guard lock(mutex_);
    unreachable_listings_ = n;
  }
  std::size_t listings() const {
    std::lock_guard lock(mutex_);
    return listings_;
  }
  // Updates that set this vm_state are applied, but their reply is lost (as
  // a conductor killed between its commit and its reply): the caller sees
  // Unavailable, and so does every retry. Empty: none.
  void lose_replies_to(std::string vm_state) {
    std::lock_guard lock(mutex_);
    lose_replies_to_ = std::move(vm_state);
  }
  std::size_t refused_updates() const {
    std::lock_guard lock(mutex_);
    return refused_updates_;
  }

  // Waits (at most `limit`) until pred() holds; pred runs without the lock.
  bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds limit = 10s) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::unique_lock lock(mutex_);
    for (;;) {
      lock.unlock();
      if (pred()) return true;
      lock.lock();
      if (std::chrono::steady_clock::now() >= deadline) return false;
      // Re-checked at least every 20 ms, so a change that happened between
      // the check and the wait cannot be missed for long.
      cv_.wait_for(lock, 20ms);
    }
  }

  // `with_batches` false: a conductor of RPC 1.1, without the batches;
  // `with_steps` false: one of RPC 1.2, without instance_steps.
  rpc::Dispatcher dispatcher(bool with_batches = true, bool with_steps = true) {
    namespace m = rpcapi::conductor_method;
    const auto v = !with_batches ? rpcapi::conductor_version::kUnshelve
                   : with_steps  ? rpcapi::kConductorVersion
                                 : rpcapi::conductor_version::kBatches;
    rpc::Dispatcher d;
    auto ok = [](const rpc::Status& s) { EXPECT_TRUE(s.ok()); };
    if (with_batches && with_steps) {
      ok(d.add_typed<rpcapi::InstanceStepsMsg>(std::string(m::kInstanceSteps), v,
                                               [this](const rpc::CallInfo&, rpcapi::InstanceStepsMsg steps) {
                                                 return instance_steps(steps);
                                               }));
    }
    if (with_batches) {
      ok(d.add_typed<rpcapi::NodeReportBatch>(
          std::string(m::kComputeNodeUpdateBatch), v,
          [this](const rpc::CallInfo&, rpcapi::NodeReportBatch b) -> rpc::Result<rpc::Payload> {
            rpcapi::NodeReportBatchResult result;
            {
              std::lock_guard lock(mutex_);
              ++report_batches_;
              for (auto& r : b.reports) {
                if (refused_hosts_.count(r.host) != 0) {
                  result.failed_hosts.push_back(r.host);
                } else {
                  reports_.push_back(std::move(r));
                }
              }
            }
            cv_.notify_all();
            return rpc::Payload::of(result);
          }));
      ok(d.add_typed<rpcapi::ServiceHeartbeatBatch>(
          std::string(m::kServiceHeartbeatBatch), v,
          [this](const rpc::CallInfo&, rpcapi::ServiceHeartbeatBatch b) -> rpc::Result<rpc::Payload> {
            {
              std::lock_guard lock(mutex_);
              ++heartbeat_batches_;
              for (auto& s : b.services) heartbeats_.push_back(std::move(s));
            }
            cv_.notify_all();
            return rpc::Payload();
          }));
    }
    ok(d.add_typed<rpcapi::InstanceUpdateMsg>(std::string(m::kInstanceUpdate), v,
                                              [this](const rpc::CallInfo&, rpcapi::InstanceUpdateMsg u) {
                                                return instance_update(u);
                                              }));
    ok(d.add_typed<rpcapi::InstanceFaultMsg>(std::string(m::kInstanceFaultCreate), v,
                                             [this](const rpc::CallInfo&, rpcapi::InstanceFaultMsg f) {
                                               return record(faults_, std::move(f));
                                             }));
    ok(d.add_typed<rpcapi::ActionEventMsg>(std::string(m::kActionEvent), v,
                                           [this](const rpc::CallInfo&, rpcapi::ActionEventMsg e) {
                                             return record(events_, std::move(e));
                                           }));
    ok(d.add_typed<rpcapi::RescheduleRequest>(std::string(m::kRescheduleInstance), v,
                                              [this](const rpc::CallInfo&, rpcapi::RescheduleRequest r) {
                                                return record(reschedules_, std::move(r));
                                              }));
    ok(d.add_typed<rpcapi::InstanceUuidMsg>(std::string(m::kInstanceDestroy), v,
                                            [this](const rpc::CallInfo&, rpcapi::InstanceUuidMsg u) {
                                              {
                                                std::lock_guard lock(mutex_);
                                                instances_.erase(u.instance_uuid);
                                              }
                                              return record(destroyed_, u.instance_uuid);
                                            }));
    ok(d.add_typed<rpcapi::NodeReportMsg>(std::string(m::kComputeNodeUpdate), v,
                                          [this](const rpc::CallInfo&, rpcapi::NodeReportMsg r) {
                                            return record(reports_, std::move(r));
                                          }));
    ok(d.add_typed<rpcapi::ServiceMsg>(std::string(m::kServiceHeartbeat), v,
                                       [this](const rpc::CallInfo&, rpcapi::ServiceMsg s) {
                                         return record(heartbeats_, std::move(s));
                                       }));
    ok(d.add_typed<rpcapi::HostInstancesQuery>(
        std::string(m::kInstanceGetAllByHost), v,
        [this](const rpc::CallInfo&, rpcapi::HostInstancesQuery q) -> rpc::Result<rpc::Payload> {
          std::vector<InstanceMsg> out;
          {
            std::lock_guard lock(mutex_);
            ++listings_;
            if (unreachable_listings_ > 0) {
              --unreachable_listings_;
              return rpc::make_error(rpc::Errc::unavailable, "no conductor connected");
            }
            for (const auto& [uuid, msg] : instances_) {
              if (msg.instance.host == q.host) out.push_back(msg);
            }
          }
          return rpc::Payload::of(out);
        }));
    return d;
  }

 private:
  // As the database's CAS update: NotFound, or InvalidState when a guard fails.
  rpc::Result<rpc::Payload> instance_update(const rpcapi::InstanceUpdateMsg& u) {
    std::unique_lock lock(mutex_);
    ++update_calls_;
    if (unreachable_updates_ > 0) {  // as a router that knows no conductor answers
      --unreachable_updates_;
      ++refused_updates_;
      return rpc::make_error(rpc::Errc::unavailable, "no conductor connected");
    }
    if (lost_reply_locked(u.instance_uuid)) return rpc::make_error(rpc::Errc::unavailable, "no conductor connected");
    if (sdk::Status st = apply_locked(u); !st.ok()) {
      ++refused_updates_;
      return rpcapi::to_rpc_error(st);
    }
    auto out = rpc::Payload::of(instances_.at(u.instance_uuid));
    const bool lost = lost_reply_locked(u.instance_uuid);
    lock.unlock();
    cv_.notify_all();
    if (lost) return rpc::make_error(rpc::Errc::unavailable, "no conductor connected");
    return out;
  }

  // As ConductorManager::instance_steps: in order, the first refused update
  // ends the walk (the steps before it stay), events are recorded.
  rpc::Result<rpc::Payload> instance_steps(const rpcapi::InstanceStepsMsg& steps) {
    std::unique_lock lock(mutex_);
    ++step_messages_;
    if (unreachable_updates_ > 0) {
      --unreachable_updates_;
      ++refused_updates_;
      return rpc::make_error(rpc::Errc::unavailable, "no conductor connected");
    }
    if (lost_reply_locked(steps.instance_uuid)) {
      return rpc::make_error(rpc::Errc::unavailable, "no conductor connected");
    }
    sdk::Status refused;
    for (const auto& step : steps.steps) {
      if (step.is_event) {
        events_.push_back(step.event);
        continue;
      }
      refused = apply_locked(step.update);
      if (!refused.ok()) break;
    }
    if (!refused.ok()) ++refused_updates_;
    const bool lost = lost_reply_locked(steps.instance_uuid);
    lock.unlock();
    cv_.notify_all();
    if (lost) return rpc::make_error(rpc::Errc::unavailable, "no conductor connected");
    if (!refused.ok()) return rpcapi::to_rpc_error(refused);
    return rpc::Payload();
  }

  // Whether the reply about this instance is lost (lose_replies_to).
  bool lost_reply_locked(const std::string& uuid) const {
    auto it = instances_.find(uuid);
    return it != instances_.end() && !lose_replies_to_.empty() && it->second.vm_state == lose_replies_to_;
  }

  sdk::Status apply_locked(const rpcapi::InstanceUpdateMsg& u) {
    auto it = instances_.find(u.instance_uuid);
    if (it == instances_.end()) return sdk::Status::NotFound("instance " + u.instance_uuid + " not found");
    InstanceMsg& msg = it->second;
    const std::string task = msg.task_state.value_or("");
    const auto& et = u.expected_task_state;
    const auto& ev = u.expected_vm_state;
    if ((!et.empty() && std::find(et.begin(), et.end(), task) == et.end()) ||
        (!ev.empty() && std::find(ev.begin(), ev.end(), msg.vm_state) == ev.end()) ||
        (u.expected_host && *u.expected_host != msg.instance.host)) {
      return sdk::Status::InvalidState("instance " + u.instance_uuid + " is " + msg.vm_state + "/" +
                                       (task.empty() ? "None" : task));
    }
    if (u.vm_state) msg.vm_state = *u.vm_state;
    if (u.set_task_state) msg.task_state = u.task_state;
    if (u.power_state) msg.instance.power_state = *u.power_state;
    if (u.host) msg.instance.host = *u.host;
    if (u.node) msg.instance.node = *u.node;
    if (u.set_launched_at) msg.launched_at = "2026-01-01T00:00:01.000000";
    msg.updated_at = "2099-01-01T00:00:00.000000";  // "just now", whatever the clock says
    history_[u.instance_uuid].push_back({msg.vm_state, msg.task_state, msg.instance.power_state});
    return sdk::Status::OK();
  }

  template <class T>
  rpc::Result<rpc::Payload> record(std::vector<T>& into, T value) {
    {
      std::lock_guard lock(mutex_);
      into.push_back(std::move(value));
    }
    cv_.notify_all();
    return rpc::Payload();
  }
  template <class T>
  std::vector<T> copy(const std::vector<T>& v) const {
    std::lock_guard lock(mutex_);
    return v;
  }
  template <class T, class P>
  std::vector<T> filter(const std::vector<T>& v, P pred) const {
    std::lock_guard lock(mutex_);
    std::vector<T> out;
    for (const T& x : v) {
      if (pred(x)) out.push_back(x);
    }
    return out;
  }

  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::map<std::string, InstanceMsg> instances_;
  std::size_t unreachable_updates_ = 0;
  std::size_t unreachable_listings_ = 0;
  std::size_t listings_ = 0;
  std::string lose_replies_to_;
  std::map<std::string, std::vector<StateStep>> history_;
  std::vector<rpcapi::InstanceFaultMsg> faults_;
  std::vector<rpcapi::ActionEventMsg> events_;
  std::vector<rpcapi::RescheduleRequest> reschedules_;
  std::vector<std::string> destroyed_;
  std::vector<rpcapi::NodeReportMsg> reports_;
  std::vector<rpcapi::ServiceMsg> heartbeats_;
  std::size_t refused_updates_ = 0;
  std::size_t report_batches_ = 0;
  std::size_t heartbeat_batches_ = 0;
  std::size_t step_messages_ = 0;
  std::size_t update_calls_ = 0;
  std::set<std::string> refused_hosts_;
};

inline const std::string kHost = "compute-1";

inline sdk::Flavor small_flavor() {
  sdk::Flavor f;
  f.id = "2";
  f.name = "m1.small";
  f.vcpus = 1;
  f.memory_mb = 512;
  f.root_gb = 1;
  return f;
}

inline sdk::ImageMeta cirros() {
  sdk::ImageMeta m;
  m.id = "image-cirros";
  m.name = "cirros";
  m.disk_format = "qcow2";
  m.container_format = "bare";
  return m;
}

// An instance placed on kHost in the given states.
inline InstanceMsg instance(const std::string& uuid, std::string vm_state = "building",
                            std::optional<std::string> task_state = std::string("scheduling")) {
  InstanceMsg m;
  m.instance.uuid = uuid;
  m.instance.name = "instance-" + uuid;
  m.instance.display_name = "server " + uuid;
  m.instance.project_id = "project";
  m.instance.user_id = "user";
  m.instance.host = kHost;
  m.instance.node = kHost;
  m.instance.image_ref = "image-cirros";
  m.instance.flavor = small_flavor();
  m.vm_state = std::move(vm_state);
  m.task_state = std::move(task_state);
  return m;
}

inline sdk::RequestContext ctx(const std::string& request_id = "req-test") {
  return sdk::RequestContext{request_id, "user", "project", {"member"}};
}

inline std::string task_name(const std::optional<std::string>& t) { return t.value_or("None"); }

// A router, the test-double conductor's endpoint, one compute host (real
// ComputeManager + FakeDriver) and an "api" endpoint that casts to it as
// the API and the conductor do. Everything is stopped in TearDown.
class ComputeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    const std::string address = "inproc://compute-test-" + std::to_string(n.fetch_add(1));
    rpc::RouterOptions ro;
    ro.bind = {address};
    ro.io = io_;
    ro.heartbeat_interval = 50ms;
    ro.heartbeat_liveness = 6;
    router_ = std::make_unique<rpc::Router>(ro);
    ASSERT_TRUE(router_->start().ok());
    address_ = router_->endpoints().at(0);

    conductor_ep_ = make_endpoint("conductor");
    ASSERT_TRUE(conductor_ep_->serve(std::string(rpcapi::kConductorTopic), "conductor-1",
                                     fake_.dispatcher(true, conductor_has_steps_))
                    .ok());
    ASSERT_TRUE(conductor_ep_->start().ok());
    ASSERT_TRUE(conductor_ep_->wait_registered(5s));

    api_ep_ = make_endpoint("api");
    ASSERT_TRUE(api_ep_->start().ok());
    ASSERT_TRUE(api_ep_->wait_registered(5s));
    compute_api_ = std::make_unique<rpcapi::ComputeRpcApi>(*api_ep_, 5000ms);

    driver_ = std::make_shared<drivers::fake::FakeDriver>(drivers::fake::FakeDriverConfig{});
  }

  void TearDown() override {
    if (manager_) manager_->stop();
    // The endpoint's handlers call into the manager: stop them first.
    if (compute_ep_) compute_ep_->stop();
    if (api_ep_) api_ep_->stop();
    if (conductor_ep_) conductor_ep_->stop();
    manager_.reset();
    conductor_api_.reset();
    if (router_) router_->stop();
  }

  // Fast periodic tasks are off unless a test asks for them.
  static ComputeOptions quiet_options() {
    ComputeOptions o;
    o.max_concurrent_builds = 4;
    o.heartbeat_interval = 0ms;
    o.resource_report_interval = 0ms;
    o.sync_power_state_interval = 0ms;
    o.reclaim_instance_interval = 0ms;
    o.graceful_shutdown_timeout = 5s;
    return o;
  }

  // Creates, registers and starts the compute host.
  void start_compute(ComputeOptions options = quiet_options()) {
    compute_ep_ = make_endpoint("compute-" + kHost);
    conductor_api_ = std::make_unique<rpcapi::ConductorRpcApi>(*compute_ep_, 5000ms, conductor_cap_);
    manager_ = std::make_unique<ComputeManager>(kHost, driver_, *conductor_api_, options);
    ASSERT_TRUE(manager_->register_on(*compute_ep_).ok());
    ASSERT_TRUE(compute_ep_->start().ok());
    ASSERT_TRUE(compute_ep_->wait_registered(5s));
    const sdk::Status st = manager_->start();
    ASSERT_TRUE(st.ok()) << st.to_string();
  }

  rpcapi::BuildAndRunRequest build_request(const InstanceMsg& msg,
                                           std::vector<rpcapi::DestinationMsg> alternates = {}) {
    rpcapi::BuildAndRunRequest r;
    r.instance = msg;
    r.image = cirros();
    r.spec.instance_uuid = msg.instance.uuid;
    r.spec.flavor = msg.instance.flavor;
    r.spec.image = r.image;
    r.alternates = std::move(alternates);
    r.attempt = 1;
    return r;
  }

  // Puts the instance in the conductor and casts its build over RPC.
  void cast_build(const InstanceMsg& msg, std::vector<rpcapi::DestinationMsg> alternates = {}) {
    fake_.put(msg);
    const sdk::Status st = compute_api_->build_and_run_instance(ctx("req-build-" + msg.instance.uuid), kHost,
                                                                build_request(msg, std::move(alternates)));
    ASSERT_TRUE(st.ok()) << st.to_string();
  }

  bool wait_state(const std::string& uuid, const std::string& vm_state,
                  const std::optional<std::string>& task_state = std::nullopt) {
    return fake_.wait_for([&] {
      auto m = fake_.get(uuid);
      return m && m->vm_state == vm_state && m->task_state == task_state;
    });
  }

  // Builds an instance through the real path and waits until it is active.
  InstanceMsg build_active(const std::string& uuid) {
    cast_build(instance(uuid));
    EXPECT_TRUE(wait_state(uuid, "active")) << uuid << " did not become active";
    EXPECT_TRUE(fake_.wait_for([&] { return finished_events(uuid, "compute__do_build_and_run_instance") == 1; }));
    // The build's last message (ACTIVE and the finish, one message at
    // conductor RPC 1.3) is answered before its job lets the instance go:
    // wait for the job, or a periodic task run next would skip the instance as busy.
    EXPECT_TRUE(fake_.wait_for([&] {
      const auto stats = manager_->build_stats();
      return stats.running == 0 && stats.queued == 0;
    })) << uuid << ": its build job did not end";
    return fake_.get(uuid).value_or(InstanceMsg{});
  }

  std::size_t finished_events(const std::string& uuid, const std::string& event) const {
    std::size_t n = 0;
    for (const auto& e : fake_.events(uuid)) n += (e.finish && e.event == event) ? 1 : 0;
    return n;
  }

  // The finish of `event` for the instance, if recorded.
  std::optional<rpcapi::ActionEventMsg> finish_of(const std::string& uuid, const std::string& event) const {
    for (const auto& e : fake_.events(uuid)) {
      if (e.finish && e.event == event) return e;
    }
    return std::nullopt;
  }

  // Sets the instance's task state as the API would before it casts.
  InstanceMsg api_sets_task(const std::string& uuid, std::optional<std::string> task) {
    auto m = fake_.get(uuid).value();
    m.task_state = std::move(task);
    fake_.put(m);
    return m;
  }

  sdk::PowerState guest_state(const std::string& uuid) const {
    auto g = driver_->guest(uuid);
    return g ? g->state : sdk::PowerState::kNoState;
  }

  std::unique_ptr<rpc::Endpoint> make_endpoint(const std::string& name) {
    rpc::EndpointOptions o;
    o.router = address_;
    o.name = name;
    o.io = io_;
    o.heartbeat_interval = 50ms;
    o.heartbeat_liveness = 6;
    o.default_timeout = 5000ms;
    o.reconnect_interval = 20ms;
    o.workers = 4;
    return std::make_unique<rpc::Endpoint>(o);
  }

  std::shared_ptr<rpc::IoContext> io_ = std::make_shared<rpc::IoContext>();
  std::unique_ptr<rpc::Router> router_;
  std::string address_;
  FakeConductor fake_;
  std::unique_ptr<rpc::Endpoint> conductor_ep_;
  std::unique_ptr<rpc::Endpoint> api_ep_;
  std::unique_ptr<rpcapi::ComputeRpcApi> compute_api_;
  std::unique_ptr<rpc::Endpoint> compute_ep_;
  std::unique_ptr<rpcapi::ConductorRpcApi> conductor_api_;
  // Set before SetUp / start_compute: a conductor of RPC 1.2 (no
  // instance_steps); the compute's cap on conductor RPC ([upgrade_levels]).
  bool conductor_has_steps_ = true;
  rpcapi::VersionCap conductor_cap_{};
  std::shared_ptr<drivers::fake::FakeDriver> driver_;
  std::unique_ptr<ComputeManager> manager_;
};

}  // namespace stratus::core::compute::testing
