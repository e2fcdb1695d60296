// ApiServer: the HTTP side of the REST API (cpp-httplib), shared by every
// controller: routing, authentication, microversion negotiation, JSON bodies,
// request ids, Nova's error format, one log line per request.
//
// A controller registers handlers; a handler gets a parsed ApiRequest and
// returns an ApiResponse or a Status, which the server maps to HTTP (api_error.h).
// Handlers run on the server's thread pool and must be thread-safe. No
// exception escapes to the client: one that reaches the server becomes a 500.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/api/authenticator.h"
#include "core/api/microversion.h"
#include "stratus/sdk/result.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace stratus::core::api {

struct ApiRequest {
  std::string method;
  std::string path;
  std::vector<std::string> path_params;  // the route pattern's capture groups, in order
  std::multimap<std::string, std::string> query;
  nlohmann::json body;                   // null when the request had none
  Microversion microversion;
  AuthContext auth;
  std::string request_id;                // "req-<uuid>", also in the reply's X-OpenStack-Request-Id
  std::string base_url;                  // "http://<Host header>", for links
  std::map<std::string, std::string> headers;  // names in lower case; the last value of each

  // The last value of a query parameter, if given.
  std::optional<std::string> query_param(const std::string& name) const;
  // A request header by name (any case), if given.
  std::optional<std::string> header(const std::string& name) const;
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body;  // null: no body (204, 202)
  std::map<std::string, std::string> headers;
};

using ApiHandler = std::function<sdk::Result<ApiResponse>(const ApiRequest&)>;

// How a route words the errors the server answers for it (bad JSON, a
// failed Status, a handler that threw): Nova's format by default; other
// services give their own (Keystone's {"error": {...}}).
using ErrorBodyFormat = nlohmann::json (*)(int http_status, const std::string& message);

// A reply in Nova's error format with a status no Status code maps to (403
// and its like): {"forbidden": {"code": 403, "message": ...}}.
ApiResponse error_response(int http_status, const std::string& message);

// 403 "Policy doesn't allow <rule> to be performed.", as Nova words it.
ApiResponse policy_denied(const std::string& rule);

struct ApiServerOptions {
  std::size_t max_body_bytes = 1 << 20;
};

class ApiServer {
 public:
  ApiServer(std::shared_ptr<const Authenticator> authenticator, ApiServerOptions options = {});
  ~ApiServer();  // stops the server if it runs
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Registers `handler` for `method` ("GET", "POST", "PUT", "DELETE") and a
  // path regex (e.g. R"(/v2\.1/flavors/([^/]+))"). Public routes (version
  // documents) skip authentication. Register before start().
  void route(const std::string& method, const std::string& pattern, ApiHandler handler, bool is_public = false,
             ErrorBodyFormat error_body = nullptr);

  // Binds host:port (port 0 picks a free one) and serves on a background
  // thread. Returns the bound port, or kUnavailable naming the address.
  sdk::Result<int> start(const std::string& host, int port);

  // Stops accepting, finishes requests in flight, joins. Idempotent.
  void stop();

 private:
  void handle(const httplib::Request& req, httplib::Response& res, const ApiHandler& handler, bool is_public,
              const std::string& method, ErrorBodyFormat error_body) const;

  std::shared_ptr<const Authenticator> authenticator_;
  ApiServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace stratus::core::api
