// ComputeClient: a small, typed HTTP client for the Compute API (Nova v2.1
// shapes), used by the `stratus server|flavor|hypervisor|service` commands.
//
// Every call returns the decoded JSON body or a Status whose message is what
// a user should read:
//   - an API error, decoded from Nova's format
//     {"badRequest": {"code": 400, "message": "Invalid input ..."}}, reads
//     "400 Invalid input ..."; the code maps 404 -> kNotFound, 409 ->
//     kConflict, 400/413/422 -> kInvalidArgument, 406/501 -> kNotSupported,
//     503 -> kUnavailable, 401/403 -> kInvalidState, anything else kInternal;
//   - a transport failure names the URL ("cannot connect to
//     http://127.0.0.1:8774/v2.1: connection refused ...") with kUnavailable,
//     or kTimeout when the server did not answer in time.
// No call throws.
//
// Thread safety: one ComputeClient per thread (it keeps one keep-alive
// connection). Every call blocks for at most the request timeout.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "stratus/sdk/result.h"

namespace httplib {
class Client;
}

namespace stratus::core::client {

inline constexpr const char* kDefaultComputeUrl = "http://127.0.0.1:8774/v2.1";

struct ClientOptions {
  std::string compute_url = kDefaultComputeUrl;  // --os-compute-url / $STRATUS_URL
  std::optional<std::string> token;              // --os-token / $STRATUS_TOKEN: X-Auth-Token
  std::chrono::milliseconds timeout{300'000};    // --timeout: each request, and a whole --wait
  std::string microversion = "2.1";              // --os-compute-api-version
};

// Query parameters, in order; values are percent-encoded by the client.
using Query = std::vector<std::pair<std::string, std::string>>;

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(const std::string& text);

// A parsed compute URL: "http://host:8774/v2.1" -> {"http://host:8774", "/v2.1"}.
struct ComputeUrl {
  std::string scheme_host_port;
  std::string path_prefix;  // no trailing slash; may be empty
};
// kInvalidArgument for anything but http(s)://host[:port][/path].
sdk::Result<ComputeUrl> parse_compute_url(const std::string& url);

// "400 Invalid input ..." from a Nova error body; falls back to the body text,
// then to the HTTP reason phrase.
std::string decode_nova_error(int http_status, const std::string& body);

class ComputeClient {
 public:
  // kInvalidArgument if the URL cannot be used.
  static sdk::Result<std::unique_ptr<ComputeClient>> create(ClientOptions options);
  ~ComputeClient();
  ComputeClient(const ComputeClient&) = delete;
  ComputeClient& operator=(const ComputeClient&) = delete;

  const ClientOptions& options() const { return options_; }

  // `path` is relative to the compute URL ("/servers/detail"). A 2xx reply with
  // no body gives a null json. `microversion` overrides the configured one for
  // this request only.
  sdk::Result<nlohmann::json> get(const std::string& path, const Query& query = {});
  sdk::Result<nlohmann::json> post(const std::string& path, const nlohmann::json& body,
                                   const std::optional<std::string>& microversion = std::nullopt);
  sdk::Result<nlohmann::json> del(const std::string& path);

  // GET a collection and follow Nova's "<key>_links" rel=next pagination
  // (at most `max_pages` pages); returns the items of every page.
  sdk::Result<std::vector<nlohmann::json>> list_all(const std::string& path, const std::string& key, Query query = {},
                                                    int max_pages = 100);

  // Caps the time a single request may take (the wait loop lowers it to the
  // time it has left); never above options().timeout.
  void set_request_timeout(std::chrono::milliseconds timeout);

 private:
  ComputeClient(ClientOptions options, ComputeUrl url);
  sdk::Result<nlohmann::json> send(const std::string& method, const std::string& path, const Query& query,
                                   const nlohmann::json* body, const std::optional<std::string>& microversion);

  ClientOptions options_;
  ComputeUrl url_;
  std::unique_ptr<httplib::Client> http_;
  std::chrono::milliseconds request_timeout_;
};

}  // namespace stratus::core::client
