#include "core/http/metrics_server.h"

#include <sstream>

#include <httplib.h>

#include "core/http/serve_thread.h"

namespace stratus::core::api {

MetricsServer::MetricsServer(const metrics::Registry& registry)
    : registry_(registry), server_(std::make_unique<httplib::Server>()) {
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_.render(), metrics::Registry::kContentType);
  });
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) res.set_content("only /metrics is served here\n", "text/plain");
  });
  // A scraper reads one small reply; nothing it sends needs more, and two
  // threads serve a scrape every few seconds.
  server_->set_payload_max_length(64 * 1024);
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
}

MetricsServer::~MetricsServer() { stop(); }

sdk::Result<int> MetricsServer::start(const std::string& host, int port) {
  return serve_on_thread(*server_, thread_, host, port, "/metrics");
}

void MetricsServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void add_metrics_route(ApiServer& server, const metrics::Registry& registry) {
  server.route(
      "GET", "/metrics",
      [&registry](const ApiRequest&) -> sdk::Result<ApiResponse> {
        auto text = std::make_shared<std::istringstream>(registry.render());
        ApiResponse r(200);
        r.file = StreamedBody{text, static_cast<std::uint64_t>(text->str().size()), metrics::Registry::kContentType};
        return r;
      },
      /*is_public=*/true);
}

}  // namespace stratus::core::api
