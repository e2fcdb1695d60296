#include "core/scheduler/scheduler_service.h"

#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/db/aggregate_repository.h"
#include "core/db/compute_node_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/service_repository.h"
#include "core/rpcapi/messages.h"
#include "core/rpcapi/rpc_status.h"
#include "core/rpcapi/topics.h"
#include "core/db/service_liveness.h"
#include "core/metrics/service_metrics.h"

namespace stratus::core::scheduler {
namespace {

namespace method = rpcapi::scheduler_method;
using rpc::CallInfo;
using rpc::Payload;
using RpcResult = rpc::Result<Payload>;

std::chrono::seconds whole_seconds(double seconds) {
  // HostStateCache counts whole seconds; never round a positive time to 0.
  const auto s = static_cast<std::int64_t>(std::ceil(seconds));
  return std::chrono::seconds(s < 1 ? 1 : s);
}

// A ratio of 0 (or less) in a report means "the receiver's default".
double ratio_or(double ratio, double fallback) { return ratio > 0 ? ratio : fallback; }

std::string join_destinations(const std::vector<Selection>& selections) {
  std::string out;
  for (const auto& s : selections) {
    if (!out.empty()) out += ", ";
    out += s.instance_uuid + " -> " + s.destination.host + "/" + s.destination.nodename;
  }
  return out;
}

rpcapi::DestinationMsg to_msg(const Destination& d) { return {d.host, d.nodename}; }

// The node as the database has it; usage is what is claimed there.
NodeReport report_from_record(const db::ComputeNodeRecord& node) {
  NodeReport r;
  r.host = node.host;
  r.nodename = node.hypervisor_hostname;
  r.resources.hypervisor_hostname = node.hypervisor_hostname;
  r.resources.hypervisor_type = node.hypervisor_type;
  r.resources.hypervisor_version = node.hypervisor_version;
  r.resources.cpu_info = node.cpu_info;
  r.resources.vcpus = node.vcpus;
  r.resources.vcpus_used = node.vcpus_used;
  r.resources.memory_mb = node.memory_mb;
  r.resources.memory_mb_used = node.memory_mb_used;
  r.resources.local_gb = node.local_gb;
  r.resources.local_gb_used = node.local_gb_used;
  r.resources.running_vms = node.running_vms;
  r.allocation_ratios = {node.cpu_allocation_ratio, node.ram_allocation_ratio, node.disk_allocation_ratio};
  // Unknown (not reported since migration 13): nothing declared until the next report.
  r.capabilities = node.capabilities.value_or(sdk::DriverCapabilities{});
  // What the ImagePropertiesFilter matches: without it a restarted scheduler
  // refused every image with an arch or hypervisor type until the next report.
  r.resources.supported_instances = node.supported_instances.value_or(std::vector<sdk::SupportedInstance>{});
  return r;
}

}  // namespace

SchedulerService::SchedulerService(db::Database& db, std::string host, std::chrono::seconds service_down_time,
                                   HostStateCache::Clock clock)
    : db_(db),
      host_(std::move(host)),
      service_down_time_(service_down_time),
      cache_(std::make_unique<HostStateCache>(service_down_time, std::move(clock))),
      claimer_(db) {}

sdk::Result<std::unique_ptr<SchedulerService>> SchedulerService::create(const PluginRegistry& registry,
                                                                        const Config& config, db::Database& db,
                                                                        HostStateCache::Clock clock) {
  SchedulerOptions options;
  options.host_subset_size = static_cast<int>(config.scheduler.host_subset_size);
  options.max_attempts = static_cast<int>(config.scheduler.max_attempts);
  options.service_down_time = whole_seconds(config.service_down_time);
  std::unique_ptr<SchedulerService> service(
      new SchedulerService(db, config.host, options.service_down_time, std::move(clock)));
  auto scheduler = FilterScheduler::from_config(registry, config, *service->cache_, service->claimer_, options);
  if (!scheduler.ok()) return scheduler.status();
  service->scheduler_ = std::move(*scheduler);
  return service;
}

sdk::Status SchedulerService::load_from_database() {
  auto services = db::ServiceRepository(db_).list(std::nullopt, std::string(rpcapi::kComputeBinary));
  if (!services.ok()) return services.status();
  auto nodes = db::ComputeNodeRepository(db_).list();
  if (!nodes.ok()) return nodes.status();
  db::InstanceFilter live;  // every project, not deleted
  auto instances = db::InstanceRepository(db_).list(live);
  if (!instances.ok()) return instances.status();

  std::map<std::string, const db::ServiceRecord*> by_host;
  for (const auto& s : *services) by_host[s.host] = &s;
  std::map<std::string, std::set<std::string>> instances_by_host;
  for (const auto& i : *instances) {
    if (!i.host.empty()) instances_by_host[i.host].insert(i.uuid);
  }

  std::size_t loaded = 0, skipped = 0;
  for (const auto& node : *nodes) {
    auto service = by_host.find(node.host);
    // A report counts as a heartbeat: a node of a down service must stay out
    // of the cache, or it would look up until service_down_time passes.
    if (service == by_host.end() || !db::service_is_up(*service->second, service_down_time_)) {
      ++skipped;
      continue;
    }
    // The flag first, so the node never shows enabled when it is not.
    cache_->set_disabled(node.host, service->second->disabled);
    if (auto s = cache_->update_from_report(report_from_record(node)); !s.ok()) return s;
    ++loaded;
  }
  for (const auto& [host, service] : by_host) {
    if (service->disabled) cache_->set_disabled(host, true);
  }
  for (auto& [host, uuids] : instances_by_host) {
    // kNotFound for hosts left out above: their report brings the list.
    (void)cache_->set_instances(host, std::move(uuids));
  }
  spdlog::info("scheduler {} loaded {} compute node(s) from the database ({} left out as down)", host_, loaded,
               skipped);
  return sdk::Status::OK();
}

sdk::Status SchedulerService::refresh_aggregates() {
  auto all = db::AggregateRepository(db_).list();
  if (!all.ok()) return all.status();
  std::map<std::string, std::vector<sdk::Aggregate>, std::less<>> by_host;
  for (const auto& a : *all) {
    for (const auto& h : a.hosts) by_host[h].push_back(sdk::Aggregate{a.name, a.metadata});
  }
  cache_->set_host_aggregates(std::move(by_host));
  return sdk::Status::OK();
}

sdk::Status SchedulerService::register_on(rpc::Endpoint& endpoint) {
  rpc::Dispatcher d;
  const std::string_view version = rpcapi::kSchedulerVersion;
  std::vector<rpc::Status> added;

  added.push_back(d.add_typed<rpcapi::SelectDestinationsRequest>(
      std::string(method::kSelectDestinations), version,
      [this](const CallInfo& info, rpcapi::SelectDestinationsRequest req) -> RpcResult {
        const std::string& rid = info.context.request_id;
        std::optional<int> max_attempts;
        if (req.max_attempts > 0) max_attempts = req.max_attempts;
        // Aggregates change through the API, not through reports: the
        // request sees them as the database has them now (one read).
        if (auto s = refresh_aggregates(); !s.ok()) {
          spdlog::warn("[{}] reading host aggregates: {}", rid, s.message());
          return rpcapi::to_rpc_error(s);
        }
        const auto select_started = std::chrono::steady_clock::now();
        auto selections = scheduler_->select_destinations(req.spec, req.instance_uuids, max_attempts);
        metrics::observe_select(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - select_started).count(),
            selections.ok()                               ? metrics::SelectOutcome::kOk
            : is_no_valid_host(selections.status()) ? metrics::SelectOutcome::kNoValidHost
                                                          : metrics::SelectOutcome::kError);
        if (!selections.ok()) {
          spdlog::warn("[{}] select_destinations for {} instance(s) of flavor {}: {}", rid, req.instance_uuids.size(),
                       req.spec.flavor.name, selections.status().message());
          return rpcapi::to_rpc_error(selections.status());
        }
        spdlog::info("[{}] select_destinations: {}", rid, join_destinations(*selections));
        std::vector<rpcapi::SelectionMsg> out;
        out.reserve(selections->size());
        for (const auto& s : *selections) {
          rpcapi::SelectionMsg msg{to_msg(s.destination), {}};
          for (const auto& a : s.alternates) msg.alternates.push_back(to_msg(a));
          out.push_back(std::move(msg));
        }
        return Payload::of(out);
      }));

