// ApiServer: the HTTP side of the REST API (cpp-httplib), shared by every
// controller: routing, authentication, microversion negotiation, JSON bodies,
// request ids, Nova's error format, one log line per request.
//
// A controller registers handlers; a handler gets a parsed ApiRequest and
// returns an ApiResponse or a Status, which the server maps to HTTP (api_error.h).
// Upload routes (upload_route) get the body as a stream of chunks instead of
// parsed JSON, and a reply may stream a file (ApiResponse::file): image data
// never sits whole in memory. Compute routes (everything outside /image)
// negotiate a microversion; the image service's routes do not.
// Handlers run on the server's thread pool and must be thread-safe. No
// exception escapes to the client: one that reaches the server becomes a 500.
// A reply sent before the request's body was read to its end (413 on the
// declared Content-Length, an upload refused before reading) closes the
// connection with a bounded lingering close (ApiServerOptions::linger_*).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/http/authenticator.h"
#include "core/http/microversion.h"
#include "stratus/sdk/result.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace stratus::core::api {

class LingeringServer;

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
  std::string content_type;              // the Content-Type header, "" when absent

  // The last value of a query parameter, if given.
  std::optional<std::string> query_param(const std::string& name) const;
  // A request header by name (any case), if given.
  std::optional<std::string> header(const std::string& name) const;
};

// A reply body read from an open stream as the client takes it (image
// downloads), in place of ApiResponse::body. The server owns the stream
// until the reply is sent.
struct StreamedBody {
  std::shared_ptr<std::istream> stream;  // positioned anywhere: the server seeks
  std::uint64_t size = 0;                // bytes sent, from offset 0
  std::string content_type = "application/octet-stream";
};

struct ApiResponse {
  // Built as ApiResponse{status, body, headers} by every controller; the
  // constructor (rather than an aggregate) lets `file` stay out of that.
  ApiResponse(int status_ = 200, nlohmann::json body_ = nullptr, std::map<std::string, std::string> headers_ = {})
      : status(status_), body(std::move(body_)), headers(std::move(headers_)) {}

  int status = 200;
  nlohmann::json body;  // null: no body (204, 202)
  std::map<std::string, std::string> headers;
  std::optional<StreamedBody> file;  // set: streamed instead of `body`
};

using ApiHandler = std::function<sdk::Result<ApiResponse>(const ApiRequest&)>;

// How a route words the errors the server answers for it (bad JSON, a
// failed Status, a handler that threw): Nova's format by default; other
// services give their own (Keystone's {"error": {...}}).
using ErrorBodyFormat = nlohmann::json (*)(int http_status, const std::string& message);
// A request body as it arrives. The handler calls it once with a sink that
// gets each chunk in order; the sink returns false to stop reading. Returns
// true only when the whole body arrived and the sink took every chunk;
// false when the client went away or sent less than its Content-Length, or
// the sink stopped. Blocks on the network; call it on the handler's thread.
using BodySink = std::function<bool(std::string_view chunk)>;
using BodyReader = std::function<bool(const BodySink& sink)>;
using UploadHandler = std::function<sdk::Result<ApiResponse>(const ApiRequest&, const BodyReader&)>;

// A reply in Nova's error format with a status no Status code maps to (403
// and its like): {"forbidden": {"code": 403, "message": ...}}.
ApiResponse error_response(int http_status, const std::string& message);

// 403 "Policy doesn't allow <rule> to be performed.", as Nova words it.
ApiResponse policy_denied(const std::string& rule);

struct ApiServerOptions {
  std::size_t max_body_bytes = 1 << 20;  // JSON bodies (413 above it)
  // Bodies of upload routes (413 above it, before a byte is read when the
  // client declares its Content-Length; handlers also count what arrives).
  std::uint64_t max_upload_bytes = 0;
  // The lingering close (lingering_server.h) after a reply sent before its
  // request's body was read to the end (a 413, an upload refused or broken
  // off): the server half-closes and discards what the client still sends,
  // so that a client writing its whole body before reading gets the reply
  // rather than a broken pipe; it closes once the client does, or after
  // linger_max_bytes, linger_max_time, or linger_idle_time with nothing
  // arriving (nginx's lingering_time and lingering_timeout are 30 s and 5 s).
  std::uint64_t linger_max_bytes = std::uint64_t{1} << 30;
  std::chrono::milliseconds linger_max_time{30000};
  std::chrono::milliseconds linger_idle_time{5000};
  // A request that arrives too slowly is dropped (slowloris): its request
  // line and headers must arrive within request_head_time, its body at
  // body_min_rate bytes/s on average after a further request_head_time
  // (Apache's mod_reqtimeout words it as header=10, body=10,MinRate=1024).
  std::chrono::milliseconds request_head_time{10000};
  std::uint64_t body_min_rate = 1024;
};

class ApiServer {
 public:
  ApiServer(std::shared_ptr<const Authenticator> authenticator, ApiServerOptions options = {});
  ~ApiServer();  // stops the server if it runs
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Registers `handler` for `method` ("GET", "POST", "PUT", "PATCH", "DELETE") and a
  // path regex (e.g. R"(/v2\.1/flavors/([^/]+))"). Public routes (version
  // documents) skip authentication. Register before start().
  void route(const std::string& method, const std::string& pattern, ApiHandler handler, bool is_public = false,
             ErrorBodyFormat error_body = nullptr);

  // Registers an upload route ("PUT" or "POST"): authenticated like any
  // other, but the body is not parsed; the handler reads it through the
  // BodyReader, up to options.max_upload_bytes. Register before start().
  void upload_route(const std::string& method, const std::string& pattern, UploadHandler handler);

  // Binds host:port (port 0 picks a free one) and serves on a background
  // thread. Returns the bound port, or kUnavailable naming the address.
  sdk::Result<int> start(const std::string& host, int port);

  // Stops accepting, finishes requests in flight, joins. Idempotent.
  void stop();

  // Serves the raw HTTP bytes `request` (one request or several pipelined)
  // in the calling thread, without a socket and without start(): the same
  // parsing, limits, routing, authentication, microversions and handlers as
  // a connection gets. Returns the raw bytes of the replies. For the REST
  // fuzz target (tests/fuzz/rest_api_fuzz.cpp) and tests.
  std::string serve_bytes(std::string_view request);

 private:
  // `route`: the route's template (route_template.h), the label of its metrics.
  void handle(const httplib::Request& req, httplib::Response& res, const ApiHandler& handler, bool is_public,
              const std::string& method, const std::string& route, ErrorBodyFormat error_body,
              const BodyReader* upload) const;
  bool is_upload_path(const std::string& path) const;

  std::shared_ptr<const Authenticator> authenticator_;
  ApiServerOptions options_;
  std::unique_ptr<LingeringServer> server_;
  std::vector<std::regex> upload_patterns_;
  std::thread thread_;
};

}  // namespace stratus::core::api
