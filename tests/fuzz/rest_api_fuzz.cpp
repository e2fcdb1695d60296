// libFuzzer target: the REST request path in process, from the raw bytes of
// an HTTP request to the reply (ApiServer::serve_bytes, no socket): httplib's
// request parsing, the body limits, routing, authentication, the microversion
// headers, JSON parsing, schema validation, policy and the controllers of
// servers (create, actions, metadata, tags), flavors, key pairs, identity
// tokens and the image service (metadata and upload), over a seeded SQLite
// database in a temporary directory.
//
// No RPC message leaves the process: the ComputeAPI's RPC clients sit on an
// endpoint that is never started, so every cast fails at once (a create then
// ends in ERROR, an action answers 503 and puts the task state back), as it
// would with the conductor and the compute host unreachable.
//
// The input is a request as a client sends it, with three conveniences so
// that mutations reach past the framing: the Content-Length header is
// rewritten to the body's true length (wrong lengths are the hostile HTTP
// test's business), and "{server}" and "{image}" in the head stand for an
// ACTIVE server on host1 and a queued image, both kept in that state between
// inputs. Tokens: "admin", "member" and "reader" (FuzzTokensDouble below);
// the identity API's own password login works for admin / fuzz-password.
//
// The oracle, besides the sanitizers: no reply is a 500 (only an exception
// that escaped a handler becomes one), and every request that httplib parsed
// gets a reply.
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/compute/api/compute_api.h"
#include "core/compute/api/flavors_controller.h"
#include "core/compute/api/keypairs_controller.h"
#include "core/compute/api/servers_controller.h"
#include "core/compute/api/version_documents.h"
#include "core/compute/instance_states.h"
#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "core/db/quota_repository.h"
#include "core/db/seed.h"
#include "core/db/service_repository.h"
#include "core/http/api_server.h"
#include "core/identity/api/identity_controller.h"
#include "core/identity/bootstrap.h"
#include "core/identity/identity_admin.h"
#include "core/identity/token_service.h"
#include "core/image/api/images_v2_controller.h"
#include "core/image/image_store.h"
#include "core/rpcapi/compute_rpcapi.h"
#include "core/rpcapi/conductor_rpcapi.h"
#include "stratus/rpc/endpoint.h"

namespace {

using namespace stratus;
using namespace stratus::core;

// A test double for Keystone tokens on the compute and image routes: the
// token "admin" is the admin of p-admin, "member" a member of p-member,
// "reader" a reader of p-member; anything else is refused.
class FuzzTokensDouble final : public api::Authenticator {
 public:
  sdk::Result<api::AuthContext> authenticate(const std::optional<std::string>& token) const override {
    if (token == std::string("admin")) return api::AuthContext{"u-admin", "p-admin", {"admin"}, true};
    if (token == std::string("member")) return api::AuthContext{"u-member", "p-member", {"member"}, false};
    if (token == std::string("reader")) return api::AuthContext{"u-reader", "p-member", {"reader"}, false};
    return sdk::Status::NotFound("unknown token");
  }
  std::string describe() const override { return "fuzz test double"; }
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "rest_api_fuzz: %s\n", what.c_str());
  std::abort();
}

// The status codes of the replies in `raw` (pipelined replies one after another).
std::vector<int> reply_statuses(const std::string& raw) {
  std::vector<int> out;
  std::size_t at = 0;
  while ((at = raw.find("HTTP/1.1 ", at)) != std::string::npos) {
    if (at == 0 || raw.compare(at - 2, 2, "\r\n") == 0) out.push_back(std::atoi(raw.c_str() + at + 9));
    at += 9;
  }
  return out;
}

class App {
 public:
  App() {
    spdlog::set_level(spdlog::level::off);  // a log line per request would drown the fuzzer's output
    char pattern[] = "/tmp/stratus-rest-fuzz-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) die("mkdtemp failed");
    dir_ = pattern;
    auto opened = db::Database::open(dir_);
    if (!opened.ok()) die("database: " + opened.status().to_string());
    db_ = std::move(opened.value());
    if (auto s = db::seed_defaults(*db_); !s.ok()) die("seed: " + s.to_string());
    if (auto b = identity::bootstrap_identity(*db_, dir_, "http://localhost/identity/v3"); !b.ok()) {
      die("bootstrap: " + b.status().to_string());
    }
    if (auto s = identity::IdentityAdmin(*db_).set_password("admin", "fuzz-password"); !s.ok()) die(s.to_string());
    if (!db::ServiceRepository(*db_).register_service("host1", "stratus-compute", "compute").ok()) die("service");
    for (const char* project : {"p-member", "p-admin"}) {
      if (!db::QuotaRepository(*db_).set_limits(project, {{"instances", 50}, {"cores", 200}, {"ram", -1}}).ok()) {
        die("quota");
      }
    }

    rpc::EndpointOptions eo;
    eo.router = "inproc://stratus-rest-fuzz-nowhere";
    eo.name = "api-fuzz";
    endpoint_ = std::make_unique<rpc::Endpoint>(eo);  // never started: every cast fails at once
    conductor_ = std::make_unique<rpcapi::ConductorRpcApi>(*endpoint_, std::chrono::milliseconds(100));
    computes_ = std::make_unique<rpcapi::ComputeRpcApi>(*endpoint_, std::chrono::milliseconds(100));
    compute_ = std::make_unique<compute::ComputeAPI>(*db_, *conductor_, *computes_, compute::ComputeApiOptions{});
    tokens_ = std::make_unique<identity::TokenService>(*db_, identity::IdentityOptions{});
    images_ = std::make_unique<image::ImageStore>(dir_ / "images", 1 << 20);

    api::ApiServerOptions options;
    options.max_upload_bytes = images_->max_image_size();
    server_ = std::make_unique<api::ApiServer>(std::make_shared<FuzzTokensDouble>(), options);
    api::add_version_routes(*server_);
    identity::add_identity_routes(*server_, *tokens_, *db_);
    api::add_flavor_routes(*server_, *db_);
    api::add_keypair_routes(*server_, *db_);
    api::add_server_routes(*server_, *compute_, *db_);
    image::add_image_service_routes(*server_, *db_, *images_);

    keep_server_active();
    image_id_ = new_image();
  }

