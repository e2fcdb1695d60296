#include "cloud_fixture.h"

#include <atomic>
#include <thread>

#include "core/rpcapi/topics.h"

namespace stratus::test {

namespace {

std::string unique_name(const std::string& stem) {
  static std::atomic<int> n{0};
  return stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(n.fetch_add(1));
}

Reply to_reply(const httplib::Result& r) {
  Reply out;
  if (!r) return out;
  out.status = r->status;
  if (!r->body.empty()) out.body = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  return out;
}

}  // namespace

void CloudTest::SetUp() {
  data_dir_ = std::filesystem::temp_directory_path() / unique_name("stratus-cloud");
  std::filesystem::create_directories(data_dir_);

  auto cfg = core::load_config(std::nullopt);
  ASSERT_TRUE(cfg.ok()) << cfg.status().to_string();
  core::Config config = cfg.value();
  config.host = "cloud";
  config.data_dir = data_dir_.string();
  config.api.listen = "127.0.0.1:0";
  // These tests are about the create path, not identity: every request is admin.
  config.api.auth_strategy = "noauth";
  config.rpc.router = "inproc://" + unique_name("cloud");
  config.rpc.heartbeat_ms = 50;
  config.rpc.call_timeout = 10;
  config.compute.heartbeat_interval = 0.2;
  config.compute.resource_report_interval = 0.5;
  config.compute.sync_power_state_interval = 0.5;
  config.service_down_time = 3;
  tweak(config);

  registry_ = std::make_unique<core::PluginRegistry>();
  auto refusals = registry_->load_directories(plugin_dirs());
  ASSERT_TRUE(refusals.empty()) << refusals.front().reason;
  // Each host's driver is a FakeDriver the test can reach.
  fake_override_.emplace(registry_->override_factory<sdk::VirtDriver>(
      "fake", [this](const sdk::PluginConfig& pc) -> sdk::Result<std::unique_ptr<sdk::VirtDriver>> {
        auto fc = drivers::fake::FakeDriverConfig::from_plugin_config(pc);
        if (!fc.ok()) return fc.status();
        auto driver = std::make_unique<drivers::fake::FakeDriver>(fc.value());
        std::lock_guard lock(drivers_mu_);
        created_.push_back(driver.get());
        return std::unique_ptr<sdk::VirtDriver>(std::move(driver));
      }));

  core::NodeOptions options;
  options.roles = {core::Role::kRouter, core::Role::kApi, core::Role::kConductor, core::Role::kScheduler,
                   core::Role::kCompute};
  for (int i = 1; i <= host_count(); ++i) hosts_.push_back("host-" + std::to_string(i));
  options.compute_hosts = hosts_;
  auto node = core::Node::create(config, *registry_, options);
  ASSERT_TRUE(node.ok()) << node.status().to_string();
  node_ = std::move(node.value());
  auto started = node_->start();
  ASSERT_TRUE(started.ok()) << started.to_string();
  if (config.compute.driver == "fake") {
    // Nodes start their compute hosts in order: created_[i] serves hosts_[i].
    std::lock_guard lock(drivers_mu_);
    ASSERT_EQ(created_.size(), hosts_.size());
    for (std::size_t i = 0; i < hosts_.size(); ++i) drivers_[hosts_[i]] = created_[i];
  }
  client_ = std::make_unique<httplib::Client>("127.0.0.1", node_->api_port());
  client_->set_read_timeout(30, 0);

  // Nova's default quota (10 instances) would stop the larger tests.
  Reply quota = put("/v2.1/os-quota-sets/admin", {{"quota_set", {{"instances", -1}, {"cores", -1}, {"ram", -1}}}});
  ASSERT_EQ(quota.status, 200) << quota.body.dump();

  // Wait until the scheduler has every host's first report: a create before
  // that would find no valid host.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    Reply r = get("/v2.1/os-hypervisors");
    if (r.status == 200 && r.body["hypervisors"].size() == hosts_.size()) {
      bool all_up = true;
      for (const auto& h : r.body["hypervisors"]) all_up = all_up && h["state"] == "up";
      if (all_up) break;
    }
    std::this_thread::sleep_for(50ms);
  }
  // The scheduler hears the reports through the conductor; one more report
  // period makes sure it has them too.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
}

void CloudTest::TearDown() {
  client_.reset();
  if (node_) node_->stop();
  node_.reset();
  fake_override_.reset();
  registry_.reset();
  std::error_code ec;
  std::filesystem::remove_all(data_dir_, ec);
}

Reply CloudTest::get(const std::string& path) { return to_reply(client_->Get(path)); }
Reply CloudTest::post(const std::string& path, const json& body) {
  return to_reply(client_->Post(path, body.dump(), "application/json"));
}
Reply CloudTest::put(const std::string& path, const json& body) {
  return to_reply(client_->Put(path, body.dump(), "application/json"));
}
Reply CloudTest::del(const std::string& path) { return to_reply(client_->Delete(path)); }

std::string CloudTest::create_server(const std::string& name, json extra) {
  json server = {{"name", name}, {"imageRef", "cirros"}, {"flavorRef", "1"}, {"networks", "auto"}};
  // The seeded image's id, not its name: imageRef takes ids.
  Reply images = get("/v2.1/images");
  if (images.status == 200 && !images.body["images"].empty()) server["imageRef"] = images.body["images"][0]["id"];
  for (auto& [k, v] : extra.items()) server[k] = v;
  json body = {{"server", server}};
  if (server.contains("os:scheduler_hints")) {
    body["os:scheduler_hints"] = server["os:scheduler_hints"];
    body["server"].erase("os:scheduler_hints");
  }
  Reply r = post("/v2.1/servers", body);
  EXPECT_EQ(r.status, 202) << r.body.dump();
  if (r.status != 202) return "";
  return r.body["server"].value("id", "");
}

json CloudTest::show(const std::string& id) {
  Reply r = get("/v2.1/servers/" + id);
  return r.status == 200 ? r.body["server"] : json();
}

bool CloudTest::wait_for_status(const std::string& id, const std::string& status, std::chrono::seconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::string last;
  while (std::chrono::steady_clock::now() < until) {
    json s = show(id);
    if (!s.is_null()) {
      last = s.value("status", "");
      if (last == status) return true;
      if (last == "ERROR" && status != "ERROR") {
        ADD_FAILURE() << "server " << id << " went to ERROR: " << s.dump();
        return false;
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "server " << id << " did not reach " << status << " (last " << last << ")";
  return false;
}

bool CloudTest::wait_for_gone(const std::string& id, std::chrono::seconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (get("/v2.1/servers/" + id).status == 404) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

Reply CloudTest::action(const std::string& id, const json& body) {
  return post("/v2.1/servers/" + id + "/action", body);
}

drivers::fake::FakeDriver& CloudTest::driver(const std::string& host) {
  std::lock_guard lock(drivers_mu_);
  return *drivers_.at(host);
}

}  // namespace stratus::test
