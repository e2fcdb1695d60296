// Shared set-up for the servers API tests: the API fixture of
// tests/unit/api/api_test_support.h (seeded database, ApiServer on
// 127.0.0.1:0, users "admin" and "member"), plus an in-process RPC router and
// a test double serving "conductor" and "compute.host1" that records every
// message it receives, and a ComputeAPI wired to them.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../api/api_test_support.h"
#include "core/compute/api/compute_api.h"
#include "core/compute/api/servers_controller.h"
#include "core/db/instance_repository.h"
#include "core/db/port_repository.h"
#include "core/db/quota_repository.h"
#include "core/db/service_repository.h"
#include "core/common/time_util.h"
#include "core/rpcapi/messages.h"
#include "core/rpcapi/rpc_status.h"
#include "core/rpcapi/topics.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/rpc/router.h"

namespace stratus::core::api::test_support {

using namespace std::chrono_literals;

// One message the double received.
struct Received {
  std::string topic_server;  // "conductor" or "compute.host1"
  std::string method;
  std::string request_id;
  std::vector<std::string> instance_uuids;  // build_instances: all; others: the one
  std::string reboot_type;                  // reboot_instance only
  std::string image_id;                     // rebuild_instance, snapshot_instance, shelve_instance, rescue_instance
  std::string unshelve_host;                // conductor unshelve_instance only
  std::string unshelve_zone;                // conductor unshelve_instance only
  std::string instance_host;                // the host the instance message carried
  rpcapi::BuildInstancesRequest build;      // build_instances only
  rpcapi::GuestInjection injection;         // rebuild_instance; rescue_instance's admin password
  sdk::Vif vif;                             // attach_interface, detach_interface
  std::vector<std::string> rule_ports;      // attach/detach_interface: the ports whose rules came along
  std::vector<std::string> rule_prefixes;   // refresh_security_groups: the remote prefixes of its rules
  bool backup = false;                      // snapshot_instance of a createBackup (1.4)
  std::string backup_type;
  std::int64_t rotation = 0;
  std::string version;                      // the version the message was sent at
};

class RecordingServices {
 public:
  void add(Received r) {
    std::lock_guard lock(mu_);
    received_.push_back(std::move(r));
  }
  std::vector<Received> all() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  // The first message of `method`, waiting for it at most 3 s.
  std::optional<Received> wait_for(const std::string& method) const {
    for (int i = 0; i < 600; ++i) {
      for (const auto& r : all()) {
        if (r.method == method) return r;
      }
      std::this_thread::sleep_for(5ms);
    }
    return std::nullopt;
  }
  // Messages to compute hosts (build casts to the conductor arrive on their
  // own time), but for security group refreshes: a create refreshes its
  // group's peers asynchronously, so those may arrive at any moment of a test.
  size_t compute_messages() const {
    size_t n = 0;
    for (const auto& r : all()) {
      n += r.topic_server.rfind("compute.", 0) == 0 && r.method != "refresh_security_groups" ? 1 : 0;
    }
    return n;
  }
  size_t count(const std::string& method) const {
    size_t n = 0;
    for (const auto& r : all()) n += r.method == method ? 1 : 0;
    return n;
  }
  std::string console_output = "line 1\nline 2\n";
  // What get_diagnostics answers: these, or this error when it is not OK.
  sdk::Diagnostics diagnostics;
  sdk::Status diagnostics_error;
  // What attach_interface / detach_interface / trigger_crash_dump answer.
  sdk::Status interface_error;
  sdk::Status crash_dump_error;

 private:
  mutable std::mutex mu_;
  std::vector<Received> received_;
};

inline std::string unique_inproc() {
  static std::atomic<int> n{0};
  return "inproc://servers-api-test-" + std::to_string(n.fetch_add(1));
}

class ServersApiTest : public ApiTest {
 protected:
  void SetUp() override { start(compute::ComputeApiOptions{}); }

