#include "core/http/api_server.h"

#include <cctype>
#include <algorithm>
#include <chrono>
#include <exception>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "core/http/api_error.h"
#include "core/http/lingering_server.h"
#include "core/http/policy.h"
#include "core/http/route_template.h"
#include "core/http/serve_thread.h"
#include "core/common/error_table.h"
#include "core/common/ids.h"
#include "core/metrics/registry.h"

namespace stratus::core::api {

namespace {

std::optional<std::string> header(const httplib::Request& req, const char* name) {
  if (!req.has_header(name)) return std::nullopt;
  return req.get_header_value(name);
}

void write_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // A message may echo client input (an id from the path, a header): invalid
  // UTF-8 in it is replaced rather than making dump() throw.
  if (!body.is_null()) {
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
  }
}

// /v2.1/..., and /v2/... (Nova's legacy prefix), are the compute API.
bool is_compute_path(const std::string& path) { return path.rfind("/v2.1", 0) == 0 || path.rfind("/v2/", 0) == 0; }

// Streams `body` to the client in 64 KiB pieces as it takes them.
void stream_file(httplib::Response& res, const StreamedBody& body) {
  auto stream = body.stream;
  res.set_content_provider(
      static_cast<std::size_t>(body.size), body.content_type,
      [stream](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        char buffer[64 * 1024];
        stream->clear();
        stream->seekg(static_cast<std::streamoff>(offset));
        stream->read(buffer, static_cast<std::streamsize>(std::min(length, sizeof buffer)));
        const auto got = stream->gcount();
        if (got <= 0) return false;  // the file is shorter than it said: cut the reply
        return sink.write(buffer, static_cast<std::size_t>(got));
      });
}

// The REST metrics (docs/operations.md, "Metrics"), in the process' registry.
struct ApiMetrics {
  metrics::Family<metrics::Histogram>& duration = metrics::default_registry().histogram(
      "stratus_api_request_duration_seconds",
      "REST requests served by a route, by route template, method and status class (2xx, 4xx, ...): time from the "
      "request's arrival to its reply's headers.",
      {"route", "method", "status"}, metrics::latency_buckets());
  metrics::Gauge& in_flight = metrics::default_registry()
                                  .gauge("stratus_api_requests_in_flight", "REST requests being served now.")
                                  .labels({});
  metrics::Family<metrics::Counter>& rejected = metrics::default_registry().counter(
      "stratus_api_rejected_requests_total",
      "REST requests answered before any route: none matched (404), malformed (400), body too large (413), "
      "headers too large (431); by method and status.",
      {"method", "status"});
};

ApiMetrics& api_metrics() {
  static ApiMetrics m;
  return m;
}

std::string_view status_class(int status) {
  static constexpr std::string_view kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  const int i = status / 100 - 1;
  return i >= 0 && i < 5 ? kClasses[i] : std::string_view("other");
}

// A client's method as a label: the methods HTTP defines, else "other".
std::string_view method_label(const std::string& method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "other";
}

void count_rejected(const httplib::Request& req, int status) {
  const std::string code = std::to_string(status);
  api_metrics().rejected.labels({method_label(req.method), code}).inc();
}

}  // namespace

ApiResponse error_response(int http_status, const std::string& message) {
  return ApiResponse{http_status, nova_error_body(http_status, message), {}};
}

ApiResponse policy_denied(const std::string& rule) {
  return error_response(403, "Policy doesn't allow " + rule + " to be performed.");
}

namespace {
std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}
}  // namespace

