#include "core/node/service_reporter.h"

#include <spdlog/spdlog.h>

#include "core/db/service_repository.h"
#include "core/db/service_version_repository.h"

namespace stratus::core::node {

ServiceReporter::ServiceReporter(db::Database& db, ServiceIdentity identity, std::chrono::milliseconds report_interval)
    : db_(db), id_(std::move(identity)), interval_(report_interval) {}

ServiceReporter::~ServiceReporter() { stop(); }

sdk::Status ServiceReporter::start() {
  auto registered = db::ServiceRepository(db_).register_service(id_.host, id_.binary, id_.topic);
  if (!registered.ok()) return registered.status();
  if (auto s = db::ServiceVersionRepository(db_).record(id_.host, id_.binary, id_.rpc_version); !s.ok()) return s;
  if (auto s = report_once(); !s.ok()) return s;
  spdlog::info("service {} on {} registered (id {}, RPC {}), reporting every {} ms", id_.binary, id_.host,
               registered->id, id_.rpc_version, interval_.count());
  if (interval_.count() <= 0 || thread_.joinable()) return sdk::Status::OK();
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      (void)report_once();
      lock.lock();
    }
  });
  return sdk::Status::OK();
}

void ServiceReporter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

sdk::Status ServiceReporter::report_once() {
  sdk::Status s = db::ServiceRepository(db_).heartbeat(id_.host, id_.binary);
  std::lock_guard lock(mutex_);
  if (s.is(sdk::StatusCode::kNotFound)) {
    if (!record_gone_) {
      // Nova's words (servicegroup/drivers/db.py): the row was deleted
      // through the API while the process runs.
      spdlog::error("The services table record for the {} service on host {} is gone. You either need to stop "
                    "this service if it should be deleted or restart it to recreate the record in the database.",
                    id_.binary, id_.host);
    }
    record_gone_ = true;
    return s;
  }
  if (!s.ok()) {
    spdlog::warn("heartbeat of {} on {}: {}", id_.binary, id_.host, s.message());
    return s;
  }
  if (record_gone_) spdlog::info("service {} on {}: its record is back; reporting again", id_.binary, id_.host);
  record_gone_ = false;
  return s;
}

}  // namespace stratus::core::node