  void start(compute::ComputeApiOptions options) {
    open_database();
    io_ = std::make_shared<rpc::IoContext>();
    rpc::RouterOptions ro;
    ro.bind = {unique_inproc()};
    ro.io = io_;
    ro.heartbeat_interval = 50ms;
    ro.heartbeat_liveness = 6;
    router_ = std::make_unique<rpc::Router>(ro);
    ASSERT_TRUE(router_->start().ok());
    const std::string address = router_->endpoints().at(0);

    conductor_ep_ = make_endpoint(address, "conductor-double");
    ASSERT_TRUE(conductor_ep_->serve(std::string(rpcapi::kConductorTopic), "conductor-1", conductor_dispatcher()).ok());
    compute_ep_ = make_endpoint(address, "compute-double");
    ASSERT_TRUE(compute_ep_->serve(std::string(rpcapi::kComputeTopic), "host1", compute_dispatcher("host1")).ok());
    api_ep_ = make_endpoint(address, "api");
    for (auto* ep : {conductor_ep_.get(), compute_ep_.get(), api_ep_.get()}) {
      ASSERT_TRUE(ep->start().ok());
      ASSERT_TRUE(ep->wait_registered(3s));
    }
    conductor_rpc_ = std::make_unique<rpcapi::ConductorRpcApi>(*api_ep_, 2000ms);
    compute_rpc_ = std::make_unique<rpcapi::ComputeRpcApi>(*api_ep_, 2000ms);
    compute_ = std::make_unique<compute::ComputeAPI>(*db_, *conductor_rpc_, *compute_rpc_, options);
    // host1's compute service has just registered: it is up.
    ASSERT_TRUE(db::ServiceRepository(*db_).register_service("host1", "stratus-compute", "compute").ok());
    // Room for the tests that create a server per case; the quota tests set their own limits.
    ASSERT_TRUE(db::QuotaRepository(*db_).set_limits("p-member", {{"instances", 100}, {"cores", 100}, {"ram", -1}}).ok());
    start_server([this](ApiServer& s, db::Database& d) { add_server_routes(s, *compute_, d); });
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
    compute_.reset();
    for (auto* ep : {api_ep_.get(), compute_ep_.get(), conductor_ep_.get()}) {
      if (ep) ep->stop();
    }
    api_ep_.reset();
    compute_ep_.reset();
    conductor_ep_.reset();
    if (router_) router_->stop();
    router_.reset();
    ApiTest::TearDown();
  }

  // ---- HTTP helpers ---------------------------------------------------------
  httplib::Result post(const std::string& path, const nlohmann::json& b, const std::string& who = "member") {
    return client_->Post(path.c_str(), as(who), b.dump(), "application/json");
  }
  httplib::Result put(const std::string& path, const nlohmann::json& b, const std::string& who = "member") {
    return client_->Put(path.c_str(), as(who), b.dump(), "application/json");
  }
  httplib::Result get(const std::string& path, const std::string& who = "member") {
    return client_->Get(path.c_str(), as(who));
  }
  httplib::Result del(const std::string& path, const std::string& who = "member") {
    return client_->Delete(path.c_str(), as(who));
  }
  httplib::Result action(const std::string& id, const nlohmann::json& b, const std::string& who = "member") {
    return post("/v2.1/servers/" + id + "/action", b, who);
  }

  static nlohmann::json server_body(const std::string& name = "vm") {
    return {{"server", {{"name", name}, {"imageRef", db::kDefaultImageUuid}, {"flavorRef", "1"}}}};
  }

  // Creates a server and returns its id.
  std::string create_server(const std::string& name = "vm", const std::string& who = "member") {
    auto r = post("/v2.1/servers", server_body(name), who);
    EXPECT_TRUE(r && r->status == 202) << (r ? r->body : "no reply");
    return r && r->status == 202 ? body(r)["server"]["id"].get<std::string>() : std::string();
  }

  // Puts the instance where a finished build (or the test) would have it.
  void set_state(const std::string& uuid, const std::string& vm_state, std::optional<std::string> task_state = {},
                 const std::string& host = "host1") {
    db::InstanceUpdate u;
    u.vm_state = vm_state;
    u.task_state = task_state;
    u.host = host;
    u.node = host;
    u.launched_at = std::optional<std::string>(common::utc_now());
    u.power_state = vm_state == "active" ? sdk::PowerState::kRunning : sdk::PowerState::kShutdown;
    ASSERT_TRUE(db::InstanceRepository(*db_).update(uuid, u).ok());
  }

  db::InstanceRecord instance(const std::string& uuid) {
    return db::InstanceRepository(*db_).get(uuid, /*include_deleted=*/true).value();
  }

  // Everything a request could have written: instance rows (deleted ones
  // too) and ports of the default network.
  std::pair<size_t, size_t> written() {
    db::InstanceFilter f;
    f.project_id = std::nullopt;
    f.deleted = db::DeletedFilter::kInclude;
    auto instances = db::InstanceRepository(*db_).list(f).value();
    auto ports = db::PortRepository(*db_).list_by_network(db::kDefaultNetworkUuid).value();
    return {instances.size(), ports.size()};
  }