std::optional<std::string> ApiRequest::header(const std::string& name) const {
  auto it = headers.find(lower(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> ApiRequest::query_param(const std::string& name) const {
  auto range = query.equal_range(name);
  if (range.first == range.second) return std::nullopt;
  return std::prev(range.second)->second;
}

ApiServer::ApiServer(std::shared_ptr<const Authenticator> authenticator, ApiServerOptions options)
    : authenticator_(std::move(authenticator)),
      options_(options),
      server_(std::make_unique<LingeringServer>(
          LingerLimits{options_.linger_max_bytes, options_.linger_max_time, options_.linger_idle_time},
          RequestLimits{options_.request_head_time, options_.body_min_rate})) {
  // httplib applies one limit to every body, streamed or not: the larger one,
  // with the pre-routing check below holding JSON bodies to theirs before
  // any of it is read.
  server_->set_payload_max_length(std::max<std::uint64_t>(options_.max_body_bytes, options_.max_upload_bytes));
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header("Content-Length")) return httplib::Server::HandlerResponse::Unhandled;
    const std::uint64_t limit = is_upload_path(req.path) ? options_.max_upload_bytes : options_.max_body_bytes;
    std::uint64_t length = 0;
    try {
      length = std::stoull(req.get_header_value("Content-Length"));
    } catch (const std::exception&) {
      length = limit + 1;  // unreadable: refused like an oversized one
    }
    if (length <= limit) return httplib::Server::HandlerResponse::Unhandled;
    write_json(res, 413, nova_error_body(413, "Request body too large: " + std::to_string(length) +
                                                  " bytes, the limit is " + std::to_string(limit) + "."));
    // The body is left unread: no next request on this connection, and a
    // lingering close so that a client still sending reads this reply.
    res.set_header("Connection", "close");
    LingeringServer::close_after_reply(/*body_left_unread=*/true);
    spdlog::info("{} {} 413", req.method, req.path);
    count_rejected(req, 413);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Anything no route matched: Nova answers 404 in its own format.
  server_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.body.empty()) {
      // httplib's own refusals (a malformed request, headers over its limit,
      // a body too large) keep their status; anything else no route matched
      // is 404.
      const int status = res.status == 400 || res.status == 413 || res.status == 431 ? res.status : 404;
      const char* message = status == 413   ? "Request body too large."
                            : status == 404 ? "The resource could not be found."
                                            : "Malformed request.";
      write_json(res, status, nova_error_body(status, message));
      spdlog::info("{} {} {}", req.method, req.path, status);
      count_rejected(req, status);
    }
  });
}

ApiServer::~ApiServer() { stop(); }

void ApiServer::route(const std::string& method, const std::string& pattern, ApiHandler handler, bool is_public,
                      ErrorBodyFormat error_body) {
  if (error_body == nullptr) error_body = &nova_error_body;
  auto bound = [this, handler = std::move(handler), is_public, method, error_body,
                route = route_template(pattern)](const httplib::Request& req, httplib::Response& res) {
    handle(req, res, handler, is_public, method, route, error_body, nullptr);
  };
  if (method == "GET") {
    server_->Get(pattern, bound);
  } else if (method == "POST") {
    server_->Post(pattern, bound);
  } else if (method == "PUT") {
    server_->Put(pattern, bound);
  } else if (method == "PATCH") {
    server_->Patch(pattern, bound);
  } else if (method == "DELETE") {
    server_->Delete(pattern, bound);
  }
}

