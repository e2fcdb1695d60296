// Where Prometheus scrapes /metrics (docs/operations.md, "Metrics"):
//  - MetricsServer: a listener of its own ([metrics] listen), serving only
//    GET /metrics, without authentication: bind it to an address only the
//    monitoring network reaches (what node exporters and most services do);
//  - add_metrics_route: GET /metrics on the REST API's port, also without
//    authentication, for a deployment that wants one port
//    ([metrics] on_api_port = true).
// Both answer the registry's render() as text/plain; version=0.0.4.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "core/http/api_server.h"
#include "core/metrics/registry.h"
#include "stratus/sdk/result.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace stratus::core::api {

class MetricsServer {
 public:
  // `registry` must outlive the server.
  explicit MetricsServer(const metrics::Registry& registry);
  ~MetricsServer();  // stop()
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds host:port (0 picks a free port) and serves on a thread of its own.
  // Returns the bound port, or kUnavailable naming the address.
  sdk::Result<int> start(const std::string& host, int port);
  // Stops and joins. Idempotent.
  void stop();

 private:
  const metrics::Registry& registry_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

// GET /metrics, public, on `server` (before it starts).
void add_metrics_route(ApiServer& server, const metrics::Registry& registry);

}  // namespace stratus::core::api
