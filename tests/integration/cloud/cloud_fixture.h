// CloudTest: a whole Stratus cloud in this process (router, api, conductor,
// scheduler, N fake compute hosts over inproc RPC; SQLite in a temp dir)
// and a REST client to drive it, as a user would.
//
// The fake driver of each host is created through a registry override, so a
// test can reach a host's FakeDriver (faults, crashes) by host name.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/config/config.h"
#include "core/node/node.h"
#include "core/plugin/plugin_registry.h"
#include "stratus/drivers/fake/fake_driver.h"

namespace stratus::test {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct Reply {
  int status = 0;  // 0: no answer at all
  json body;
};

class CloudTest : public ::testing::Test {
 protected:
  // Override to change the config before the cloud starts (hosts' sizes,
  // reclaim interval, ...).
  virtual void tweak(core::Config& config) { (void)config; }
  virtual int host_count() const { return 3; }
  // Where the registry loads plugins from; a test that adds its own plugins
  // (and names them in tweak()) overrides it.
  virtual std::vector<std::filesystem::path> plugin_dirs() const { return {STRATUS_PLUGIN_DIR}; }

  void SetUp() override;
  void TearDown() override;

  Reply get(const std::string& path);
  Reply post(const std::string& path, const json& body);
  Reply put(const std::string& path, const json& body);
  Reply del(const std::string& path);

  // POST /servers with imageRef, flavorRef and networks "auto" filled in
  // unless `extra` sets them; returns the new server's id or "" (a failure
  // is recorded).
  std::string create_server(const std::string& name, json extra = json::object());
  // Polls GET /servers/{id} until its status is `status` (true) or the
  // deadline passes or the status becomes ERROR unexpectedly (false).
  bool wait_for_status(const std::string& id, const std::string& status, std::chrono::seconds deadline = 20s);
  // Polls until GET /servers/{id} answers 404.
  bool wait_for_gone(const std::string& id, std::chrono::seconds deadline = 20s);
  json show(const std::string& id);
  // POST /servers/{id}/action.
  Reply action(const std::string& id, const json& body);

  drivers::fake::FakeDriver& driver(const std::string& host);
  const std::vector<std::string>& hosts() const { return hosts_; }

  std::filesystem::path data_dir_;
  std::unique_ptr<core::PluginRegistry> registry_;
  std::optional<core::PluginRegistry::Override> fake_override_;
  std::unique_ptr<core::Node> node_;
  std::unique_ptr<httplib::Client> client_;
  std::vector<std::string> hosts_;

  std::mutex drivers_mu_;
  std::map<std::string, drivers::fake::FakeDriver*> drivers_;  // by host, once init_host named it
  std::vector<drivers::fake::FakeDriver*> created_;             // in creation order
};

}  // namespace stratus::test