void ApiServer::upload_route(const std::string& method, const std::string& pattern, UploadHandler handler) {
  upload_patterns_.emplace_back(pattern);
  auto bound = [this, handler = std::move(handler), method, route = route_template(pattern)](
                   const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& content) {
    bool body_read = false;
    const BodyReader reader = [&content, &body_read](const BodySink& sink) {
      body_read = content([&sink](const char* data, std::size_t length) { return sink(std::string_view(data, length)); });
      return body_read;
    };
    const ApiHandler call = [&handler, &reader](const ApiRequest& request) { return handler(request, reader); };
    handle(req, res, call, false, method, route, &nova_error_body, &reader);
    // Answered before the body was read to its end (refused, oversized,
    // broken off): the connection closes lingering.
    const bool has_body = req.has_header("Transfer-Encoding") ||
                          (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0");
    LingeringServer::close_after_reply(/*body_left_unread=*/has_body && !body_read);
  };
  if (method == "PUT") {
    server_->Put(pattern, bound);
  } else if (method == "POST") {
    server_->Post(pattern, bound);
  }
}

bool ApiServer::is_upload_path(const std::string& path) const {
  return std::any_of(upload_patterns_.begin(), upload_patterns_.end(),
                     [&path](const std::regex& re) { return std::regex_match(path, re); });
}

void ApiServer::handle(const httplib::Request& req, httplib::Response& res, const ApiHandler& handler, bool is_public,
                       const std::string& method, const std::string& route, ErrorBodyFormat error_body,
                       const BodyReader* upload) const {
  const auto started = std::chrono::steady_clock::now();
  ApiMetrics& measured = api_metrics();
  measured.in_flight.inc();
  struct InFlight {
    metrics::Gauge& gauge;
    ~InFlight() { gauge.dec(); }
  } in_flight{measured.in_flight};
  ApiRequest request;
  request.method = method;
  request.path = req.path;
  request.request_id = "req-" + common::random_uuid();
  request.base_url = "http://" + (req.has_header("Host") ? req.get_header_value("Host") : std::string("localhost"));
  for (size_t i = 1; i < req.matches.size(); ++i) request.path_params.push_back(req.matches[i].str());
  for (const auto& [k, v] : req.params) request.query.emplace(k, v);
  // Microversions and X-Compute-Request-Id belong to the compute API only;
  // the identity, image and network APIs on the same port have neither.
  const bool is_compute = is_compute_path(req.path);
  for (const auto& [k, v] : req.headers) request.headers[lower(k)] = v;
  if (req.has_header("Content-Type")) request.content_type = req.get_header_value("Content-Type");
  // An upload may answer before its body is read to the end (refused,
  // oversized, broken off): the rest of the stream is not a next request.
  if (upload != nullptr) res.set_header("Connection", "close");
  res.set_header("X-OpenStack-Request-Id", request.request_id);
  if (is_compute) res.set_header("X-Compute-Request-Id", request.request_id);

  auto finish = [&](int status, const nlohmann::json& body) {
    write_json(res, status, body);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    measured.duration.labels({route, method, status_class(status)}).observe(static_cast<double>(micros) / 1e6);
    spdlog::info("{} {} {} {} {:.1f}ms", request.request_id, method, req.path, status, micros / 1000.0);
  };
  auto fail = [&](int status, const std::string& message) { finish(status, error_body(status, message)); };

  if (!is_public) {
    auto auth = authenticator_->authenticate(header(req, "X-Auth-Token"));
    if (!auth.ok()) return fail(401, "The request you have made requires authentication.");
    request.auth = std::move(auth.value());
    // One rule for every call that changes something: readers only look.
    if (method != "GET" && !policy_allows(request.auth, "stratus:write")) {
      spdlog::info("{} policy refused {} {} to reader {}", request.request_id, method, req.path, request.auth.user_id);
      return fail(403, "Policy doesn't allow " + method + " " + req.path + " to be performed by a reader.");
    }
  }

  if (!is_public && is_compute) {
    auto version = negotiate_microversion(header(req, "OpenStack-API-Version"),
                                          header(req, "X-OpenStack-Nova-API-Version"));
    if (!version.ok()) {
      return fail(version.status().is(sdk::StatusCode::kNotSupported) ? 406 : 400, version.status().message());
    }
    request.microversion = *version;
    res.set_header("OpenStack-API-Version", "compute " + request.microversion.to_string());
    res.set_header("X-OpenStack-Nova-API-Version", request.microversion.to_string());
    res.set_header("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version");
  }

  if (upload == nullptr && !req.body.empty()) {
    request.body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (request.body.is_discarded()) return fail(400, "Malformed request body");
  }

  sdk::Result<ApiResponse> response = sdk::Status::Internal("handler did not run");
  try {
    response = handler(request);
  } catch (const std::exception& e) {
    spdlog::error("{} {} {} raised: {}", request.request_id, method, req.path, e.what());
    return fail(500, "Unexpected API Error. Please report this at the Stratus issue tracker.");
  } catch (...) {
    spdlog::error("{} {} {} raised a non-standard exception", request.request_id, method, req.path);
    return fail(500, "Unexpected API Error. Please report this at the Stratus issue tracker.");
  }
  if (!response.ok()) {
    return fail(common::http_status_for(response.status()), response.status().message());
  }
  for (const auto& [k, v] : response->headers) res.set_header(k, v);
  if (response->file) {
    stream_file(res, *response->file);
    response->body = nullptr;
  }
  finish(response->status, response->body);
}

sdk::Result<int> ApiServer::start(const std::string& host, int port) {
  return serve_on_thread(*server_, thread_, host, port, "the API");
}

std::string ApiServer::serve_bytes(std::string_view request) { return server_->serve_bytes(request); }

void ApiServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace stratus::core::api