  // The API's own RPC endpoint stops: every cast it makes fails at once.
  void stop_api_endpoint() { api_ep_->stop(); }

  RecordingServices services_;

 private:
  std::unique_ptr<rpc::Endpoint> make_endpoint(const std::string& router, const std::string& name) {
    rpc::EndpointOptions o;
    o.router = router;
    o.name = name;
    o.io = io_;
    o.heartbeat_interval = 50ms;
    o.heartbeat_liveness = 6;
    o.default_timeout = 2000ms;
    o.reconnect_interval = 20ms;
    o.workers = 2;
    return std::make_unique<rpc::Endpoint>(o);
  }

  rpc::Dispatcher conductor_dispatcher() {
    rpc::Dispatcher d;
    EXPECT_TRUE(d.add_typed<rpcapi::BuildInstancesRequest>(
                     std::string(rpcapi::conductor_method::kBuildInstances), rpcapi::kConductorVersion,
                     [this](const rpc::CallInfo& info, rpcapi::BuildInstancesRequest req) -> rpc::Result<rpc::Payload> {
                       Received r;
                       r.topic_server = "conductor";
                       r.method = std::string(info.method);
                       r.request_id = info.context.request_id;
                       r.instance_uuids = req.instance_uuids;
                       r.build = std::move(req);
                       services_.add(std::move(r));
                       return rpc::Payload();
                     })
                    .ok());
    EXPECT_TRUE(d.add_typed<rpcapi::UnshelveRequest>(
                     std::string(rpcapi::conductor_method::kUnshelveInstance), rpcapi::kConductorVersion,
                     [this](const rpc::CallInfo& info, rpcapi::UnshelveRequest req) -> rpc::Result<rpc::Payload> {
                       Received r;
                       r.topic_server = "conductor";
                       r.method = std::string(info.method);
                       r.request_id = info.context.request_id;
                       r.instance_uuids = {req.instance_uuid};
                       r.unshelve_host = req.host;
                       r.unshelve_zone = req.availability_zone;
                       services_.add(std::move(r));
                       return rpc::Payload();
                     })
                    .ok());
    return d;
  }

