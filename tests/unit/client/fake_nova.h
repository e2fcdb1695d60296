// FakeNova: a real httplib::Server on 127.0.0.1 (port 0) answering the
// Compute API requests the client commands make, with bodies shaped like the
// ones a real Nova returns (see /work/shared/reference/nova-26). Tests script
// server status sequences, errors and the supported microversion, and read
// back the requests that were made.
#pragma once

#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace stratus::core::client::test {

using nlohmann::json;

inline constexpr const char* kImageId = "155d900f-4e14-4e4c-a73d-069cbf4541e6";

struct RecordedRequest {
  std::string method;
  std::string path;  // without the query
  std::multimap<std::string, std::string> params;
  json body;
  std::string token;    // X-Auth-Token
  std::string version;  // OpenStack-API-Version
};

inline json nova_error(const std::string& fault, int code, const std::string& message) {
  return {{fault, {{"code", code}, {"message", message}}}};
}

inline json flavor_body(const std::string& id, const std::string& name, int vcpus, int ram, int disk) {
  return {{"OS-FLV-DISABLED:disabled", false},
          {"OS-FLV-EXT-DATA:ephemeral", 0},
          {"disk", disk},
          {"id", id},
          {"links", json::array({{{"href", "http://127.0.0.1/v2.1/flavors/" + id}, {"rel", "self"}}})},
          {"name", name},
          {"os-flavor-access:is_public", true},
          {"ram", ram},
          {"rxtx_factor", 1.0},
          {"swap", ""},
          {"vcpus", vcpus}};
}

// A server as GET /servers/{id} shows it at microversion 2.1.
inline json server_body(const std::string& id, const std::string& name, const std::string& status) {
  const bool active = status == "ACTIVE";
  return {{"OS-DCF:diskConfig", "MANUAL"},
          {"OS-EXT-AZ:availability_zone", "nova"},
          {"OS-EXT-SRV-ATTR:host", "fake-host-0"},
          {"OS-EXT-SRV-ATTR:hypervisor_hostname", "fake-host-0"},
          {"OS-EXT-SRV-ATTR:instance_name", "instance-00000005"},
          {"OS-EXT-STS:power_state", active ? 1 : 0},
          {"OS-EXT-STS:task_state", status == "BUILD" ? json("spawning") : json(nullptr)},
          {"OS-EXT-STS:vm_state", status == "BUILD" ? "building" : (active ? "active" : "error")},
          {"accessIPv4", ""},
          {"accessIPv6", ""},
          {"addresses", {{"private", json::array({{{"addr", "10.0.0.3"}, {"version", 4}}})}}},
          {"created", "2026-11-26T04:18:15Z"},
          {"flavor", {{"id", "1"}, {"links", json::array()}}},
          {"hostId", "d87788aaee1b025f6946b412b80a7f5fd8bc61c1168e8a2c42ad100a"},
          {"id", id},
          {"image", {{"id", kImageId}, {"links", json::array()}}},
          {"key_name", nullptr},
          {"links", json::array({{{"href", "http://127.0.0.1/v2.1/servers/" + id}, {"rel", "self"}}})},
          {"metadata", json::object()},
          {"name", name},
          {"os-extended-volumes:volumes_attached", json::array()},
          {"progress", 0},
          {"status", status},
          {"tenant_id", "admin"},
          {"updated", "2026-11-26T04:18:15Z"},
          {"user_id", "admin"}};
}

class FakeNova {
 public:
  struct ServerState {
    json body;
    std::deque<std::string> script;  // statuses GET shows next; the last one stays
    std::string reservation_id;
    bool deleted = false;
  };