  added.push_back(d.add_typed<rpcapi::ClaimMsg>(
      std::string(method::kClaim), version, [this](const CallInfo& info, rpcapi::ClaimMsg req) -> RpcResult {
        const std::string& rid = info.context.request_id;
        Destination dest{req.destination.host, req.destination.nodename};
        if (auto s = scheduler_->claim(dest, req.instance_uuid, req.flavor); !s.ok()) {
          spdlog::info("[{}] claim of {}/{} for instance {} refused: {}", rid, dest.host, dest.nodename,
                       req.instance_uuid, s.message());
          return rpcapi::to_rpc_error(s);
        }
        spdlog::info("[{}] claimed {}/{} for instance {}", rid, dest.host, dest.nodename, req.instance_uuid);
        return Payload();
      }));

  added.push_back(d.add_typed<rpcapi::InstanceUuidMsg>(
      std::string(method::kRelease), version, [this](const CallInfo& info, rpcapi::InstanceUuidMsg req) -> RpcResult {
        const std::string& rid = info.context.request_id;
        // The sender released the claim in the database before it cast this
        // (see FilterScheduler::forget); only the cache learns it here.
        scheduler_->forget(req.instance_uuid);
        spdlog::info("[{}] forgot the claim of instance {}", rid, req.instance_uuid);
        return Payload();
      }));