  rpc::Dispatcher compute_dispatcher(const std::string& host) {
    rpc::Dispatcher d;
    auto record = [this, host](const rpc::CallInfo& info, const rpcapi::InstanceMsg& m) {
      Received r;
      r.topic_server = "compute." + host;
      r.method = std::string(info.method);
      r.request_id = info.context.request_id;
      r.instance_uuids = {m.instance.uuid};
      r.instance_host = m.instance.host;
      r.version = info.version.to_string();
      return r;
    };
    using namespace rpcapi::compute_method;
    for (auto method : {kTerminateInstance, kStopInstance, kStartInstance, kPauseInstance, kUnpauseInstance,
                        kSuspendInstance, kResumeInstance, kSoftDeleteInstance, kRestoreInstance,
                        kShelveOffloadInstance, kUnrescueInstance}) {
      EXPECT_TRUE(d.add_typed<rpcapi::InstanceActionRequest>(
                       std::string(method), rpcapi::kComputeVersion,
                       [this, record](const rpc::CallInfo& info, rpcapi::InstanceActionRequest req) -> rpc::Result<rpc::Payload> {
                         services_.add(record(info, req.instance));
                         return rpc::Payload();
                       })
                      .ok());
    }
    EXPECT_TRUE(d.add_typed<rpcapi::RebootRequest>(
                     std::string(kRebootInstance), rpcapi::kComputeVersion,
                     [this, record](const rpc::CallInfo& info, rpcapi::RebootRequest req) -> rpc::Result<rpc::Payload> {
                       Received r = record(info, req.instance);
                       r.reboot_type = req.reboot_type;
                       services_.add(std::move(r));
                       return rpc::Payload();
                     })
                    .ok());
    EXPECT_TRUE(d.add_typed<rpcapi::RebuildRequest>(
                     std::string(kRebuildInstance), rpcapi::kComputeVersion,
                     [this, record](const rpc::CallInfo& info, rpcapi::RebuildRequest req) -> rpc::Result<rpc::Payload> {
                       Received r = record(info, req.instance);
                       r.image_id = req.image.id;
                       r.injection = req.injection;
                       services_.add(std::move(r));
                       return rpc::Payload();
                     })
                    .ok());
    for (auto method : {kSnapshotInstance, kShelveInstance}) {
      EXPECT_TRUE(d.add_typed<rpcapi::SnapshotRequest>(
                       std::string(method), rpcapi::kComputeVersion,
                       [this, record](const rpc::CallInfo& info, rpcapi::SnapshotRequest req) -> rpc::Result<rpc::Payload> {
                         Received r = record(info, req.instance);
                         r.image_id = req.image.id;
                         r.backup = req.backup;
                         r.backup_type = req.backup_type;
                         r.rotation = req.rotation;
                         services_.add(std::move(r));
                         return rpc::Payload();
                       })
                      .ok());
    }
    EXPECT_TRUE(d.add_typed<rpcapi::RescueRequest>(
                     std::string(kRescueInstance), rpcapi::kComputeVersion,
                     [this, record](const rpc::CallInfo& info, rpcapi::RescueRequest req) -> rpc::Result<rpc::Payload> {
                       Received r = record(info, req.instance);
                       r.image_id = req.image.id;
                       r.injection.admin_password = req.admin_password;
                       services_.add(std::move(r));
                       return rpc::Payload();
                     })
                    .ok());
    for (auto method : {kAttachInterface, kDetachInterface}) {
      EXPECT_TRUE(d.add_typed<rpcapi::InterfaceRequest>(
                       std::string(method), rpcapi::kComputeVersion,
                       [this, record](const rpc::CallInfo& info, rpcapi::InterfaceRequest req) -> rpc::Result<rpc::Payload> {
                         Received r = record(info, req.instance);
                         r.vif = req.vif;
                         for (const auto& p : req.port_security) r.rule_ports.push_back(p.port_id);
                         services_.add(std::move(r));
                         if (!services_.interface_error.ok()) return rpcapi::to_rpc_error(services_.interface_error);
                         return rpc::Payload();
                       })
                      .ok());
    }
    EXPECT_TRUE(d.add_typed<rpcapi::InstanceActionRequest>(
                     std::string(kTriggerCrashDump), rpcapi::kComputeVersion,
                     [this, record](const rpc::CallInfo& info, rpcapi::InstanceActionRequest req) -> rpc::Result<rpc::Payload> {
                       services_.add(record(info, req.instance));
                       if (!services_.crash_dump_error.ok()) return rpcapi::to_rpc_error(services_.crash_dump_error);
                       return rpc::Payload();
                     })
                    .ok());
    EXPECT_TRUE(d.add_typed<rpcapi::RefreshSecurityGroupsRequest>(
                     std::string(kRefreshSecurityGroups), rpcapi::kComputeVersion,
                     [this, host](const rpc::CallInfo& info, rpcapi::RefreshSecurityGroupsRequest req) -> rpc::Result<rpc::Payload> {
                       Received r;
                       r.topic_server = "compute." + host;
                       r.method = std::string(info.method);
                       r.request_id = info.context.request_id;
                       r.instance_uuids = {req.instance_uuid};
                       for (const auto& p : req.ports) {
                         r.rule_ports.push_back(p.port_id);
                         for (const auto& rule : p.rules) r.rule_prefixes.push_back(rule.remote_ip_prefix);
                       }
                       services_.add(std::move(r));
                       return rpc::Payload();
                     })
                    .ok());
    EXPECT_TRUE(d.add_typed<rpcapi::ConsoleOutputRequest>(
                     std::string(kGetConsoleOutput), rpcapi::kComputeVersion,
                     [this, record](const rpc::CallInfo& info, rpcapi::ConsoleOutputRequest req) -> rpc::Result<rpc::Payload> {
                       services_.add(record(info, req.instance));
                       return rpc::Payload::of(services_.console_output);
                     })
                    .ok());
    EXPECT_TRUE(d.add_typed<rpcapi::DiagnosticsRequest>(
                     std::string(kGetDiagnostics), rpcapi::kComputeVersion,
                     [this, record](const rpc::CallInfo& info, rpcapi::DiagnosticsRequest req) -> rpc::Result<rpc::Payload> {
                       services_.add(record(info, req.instance));
                       if (!services_.diagnostics_error.ok()) return rpcapi::to_rpc_error(services_.diagnostics_error);
                       return rpc::Payload::of(services_.diagnostics);
                     })
                    .ok());
    return d;
  }

  std::shared_ptr<rpc::IoContext> io_;
  std::unique_ptr<rpc::Router> router_;
  std::unique_ptr<rpc::Endpoint> conductor_ep_, compute_ep_, api_ep_;
  std::unique_ptr<rpcapi::ConductorRpcApi> conductor_rpc_;
  std::unique_ptr<rpcapi::ComputeRpcApi> compute_rpc_;

 protected:
  std::unique_ptr<compute::ComputeAPI> compute_;
};

}  // namespace stratus::core::api::test_support