  ~App() {
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void run(std::string_view input) {
    std::string request = frame(input);
    if (request.find("{image}") != std::string::npos) {
      if (!image_is_queued()) image_id_ = new_image();
      replace_all(request, "{image}", image_id_);
    }
    replace_all(request, "{server}", server_id_);
    const std::string reply = server_->serve_bytes(request);
    for (int status : reply_statuses(reply)) {
      if (status == 500) die("a 500 (an exception escaped a handler) for:\n" + request + "\nreply:\n" + reply);
    }
    keep_server_active();
    // host1's heartbeat: a host silent for service_down_time (60 s) is down
    // and its servers' actions become 409s before they reach the cast.
    if (++runs_ % 256 == 0) (void)db::ServiceRepository(*db_).heartbeat("host1", "stratus-compute");
  }

 private:
  // Splits the input at the end of its head and rewrites Content-Length to
  // the body's length (see the file comment).
  static std::string frame(std::string_view input) {
    std::size_t head_end = input.find("\r\n\r\n");
    std::size_t body_at = head_end == std::string_view::npos ? input.size() : head_end + 4;
    if (head_end == std::string_view::npos) head_end = input.size();
    std::string head;
    std::size_t line_start = 0;
    while (line_start < head_end) {
      std::size_t line_end = input.find("\r\n", line_start);
      if (line_end == std::string_view::npos || line_end > head_end) line_end = head_end;
      const std::string_view line = input.substr(line_start, line_end - line_start);
      std::string lower(line.substr(0, 15));
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower != "content-length:") head.append(line).append("\r\n");
      line_start = line_end + 2;
    }
    const std::string_view body = input.substr(body_at);
    if (!body.empty()) head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    head += "\r\n";
    head.append(body);
    return head;
  }

  static void replace_all(std::string& text, std::string_view what, const std::string& with) {
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
      text.replace(at, what.size(), with);
    }
  }

  // Sends a JSON request as admin and returns body[key]["id"] of its reply.
  std::string create(const std::string& request_line, const std::string& body, const std::string& key) {
    const std::string raw = request_line + " HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: admin\r\n"
                            "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\n\r\n" + body;
    const std::string reply = server_->serve_bytes(raw);
    const std::size_t at = reply.find("\r\n\r\n");
    auto json = nlohmann::json::parse(reply.substr(at == std::string::npos ? 0 : at + 4), nullptr, false);
    if (json.is_discarded()) die("set-up request failed: " + reply);
    const auto& node = key.empty() ? json : json[key];
    if (!node.is_object() || !node.contains("id")) die("set-up request failed: " + reply);
    return node["id"].get<std::string>();
  }

  std::string new_image() {
    return create("POST /image/v2/images", R"({"name": "fuzz", "disk_format": "raw", "container_format": "bare"})",
                  "");
  }

  bool image_is_queued() {
    const std::string reply = server_->serve_bytes("GET /image/v2/images/" + image_id_ +
                                                   " HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: admin\r\n\r\n");
    return reply.find(R"("status":"queued")") != std::string::npos;
  }

  // The server stays ACTIVE on host1 with no task, so actions reach the
  // cast; a deleted one is replaced.
  void keep_server_active() {
    db::InstanceRepository instances(*db_);
    auto record = server_id_.empty() ? sdk::Result<db::InstanceRecord>(sdk::Status::NotFound("none"))
                                     : instances.get(server_id_, /*include_deleted=*/false);
    if (!record.ok()) {
      server_id_ = create("POST /v2.1/servers", R"({"server": {"name": "fuzz", "imageRef": ")" +
                                                    std::string(db::kDefaultImageUuid) +
                                                    R"(", "flavorRef": "1", "networks": "none"}})",
                          "server");
      record = instances.get(server_id_, /*include_deleted=*/false);
      if (!record.ok()) die("the fuzz server is gone: " + record.status().to_string());
    }
    if (record->vm_state == compute::vm_state::kActive && !record->task_state && record->host == "host1") return;
    db::InstanceUpdate u;
    u.vm_state = std::string(compute::vm_state::kActive);
    u.task_state = std::optional<std::string>();
    u.host = "host1";
    u.node = "host1";
    u.power_state = sdk::PowerState::kRunning;
    if (auto s = instances.update(server_id_, u); !s.ok()) die("resetting the fuzz server: " + s.status().to_string());
    // Its heartbeat too: a host down for service_down_time turns actions into 409s.
    (void)db::ServiceRepository(*db_).heartbeat("host1", "stratus-compute");
  }

  std::filesystem::path dir_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<rpc::Endpoint> endpoint_;
  std::unique_ptr<rpcapi::ConductorRpcApi> conductor_;
  std::unique_ptr<rpcapi::ComputeRpcApi> computes_;
  std::unique_ptr<compute::ComputeAPI> compute_;
  std::unique_ptr<identity::TokenService> tokens_;
  std::unique_ptr<image::ImageStore> images_;
  std::unique_ptr<api::ApiServer> server_;
  std::string server_id_;
  std::string image_id_;
  std::uint64_t runs_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static App app;
  app.run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
