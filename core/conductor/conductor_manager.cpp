#include "core/conductor/conductor_manager.h"

#include <map>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/db/allocation_repository.h"
#include "core/db/compute_node_repository.h"
#include "core/db/instance_action_repository.h"
#include "core/db/instance_fault_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/service_repository.h"
#include "core/db/service_version_repository.h"
#include "core/common/time_util.h"
#include "core/rpcapi/instance_message.h"
#include "core/rpcapi/topics.h"

namespace stratus::core::conductor {
namespace {

db::InstanceUpdate to_db_update(const rpcapi::InstanceUpdateMsg& msg) {
  db::InstanceUpdate u;
  u.vm_state = msg.vm_state;
  if (msg.set_task_state) u.task_state = msg.task_state;
  u.power_state = msg.power_state;
  u.host = msg.host;
  u.node = msg.node;
  if (msg.set_launched_at) u.launched_at = std::optional<std::string>(common::utc_now());
  if (!msg.expected_task_state.empty()) {
    std::vector<std::optional<std::string>> expected;
    for (const auto& state : msg.expected_task_state) {
      expected.push_back(state.empty() ? std::nullopt : std::optional<std::string>(state));
    }
    u.expected_task_state = std::move(expected);
  }
  if (!msg.expected_vm_state.empty()) u.expected_vm_state = msg.expected_vm_state;
  u.expected_host = msg.expected_host;
  return u;
}

}  // namespace

ConductorManager::ConductorManager(db::Database& db, const rpcapi::SchedulerRpcApi& scheduler)
    : db_(db), scheduler_(scheduler) {}

sdk::Result<rpcapi::InstanceMsg> ConductorManager::instance_update(const sdk::RequestContext& ctx,
                                                                   const rpcapi::InstanceUpdateMsg& update) {
  auto updated = db::InstanceRepository(db_).update(update.instance_uuid, to_db_update(update));
  if (!updated.ok()) {
    spdlog::info("[{}] instance_update of {} refused: {}", ctx.request_id, update.instance_uuid,
                 updated.status().message());
    return updated.status();
  }
  spdlog::debug("[{}] instance {} now {}/{}", ctx.request_id, update.instance_uuid, updated->vm_state,
                updated->task_state.value_or("None"));
  after_update(ctx, update);
  // The record as the update left it (read back in its transaction): no
  // second read of the instance per task-state step of every build.
  return rpcapi::load_instance_msg(db_, *updated);
}

void ConductorManager::after_update(const sdk::RequestContext& ctx, const rpcapi::InstanceUpdateMsg& update) {
  // An offloaded instance has left its host: its claim goes with it (Nova's
  // shelve offload removes the allocations).
  if (update.vm_state != std::optional<std::string>("shelved_offloaded")) return;
  if (auto s = db::AllocationRepository(db_).release(update.instance_uuid); !s.ok()) {
    spdlog::error("[{}] releasing the claim of offloaded instance {}: {}", ctx.request_id, update.instance_uuid,
                  s.message());
  }
  if (auto s = scheduler_.release(ctx, update.instance_uuid); !s.ok()) {
    spdlog::warn("[{}] telling the schedulers to forget instance {}: {}", ctx.request_id, update.instance_uuid,
                 s.message());
  }
}

namespace {

// Whether the instance stands where the message's last update leaves it.
bool walk_done(db::InstanceRepository& instances, const rpcapi::InstanceStepsMsg& steps) {
  const rpcapi::InstanceUpdateMsg* last = nullptr;
  for (const auto& step : steps.steps) {
    if (!step.is_event) last = &step.update;
  }
  if (last == nullptr) return false;
  auto cur = instances.get(steps.instance_uuid);
  if (!cur.ok()) return false;
  if (last->vm_state && cur->vm_state != *last->vm_state) return false;
  if (last->set_task_state && cur->task_state != last->task_state) return false;
  if (last->host && cur->host != *last->host) return false;
  return !last->expected_host || cur->host == *last->expected_host;
}

}  // namespace

sdk::Status ConductorManager::instance_steps(const sdk::RequestContext& ctx, const rpcapi::InstanceStepsMsg& steps) {
  const std::string& uuid = steps.instance_uuid;
  for (const auto& step : steps.steps) {
    const std::string& of = step.is_event ? step.event.instance_uuid : step.update.instance_uuid;
    if (of != uuid) {
      return sdk::Status::InvalidArgument("instance_steps of " + uuid + " holds a step of instance " + of);
    }
  }
  auto tx = db_.begin_write("instance steps");
  if (!tx.ok()) return tx.status();
  sdk::Status refused;
  std::size_t applied = 0;
  std::optional<db::InstanceRecord> record;  // as the last update left it: read once per walk
  db::InstanceRepository instances(*tx);
  for (const auto& step : steps.steps) {
    if (step.is_event) {
      (void)record_event(*tx, ctx, step.event);  // logged there; the walk goes on, as the compute's would
      ++applied;
      continue;
    }
    // Each update is its own savepoint: a refused guard leaves the steps
    // before it in place, as if each had been its own call.
    auto updated = record ? instances.update_from(std::move(*record), to_db_update(step.update))
                          : instances.update(uuid, to_db_update(step.update));
    if (!updated.ok()) {
      refused = updated.status();
      break;
    }
    record = std::move(updated).value();
    ++applied;
  }
  const bool updated_any = record.has_value();
  // The same message sent again after its reply was lost (a router or
  // conductor restart): its first update is refused because the walk is
  // already done. As a single update already in place succeeds, so does the
  // walk, and nothing (no event) is recorded twice.
  if (!updated_any && refused.is(sdk::StatusCode::kInvalidState) && walk_done(instances, steps)) {
    spdlog::info("[{}] instance_steps of {}: already applied (a message sent again)", ctx.request_id, uuid);
    return sdk::Status::OK();  // the transaction rolls back
  }
  if (auto s = tx->commit(); !s.ok()) return s;
  for (std::size_t i = 0; i < applied; ++i) {
    if (!steps.steps[i].is_event) after_update(ctx, steps.steps[i].update);
  }
  if (!refused.ok()) {
    spdlog::info("[{}] instance_steps of {}: step {} of {} refused: {}", ctx.request_id, uuid, applied + 1,
                 steps.steps.size(), refused.message());
    return refused;
  }
  spdlog::debug("[{}] instance {}: {} step(s) applied", ctx.request_id, uuid, applied);
  return sdk::Status::OK();
}

sdk::Status ConductorManager::instance_fault_create(const sdk::RequestContext& ctx,
                                                    const rpcapi::InstanceFaultMsg& fault) {
  auto added = db::InstanceFaultRepository(db_).add(fault.instance_uuid, fault.code, fault.message, fault.details,
                                                    fault.host);
  if (!added.ok()) return added.status();
  spdlog::info("[{}] fault of instance {} on {}: {}", ctx.request_id, fault.instance_uuid, fault.host,
               fault.message);
  return sdk::Status::OK();
}

sdk::Status ConductorManager::action_event(const sdk::RequestContext& ctx, const rpcapi::ActionEventMsg& event) {
  return record_event(db_, ctx, event);
}

sdk::Status ConductorManager::record_event(db::Scope scope, const sdk::RequestContext& ctx,
                                           const rpcapi::ActionEventMsg& event) {
  db::InstanceActionRepository actions(scope);
  const std::string& request_id = event.request_id.empty() ? ctx.request_id : event.request_id;
  sdk::Status s;
  if (!event.finish) {
    s = actions.start_event(event.instance_uuid, request_id, event.event, event.host);
  } else {
    const bool success = event.result != "Error";
    const std::optional<std::string> details =
        event.details.empty() ? std::nullopt : std::optional<std::string>(event.details);
    s = actions.finish_event(event.instance_uuid, request_id, event.event, success, std::nullopt, details);
    if (s.is(sdk::StatusCode::kNotFound)) {
      // No unfinished event of that name (or no action at all: then the
      // start fails too, with the action's NotFound).
      s = actions.start_event(event.instance_uuid, request_id, event.event, event.host);
      if (s.ok()) s = actions.finish_event(event.instance_uuid, request_id, event.event, success, std::nullopt, details);
    }
  }
  if (!s.ok()) {
    spdlog::warn("[{}] action event {} of instance {} (request {}): {}", ctx.request_id, event.event,
                 event.instance_uuid, request_id, s.message());
  }
  return s;
}

sdk::Result<std::vector<rpcapi::InstanceMsg>> ConductorManager::instance_get_all_by_host(
    const sdk::RequestContext& ctx, const std::string& host) {
  db::InstanceFilter filter;
  filter.host = host;
  auto records = db::InstanceRepository(db_).list(filter);
  if (!records.ok()) return records.status();
  db::PortRepository ports(db_);
  db::NetworkRepository networks(db_);
  std::map<std::string, std::string> network_names;
  std::vector<rpcapi::InstanceMsg> out;
  out.reserve(records->size());
  for (const auto& record : *records) {
    auto instance_ports = ports.list_by_device(record.uuid);
    if (!instance_ports.ok()) return instance_ports.status();
    for (const auto& port : *instance_ports) {
      if (network_names.count(port.network_uuid) != 0) continue;
      auto network = networks.get(port.network_uuid);
      network_names[port.network_uuid] = network.ok() ? network->name : std::string();
    }
    out.push_back(rpcapi::to_instance_msg(record, *instance_ports, network_names));
  }
  spdlog::debug("[{}] {} instance(s) on host {}", ctx.request_id, out.size(), host);
  return out;
}

sdk::Status ConductorManager::instance_destroy(const sdk::RequestContext& ctx, const std::string& instance_uuid) {
  // The instance row, its allocation, group membership and ports go together.
  auto tx = db_.begin_write("destroy instance");
  if (!tx.ok()) return tx.status();
  db::InstanceRepository instances(*tx);
  if (auto s = instances.destroy(instance_uuid); !s.ok()) {
    if (!s.is(sdk::StatusCode::kNotFound)) return s;
    // Already deleted is success (a retried destroy); never known is not.
    auto existing = instances.get(instance_uuid, /*include_deleted=*/true);
    if (!existing.ok()) return existing.status();
  }
  auto freed = db::PortRepository(*tx).remove_by_device(instance_uuid);
  if (!freed.ok()) return freed.status();
  if (auto s = tx->commit(); !s.ok()) return s;
  // The database's allocation went with destroy(); the caches learn it here.
  if (auto s = scheduler_.release(ctx, instance_uuid); !s.ok()) {
    spdlog::warn("[{}] telling the schedulers to forget instance {}: {}", ctx.request_id, instance_uuid, s.message());
  }
  spdlog::info("[{}] instance {} destroyed ({} port(s) freed)", ctx.request_id, instance_uuid, *freed);
  return sdk::Status::OK();
}

sdk::Status ConductorManager::heartbeat_or_register(db::Scope scope, const std::string& rid, const std::string& host,
                                                    const std::string& binary, const std::string& topic) {
  db::ServiceRepository services(scope);
  auto s = services.heartbeat(host, binary);
  if (!s.is(sdk::StatusCode::kNotFound)) return s;
  auto registered = services.register_service(host, binary, topic);
  if (!registered.ok()) return registered.status();
  spdlog::info("[{}] registered service {} on {}", rid, binary, host);
  return services.heartbeat(host, binary);
}

sdk::Result<db::ComputeNodeRecord> ConductorManager::record_report(db::Scope scope, const std::string& rid,
                                                                   const rpcapi::NodeReportMsg& report) {
  auto node = db::ComputeNodeRepository(scope).upsert(report.host, report.resources, report.capabilities);
  if (!node.ok()) {
    spdlog::warn("[{}] compute_node_update from {}: {}", rid, report.host, node.status().message());
    return node.status();
  }
  if (auto s = heartbeat_or_register(scope, rid, report.host, std::string(rpcapi::kComputeBinary),
                                     std::string(rpcapi::kComputeTopic));
      !s.ok()) {
    spdlog::warn("[{}] recording the compute service of {}: {}", rid, report.host, s.message());
    return s;
  }
  return node;
}

sdk::Status ConductorManager::relay_report(const sdk::RequestContext& ctx, const rpcapi::NodeReportMsg& report,
                                           const db::ComputeNodeRecord& node) {
  const std::string& rid = ctx.request_id;
  rpcapi::NodeReportMsg relayed = report;
  relayed.resources.hypervisor_hostname = node.hypervisor_hostname;
  relayed.resources.vcpus_used = node.vcpus_used;
  relayed.resources.memory_mb_used = node.memory_mb_used;
  relayed.resources.local_gb_used = node.local_gb_used;
  relayed.cpu_allocation_ratio = node.cpu_allocation_ratio;
  relayed.ram_allocation_ratio = node.ram_allocation_ratio;
  relayed.disk_allocation_ratio = node.disk_allocation_ratio;
  if (auto s = scheduler_.update_node(ctx, relayed); !s.ok()) {
    spdlog::warn("[{}] relaying the report of {} to the schedulers: {}", rid, report.host, s.message());
    return s;
  }
  spdlog::debug("[{}] compute node {} of {}: {}/{} MB claimed, {} instance(s)", rid, node.hypervisor_hostname,
                report.host, node.memory_mb_used, node.memory_mb, report.instance_uuids.size());
  return sdk::Status::OK();
}

sdk::Status ConductorManager::compute_node_update(const sdk::RequestContext& ctx,
                                                  const rpcapi::NodeReportMsg& report) {
  // The node and its service's heartbeat in one write (a report follows
  // every build that ends, so this is on the boot path).
  auto tx = db_.begin_write("compute node report");
  if (!tx.ok()) return tx.status();
  auto node = record_report(*tx, ctx.request_id, report);
  if (!node.ok()) return node.status();
  if (auto s = tx->commit(); !s.ok()) {
    spdlog::warn("[{}] compute_node_update from {}: {}", ctx.request_id, report.host, s.message());
    return s;
  }
  return relay_report(ctx, report, *node);
}

sdk::Status ConductorManager::record_heartbeat(db::Scope scope, const std::string& rid,
                                               const rpcapi::ServiceMsg& service) {
  if (auto s = heartbeat_or_register(scope, rid, service.host, service.binary, service.topic); !s.ok()) {
    spdlog::warn("[{}] heartbeat of {} on {}: {}", rid, service.binary, service.host, s.message());
    return s;
  }
  // The version it serves, for the clients' [upgrade_levels] auto cap; a
  // service older than the field sends none and serves 1.0.
  const std::string version = service.rpc_version.empty() ? std::string(rpcapi::kBaseVersion) : service.rpc_version;
  if (auto s = db::ServiceVersionRepository(scope).record(service.host, service.binary, version); !s.ok()) {
    spdlog::warn("[{}] recording the RPC version of {} on {}: {}", rid, service.binary, service.host, s.message());
    return s;
  }
  return sdk::Status::OK();
}

sdk::Status ConductorManager::service_heartbeat(const sdk::RequestContext& ctx, const rpcapi::ServiceMsg& service) {
  if (auto s = record_heartbeat(db_, ctx.request_id, service); !s.ok()) return s;
  // Only compute hosts are in the schedulers' caches.
  if (service.binary != rpcapi::kComputeBinary) return sdk::Status::OK();
  return scheduler_.service_heartbeat(ctx, service);
}

// The batches: every host's rows in one transaction (each host in a
// savepoint of its own, so one host's failure leaves the others recorded),
// then the relays to the schedulers, host by host as for a lone host.
std::vector<std::string> ConductorManager::compute_node_update_batch(const sdk::RequestContext& ctx,
                                                                    const rpcapi::NodeReportBatch& batch) {
  std::vector<std::string> failed;
  std::vector<std::pair<const rpcapi::NodeReportMsg*, db::ComputeNodeRecord>> recorded;
  auto tx = db_.begin_write("compute node update batch");
  if (!tx.ok()) {
    spdlog::warn("[{}] compute_node_update_batch of {} host(s): {}", ctx.request_id, batch.reports.size(),
                 tx.status().message());
    for (const auto& report : batch.reports) failed.push_back(report.host);
    return failed;
  }
  for (const rpcapi::NodeReportMsg& report : batch.reports) {
    auto node = record_report(*tx, ctx.request_id, report);
    if (node.ok()) {
      recorded.emplace_back(&report, std::move(node).value());
    } else {
      failed.push_back(report.host);
    }
  }
  if (auto s = tx->commit(); !s.ok()) {
    spdlog::warn("[{}] compute_node_update_batch commit: {}", ctx.request_id, s.message());
    failed.clear();
    for (const auto& report : batch.reports) failed.push_back(report.host);
    return failed;
  }
  for (const auto& [report, node] : recorded) {
    if (!relay_report(ctx, *report, node).ok()) failed.push_back(report->host);
  }
  spdlog::debug("[{}] compute_node_update_batch: {} report(s), {} failed", ctx.request_id, batch.reports.size(),
                failed.size());
  return failed;
}

std::size_t ConductorManager::service_heartbeat_batch(const sdk::RequestContext& ctx,
                                                      const rpcapi::ServiceHeartbeatBatch& batch) {
  std::vector<const rpcapi::ServiceMsg*> recorded;
  {
    auto tx = db_.begin_write("service heartbeat batch");
    if (!tx.ok()) {
      spdlog::warn("[{}] service_heartbeat_batch of {} host(s): {}", ctx.request_id, batch.services.size(),
                   tx.status().message());
      return batch.services.size();
    }
    for (const rpcapi::ServiceMsg& service : batch.services) {
      if (record_heartbeat(*tx, ctx.request_id, service).ok()) recorded.push_back(&service);
    }
    if (auto s = tx->commit(); !s.ok()) {
      spdlog::warn("[{}] service_heartbeat_batch commit: {}", ctx.request_id, s.message());
      return batch.services.size();
    }
  }
  std::size_t failed = batch.services.size() - recorded.size();
  for (const rpcapi::ServiceMsg* service : recorded) {
    // Only compute hosts are in the schedulers' caches.
    if (service->binary == rpcapi::kComputeBinary && !scheduler_.service_heartbeat(ctx, *service).ok()) ++failed;
  }
  spdlog::debug("[{}] service_heartbeat_batch: {} heartbeat(s), {} failed", ctx.request_id, batch.services.size(),
                failed);
  return failed;
}

}  // namespace stratus::core::conductor