  added.push_back(d.add_typed<rpcapi::NodeReportMsg>(
      std::string(method::kUpdateNode), version, [this](const CallInfo& info, rpcapi::NodeReportMsg req) -> RpcResult {
        const std::string& rid = info.context.request_id;
        const AllocationRatios defaults;
        NodeReport report;
        report.host = req.host;
        report.nodename = req.resources.hypervisor_hostname;
        report.resources = req.resources;
        report.allocation_ratios = {ratio_or(req.cpu_allocation_ratio, defaults.cpu),
                                    ratio_or(req.ram_allocation_ratio, defaults.ram),
                                    ratio_or(req.disk_allocation_ratio, defaults.disk)};
        report.availability_zone = req.availability_zone.empty() ? "nova" : req.availability_zone;
        report.capabilities = req.capabilities;
        if (auto s = cache_->update_from_report(report); !s.ok()) {
          spdlog::warn("[{}] update_node from {}: {}", rid, req.host, s.message());
          return rpcapi::to_rpc_error(s);
        }
        const std::size_t count = req.instance_uuids.size();
        (void)cache_->set_instances(req.host, std::set<std::string>(std::make_move_iterator(req.instance_uuids.begin()),
                                                                    std::make_move_iterator(req.instance_uuids.end())));
        spdlog::debug("[{}] update_node {}/{}: {} MB RAM, {} MB used, {} instance(s)", rid, req.host,
                      report.resources.hypervisor_hostname, report.resources.memory_mb,
                      report.resources.memory_mb_used, count);
        return Payload();
      }));

  added.push_back(d.add_typed<rpcapi::ServiceMsg>(
      std::string(method::kServiceHeartbeat), version, [this](const CallInfo& info, rpcapi::ServiceMsg req) -> RpcResult {
        cache_->heartbeat(req.host);
        spdlog::trace("[{}] heartbeat of {} {}", info.context.request_id, req.binary, req.host);
        return Payload();
      }));

  added.push_back(d.add_typed<rpcapi::ServiceMsg>(
      std::string(method::kServiceSetDisabled), version,
      [this](const CallInfo& info, rpcapi::ServiceMsg req) -> RpcResult {
        cache_->set_disabled(req.host, req.disabled);
        spdlog::info("[{}] compute service {} {}", info.context.request_id, req.host,
                     req.disabled ? "disabled" : "enabled");
        return Payload();
      }));

  for (const auto& s : added) {
    if (!s.ok()) return sdk::Status::Internal("scheduler dispatcher: " + s.error().to_string());
  }
  if (rpc::Status s = endpoint.serve(std::string(rpcapi::kSchedulerTopic), host_, std::move(d)); !s.ok()) {
    return sdk::Status::InvalidState("serving topic scheduler on " + host_ + ": " + s.error().to_string());
  }
  return sdk::Status::OK();
}

}  // namespace stratus::core::scheduler
