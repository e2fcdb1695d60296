#include "core/compute/report_batcher.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>

namespace stratus::core::compute {

namespace {

sdk::RequestContext batch_context() { return {rpc::RequestContext::new_request_id(), "", "", {}}; }

}  // namespace

ReportBatcher::ReportBatcher(const rpcapi::ConductorRpcApi& conductor, Options options)
    : conductor_(conductor), options_(options) {
  if (options_.max_batch < 1) options_.max_batch = 1;
  if (!conductor_.can_send_batches()) mode_ = Mode::kOneByOne;
}

void ReportBatcher::heartbeat(rpcapi::ServiceMsg service) {
  std::lock_guard lock(mutex_);
  heartbeats_.push_back(std::move(service));
}

void ReportBatcher::report(rpcapi::NodeReportMsg report, Heard heard) {
  Heard replaced;
  {
    std::lock_guard lock(mutex_);
    auto [at, fresh] = report_index_.try_emplace(report.host, reports_.size());
    if (!fresh) {
      PendingReport& same = reports_[at->second];
      replaced = std::move(same.heard);
      same = PendingReport{std::move(report), std::move(heard)};
    } else {
      reports_.push_back(PendingReport{std::move(report), std::move(heard)});
    }
  }
  if (replaced) replaced(false);
}

bool ReportBatcher::batching() const {
  std::lock_guard lock(mutex_);
  return mode_ != Mode::kOneByOne;
}

std::size_t ReportBatcher::queued() const {
  std::lock_guard lock(mutex_);
  return heartbeats_.size() + reports_.size();
}

void ReportBatcher::send_reports_one_by_one(std::vector<PendingReport>& reports) {
  for (PendingReport& p : reports) {
    const sdk::RequestContext ctx = batch_context();
    sdk::Status st = p.heard ? conductor_.compute_node_update_acked(ctx, p.report, options_.call_timeout)
                             : conductor_.compute_node_update(ctx, p.report);
    if (!st.ok()) spdlog::debug("[{}] compute {}: resource report: {}", ctx.request_id, p.report.host, st.to_string());
    if (p.heard) p.heard(st.ok());
  }
}

std::size_t ReportBatcher::flush() {
  std::lock_guard flushing(flush_mutex_);
  std::vector<rpcapi::ServiceMsg> heartbeats;
  std::vector<PendingReport> reports;
  Mode mode;
  {
    std::lock_guard lock(mutex_);
    heartbeats.swap(heartbeats_);
    reports.swap(reports_);
    report_index_.clear();
    mode = mode_;
  }
  const std::size_t sent = heartbeats.size() + reports.size();
  // Reports first: their answer tells whether batches are understood.
  for (std::size_t begin = 0; begin < reports.size() && mode != Mode::kOneByOne; begin += options_.max_batch) {
    const std::size_t end = std::min(reports.size(), begin + options_.max_batch);
    rpcapi::NodeReportBatch batch;
    batch.reports.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) batch.reports.push_back(reports[i].report);
    const sdk::RequestContext ctx = batch_context();
    auto failed = conductor_.compute_node_update_batch(ctx, batch, options_.call_timeout);
    if (!failed.ok() && failed.status().is(sdk::StatusCode::kNotSupported)) {
      spdlog::info("[{}] the conductor has no batch reports ({}); the hosts report one by one", ctx.request_id,
                   failed.status().message());
      mode = Mode::kOneByOne;
      std::lock_guard lock(mutex_);
      mode_ = Mode::kOneByOne;
      std::vector<PendingReport> rest(std::make_move_iterator(reports.begin() + static_cast<std::ptrdiff_t>(begin)),
                                      std::make_move_iterator(reports.end()));
      reports = std::move(rest);
      break;
    }
    if (!failed.ok()) {
      spdlog::warn("[{}] resource reports of {} host(s) not heard: {}", ctx.request_id, end - begin,
                   failed.status().to_string());
      for (std::size_t i = begin; i < end; ++i) {
        if (reports[i].heard) reports[i].heard(false);
      }
      continue;
    }
    if (mode == Mode::kUnknown) {
      mode = Mode::kBatches;
      std::lock_guard lock(mutex_);
      mode_ = Mode::kBatches;
    }
    const std::unordered_set<std::string> refused(failed->begin(), failed->end());
    if (!refused.empty()) {
      spdlog::warn("[{}] the conductor did not record the resource reports of {} host(s)", ctx.request_id,
                   refused.size());
    }
    for (std::size_t i = begin; i < end; ++i) {
      if (reports[i].heard) reports[i].heard(refused.count(reports[i].report.host) == 0);
    }
  }
  if (mode == Mode::kOneByOne) send_reports_one_by_one(reports);

  if (mode == Mode::kBatches) {
    for (std::size_t begin = 0; begin < heartbeats.size(); begin += options_.max_batch) {
      const std::size_t end = std::min(heartbeats.size(), begin + options_.max_batch);
      rpcapi::ServiceHeartbeatBatch batch;
      batch.services.assign(std::make_move_iterator(heartbeats.begin() + static_cast<std::ptrdiff_t>(begin)),
                            std::make_move_iterator(heartbeats.begin() + static_cast<std::ptrdiff_t>(end)));
      const sdk::RequestContext ctx = batch_context();
      if (sdk::Status st = conductor_.service_heartbeat_batch(ctx, batch); !st.ok()) {
        spdlog::warn("[{}] heartbeats of {} host(s) not sent: {}", ctx.request_id, end - begin, st.to_string());
      }
    }
  } else {
    for (const rpcapi::ServiceMsg& service : heartbeats) {
      const sdk::RequestContext ctx = batch_context();
      if (sdk::Status st = conductor_.service_heartbeat(ctx, service); !st.ok()) {
        spdlog::warn("[{}] compute {}: heartbeat not sent: {}", ctx.request_id, service.host, st.to_string());
      }
    }
  }
  return sent;
}

}  // namespace stratus::core::compute