  FakeNova() {
    flavors_ = {flavor_body("1", "m1.tiny", 1, 512, 1), flavor_body("2", "m1.small", 1, 2048, 20),
                flavor_body("3", "m1.medium", 2, 4096, 40)};
    images_ = {{{"id", kImageId}, {"name", "cirros"}, {"status", "ACTIVE"}, {"minDisk", 0}, {"minRam", 0}}};
    routes();
    port_ = http_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !http_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~FakeNova() {
    http_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v2.1"; }

  // ---- scripting ---------------------------------------------------------
  void add_server(const std::string& id, const std::string& name, std::deque<std::string> script = {"ACTIVE"},
                  const std::string& reservation_id = "") {
    std::lock_guard lock(mu_);
    servers_[id] = {server_body(id, name, script.front()), std::move(script), reservation_id, false};
  }
  // The statuses the next created server(s) go through.
  void script_created(std::deque<std::string> script) {
    std::lock_guard lock(mu_);
    created_script_ = std::move(script);
  }
  // The created server with this index (1-based) in a multi-create gets this script instead.
  void script_created_index(int index, std::deque<std::string> script) {
    std::lock_guard lock(mu_);
    created_index_script_[index] = std::move(script);
  }
  void fail_next_create(int status, json body) {
    std::lock_guard lock(mu_);
    create_error_ = std::make_pair(status, std::move(body));
  }
  // A private flavor the caller (an admin) may use but that Nova's default
  // list (is_public=True) leaves out: only ?is_public=None lists it, as Nova
  // does for an admin whose project was not given access.
  void add_private_flavor(const std::string& id, const std::string& name) {
    std::lock_guard lock(mu_);
    json f = flavor_body(id, name, 1, 256, 1);
    f["os-flavor-access:is_public"] = false;
    flavors_.push_back(f);
  }

  void set_max_microversion(int minor) {
    std::lock_guard lock(mu_);
    max_minor_ = minor;
  }
  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::vector<RecordedRequest> requests(const std::string& method, const std::string& path) const {
    std::vector<RecordedRequest> out;
    for (auto& r : requests()) {
      if (r.method == method && r.path == path) out.push_back(r);
    }
    return out;
  }

 private:
  using Req = httplib::Request;
  using Res = httplib::Response;

  static void reply(Res& res, int status, const json& body) {
    res.status = status;
    if (!body.is_null()) res.set_content(body.dump(), "application/json");
  }

  // Records the request and checks its microversion; false when answered 406.
  bool accept(const Req& req, Res& res) {
    RecordedRequest r{req.method, req.path, {}, json(), req.get_header_value("X-Auth-Token"),
                      req.get_header_value("OpenStack-API-Version")};
    for (const auto& [k, v] : req.params) r.params.emplace(k, v);
    if (!req.body.empty()) r.body = json::parse(req.body, nullptr, false);
    std::lock_guard lock(mu_);
    requests_.push_back(r);
    const std::string& v = r.version;
    if (v.rfind("compute 2.", 0) == 0 && std::stoi(v.substr(10)) > max_minor_) {
      reply(res, 406, nova_error("computeFault", 406, "Version " + v.substr(8) +
                                                         " is not supported by the API. Minimum is 2.1 and maximum is 2." +
                                                         std::to_string(max_minor_) + "."));
      return false;
    }
    return true;
  }

  // The server's body as it is now, advancing its status script. mu_ held.
  json advance(ServerState& s) {
    if (!s.script.empty()) {
      const std::string status = s.script.front();
      if (s.script.size() > 1) s.script.pop_front();
      const std::string id = s.body["id"], name = s.body["name"];
      json meta = s.body["metadata"];
      s.body = server_body(id, name, status);
      s.body["metadata"] = meta;
      if (status == "ERROR") {
        s.body["fault"] = {{"code", 500}, {"created", "2026-11-26T04:18:16Z"},
                           {"message", "No valid host was found. There are not enough hosts available."}};
      }
    }
    return s.body;
  }

  void routes() {
    http_.Get("/v2.1/flavors/detail", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      std::lock_guard lock(mu_);
      const bool all = req.has_param("is_public") && req.get_param_value("is_public") == "None";
      json listed = json::array();
      for (const auto& f : flavors_) {
        if (all || f["os-flavor-access:is_public"] == true) listed.push_back(f);
      }
      reply(res, 200, {{"flavors", listed}});
    });
    http_.Get(R"(/v2\.1/flavors/([^/]+))", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      std::lock_guard lock(mu_);
      for (const auto& f : flavors_) {
        if (f["id"] == req.matches[1].str()) return reply(res, 200, {{"flavor", f}});
      }
      reply(res, 404, nova_error("itemNotFound", 404, "Flavor " + req.matches[1].str() + " could not be found."));
    });
    http_.Post("/v2.1/flavors", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      const json in = json::parse(req.body)["flavor"];
      std::lock_guard lock(mu_);
      json f = flavor_body(in.value("id", std::string("c0ffee00-0000-4000-8000-000000000001")), in["name"],
                           in["vcpus"], in["ram"], in["disk"]);
      flavors_.push_back(f);
      reply(res, 200, {{"flavor", f}});
    });
    http_.Delete(R"(/v2\.1/flavors/([^/]+))", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      std::lock_guard lock(mu_);
      std::erase_if(flavors_, [&](const json& f) { return f["id"] == req.matches[1].str(); });
      res.status = 202;
    });
    http_.Get("/v2.1/images/detail", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      reply(res, 200, {{"images", images_}});
    });
    http_.Get(R"(/v2\.1/images/([^/]+))", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      for (const auto& i : images_) {
        if (i["id"] == req.matches[1].str()) return reply(res, 200, {{"image", i}});
      }
      reply(res, 404, nova_error("itemNotFound", 404, "Image not found."));
    });
    http_.Get("/v2.1/servers", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      std::lock_guard lock(mu_);
      json out = json::array();
      for (auto& [id, s] : servers_) {
        if (s.deleted) continue;
        if (req.has_param("name") &&
            !std::regex_search(s.body["name"].get<std::string>(), std::regex(req.get_param_value("name")))) {
          continue;
        }
        out.push_back({{"id", id}, {"name", s.body["name"]}, {"links", json::array()}});
      }
      reply(res, 200, {{"servers", out}});
    });
    http_.Get("/v2.1/servers/detail", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      std::lock_guard lock(mu_);
      json out = json::array();
      for (auto& [id, s] : servers_) {
        if (s.deleted) continue;
        if (req.has_param("reservation_id") && s.reservation_id != req.get_param_value("reservation_id")) continue;
        json body = advance(s);
        if (req.has_param("status") && body["status"] != req.get_param_value("status")) continue;
        out.push_back(body);
      }
      reply(res, 200, {{"servers", out}});
    });
    http_.Get(R"(/v2\.1/servers/([^/]+))", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      std::lock_guard lock(mu_);
      auto it = servers_.find(req.matches[1].str());
      if (it == servers_.end() || it->second.deleted) {
        return reply(res, 404, nova_error("itemNotFound", 404, "Instance " + req.matches[1].str() +
                                                                   " could not be found."));
      }
      reply(res, 200, {{"server", advance(it->second)}});
    });
    http_.Post("/v2.1/servers", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      std::lock_guard lock(mu_);
      if (create_error_) {
        auto [status, body] = *create_error_;
        create_error_.reset();
        return reply(res, status, body);
      }
      const json in = json::parse(req.body)["server"];
      const int count = in.value("max_count", 1);
      const std::string reservation = "r-" + std::to_string(++reservations_);
      std::string first_id;
      for (int i = 1; i <= count; ++i) {
        char id[37];
        std::snprintf(id, sizeof id, "5e0a%04d-0000-4000-8000-%012d", reservations_, i);
        const std::string name = count > 1 ? in["name"].get<std::string>() + "-" + std::to_string(i)
                                           : in["name"].get<std::string>();
        auto script = created_index_script_.count(i) ? created_index_script_[i] : created_script_;
        servers_[id] = {server_body(id, name, script.front()), script, reservation, false};
        if (in.contains("metadata")) servers_[id].body["metadata"] = in["metadata"];
        if (first_id.empty()) first_id = id;
      }
      if (in.value("return_reservation_id", false)) return reply(res, 202, {{"reservation_id", reservation}});
      reply(res, 202, {{"server", {{"id", first_id}, {"adminPass", "xV5M8zYHHbLq"}, {"links", json::array()},
                                   {"OS-DCF:diskConfig", "MANUAL"},
                                   {"security_groups", json::array({{{"name", "default"}}})}}}});
    });
    http_.Post(R"(/v2\.1/servers/([^/]+)/action)", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      std::lock_guard lock(mu_);
      auto it = servers_.find(req.matches[1].str());
      if (it == servers_.end()) {
        return reply(res, 404, nova_error("itemNotFound", 404, "Instance could not be found."));
      }
      const json in = json::parse(req.body);
      if (in.contains("os-getConsoleOutput")) return reply(res, 200, {{"output", "line1\nline2\nlogin: "}});
      if (in.contains("os-stop")) it->second.script = {"ACTIVE", "SHUTOFF"};
      if (in.contains("os-start") || in.contains("reboot")) it->second.script = {"ACTIVE"};
      res.status = 202;
    });
    http_.Delete(R"(/v2\.1/servers/([^/]+))", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      std::lock_guard lock(mu_);
      auto it = servers_.find(req.matches[1].str());
      if (it == servers_.end()) return reply(res, 404, nova_error("itemNotFound", 404, "Instance not found."));
      it->second.deleted = true;
      res.status = 204;
    });
    http_.Get("/v2.1/os-hypervisors/detail", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      reply(res, 200, {{"hypervisors", json::array({{{"id", 1}, {"hypervisor_hostname", "fake-host-0"},
                                                      {"hypervisor_type", "fake"}, {"host_ip", "192.168.1.10"},
                                                      {"state", "up"}, {"status", "enabled"}, {"vcpus", 8},
                                                      {"vcpus_used", 1}, {"memory_mb", 16384},
                                                      {"memory_mb_used", 1024}, {"running_vms", 1}}})}});
    });
    http_.Get("/v2.1/os-services", [this](const Req& req, Res& res) {
      if (!accept(req, res)) return;
      reply(res, 200, {{"services", json::array({{{"id", 1}, {"binary", "nova-compute"}, {"host", "fake-host-0"},
                                                   {"zone", "nova"}, {"status", "enabled"}, {"state", "up"},
                                                   {"updated_at", "2026-11-26T04:18:15.000000"},
                                                   {"disabled_reason", nullptr}, {"forced_down", false}}})}});
    });
  }

  mutable std::mutex mu_;
  std::vector<json> flavors_, images_;
  std::map<std::string, ServerState> servers_;
  std::deque<std::string> created_script_{"BUILD", "ACTIVE"};
  std::map<int, std::deque<std::string>> created_index_script_;
  std::optional<std::pair<int, json>> create_error_;
  int max_minor_ = 1;
  int reservations_ = 0;
  std::vector<RecordedRequest> requests_;
  httplib::Server http_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace stratus::core::client::test
