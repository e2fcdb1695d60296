// ComputeAPI: a server's ports (Nova's os-interface and the multinic
// actions) and crash dumps. The API owns the database: it makes or binds
// the port, then asks the instance's host (a call, compute RPC 1.3) to plug
// it; a host that refuses or fails gets the port given back, so nothing is
// left half done. Detach asks the host to unplug first, then frees the port.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/compute/api/compute_api.h"
#include "core/compute/api/port_quota.h"
#include "core/compute/api/instance_state_check.h"
#include "core/compute/instance_states.h"
#include "core/db/instance_action_repository.h"
#include "core/db/ipv4_address.h"
#include "core/db/network_repository.h"
#include "core/db/security_group_repository.h"
#include "core/db/seed.h"
#include "core/network/port_security.h"
#include "core/network/security_group_membership.h"
#include "core/rpcapi/instance_message.h"

namespace stratus::core::compute {

using sdk::Result;
using sdk::Status;
using sdk::StatusCode;

namespace {

// Nova's check_instance_state of attach_interface and detach_interface.
const StateCheck kInterfaceStates{{vm_state::kActive, vm_state::kPaused, vm_state::kStopped}};
// ... and of trigger_crash_dump (vm_states.ALLOW_TRIGGER_CRASH_DUMP).
const StateCheck kCrashDumpStates{{vm_state::kActive, vm_state::kPaused, "rescued", "resized", vm_state::kError}};

Status port_not_found(const std::string& port_id) { return Status::NotFound("Port id " + port_id + " could not be found."); }

Status not_a_port_of(const std::string& uuid, const std::string& port_id) {
  return Status::NotFound("Instance " + uuid + " does not have a port with id " + port_id);
}

bool usable_by(const db::NetworkRecord& net, const ComputeContext& ctx) {
  return net.shared || net.project_id.empty() || net.project_id == ctx.request.project_id || ctx.is_admin;
}

// The port as the driver plugs it.
sdk::Vif to_vif(const db::PortRecord& port, const std::string& network_name) {
  sdk::Vif vif;
  vif.id = port.uuid;
  vif.address = port.mac_address;
  vif.network_id = port.network_uuid;
  vif.network_name = network_name;
  if (!port.ip_address.empty()) vif.fixed_ips.push_back(port.ip_address);
  return vif;
}

}  // namespace

void ComputeAPI::finish_action(const ComputeContext& ctx, const std::string& uuid, const Status& result) {
  db::InstanceActionRepository actions(db_);
  if (result.ok()) {
    (void)actions.finish(uuid, ctx.request.request_id);
  } else {
    (void)actions.finish(uuid, ctx.request.request_id, std::string("Error"));
  }
}

Result<std::vector<db::PortRecord>> ComputeAPI::list_interfaces(const ComputeContext& ctx, const std::string& uuid) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  return db::PortRepository(db_).list_by_device(uuid);
}

Result<db::PortRecord> ComputeAPI::get_interface(const ComputeContext& ctx, const std::string& uuid,
                                                 const std::string& port_id) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  auto port = db::PortRepository(db_).get(port_id);
  if (!port.ok()) return port.status().is(StatusCode::kNotFound) ? port_not_found(port_id) : port.status();
  if (port->device_id != uuid) return not_a_port_of(uuid, port_id);
  return port;
}

Result<db::InstanceRecord> ComputeAPI::interface_target(const ComputeContext& ctx, const std::string& uuid,
                                                        const char* action) {
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  if (instance->locked && !ctx.is_admin) return Status::InvalidState("Instance " + uuid + " is locked");
  if (Status s = check_instance_state(*instance, kInterfaceStates, action); !s.ok()) return s;
  if (instance->host.empty()) return Status::InvalidState("Instance " + uuid + " is not ready");
  if (!host_is_up(instance->host)) {
    return Status::InvalidState("Cannot '" + std::string(action) + "' instance " + uuid +
                                ": the compute service of host " + instance->host + " is down");
  }
  return instance;
}

Result<db::PortRecord> ComputeAPI::attach_interface(const ComputeContext& ctx, const std::string& uuid,
                                                    const InterfaceAttachRequest& req) {
  const std::string& rid = ctx.request.request_id;
  if (req.network_id && req.port_id) return Status::InvalidArgument("Must not input both network_id and port_id");
  if (req.fixed_ip && !req.network_id) return Status::InvalidArgument("Must input network_id when request IP address");
  auto instance = interface_target(ctx, uuid, "attach_interface");
  if (!instance.ok()) return instance.status();
  // Nova's NetworkInterfaceTaggedAttachNotSupported: no driver here tags
  // devices for the guest (there is no device metadata to read them from).
  if (req.tag) return Status::InvalidArgument("Tagged network interface attachments are not supported.");

  // Which network, or which port, before anything changes.
  db::NetworkRepository networks(db_);
  std::string network_id;
  if (req.network_id) {
    auto net = networks.get(*req.network_id);
    if (!net.ok() || !usable_by(*net, ctx)) {
      if (net.ok() || net.status().is(StatusCode::kNotFound)) {
        return Status::NotFound("Network " + *req.network_id + " could not be found.");
      }
      return net.status();
    }
    if (req.fixed_ip && !db::parse_ipv4(*req.fixed_ip).ok()) {
      return Status::InvalidArgument(*req.fixed_ip + " is not a valid IP v4/6 address.");
    }
    network_id = net->uuid;
  } else if (!req.port_id) {
    // Nova allocates on the project's available network: none is
    // InterfaceAttachFailedNoNetwork, several NetworkAmbiguous (both 400);
    // among several the cloud's default network is taken, as create does.
    auto all = networks.list(ctx.request.project_id);
    if (!all.ok()) return all.status();
    std::vector<std::string> usable;
    for (const auto& n : *all) {
      if (usable_by(n, ctx) && !n.router_external) usable.push_back(n.uuid);
    }
    if (usable.empty()) {
      return Status::InvalidArgument("No specific network was requested and none are available for project '" +
                                     instance->project_id + "'.");
    }
    if (usable.size() > 1 && std::find(usable.begin(), usable.end(), db::kDefaultNetworkUuid) == usable.end()) {
      return Status::InvalidArgument(
          "More than one possible network found. Specify network ID(s) to select which one(s) to connect to.");
    }
    network_id = usable.size() == 1 ? usable[0] : std::string(db::kDefaultNetworkUuid);
  }

  record_action(ctx, uuid, "attach_interface");
  // The port: made on the network (with the project's default security
  // groups, as a boot does), or the user's free port bound to the instance.
  db::PortRecord port;
  const bool made = !req.port_id;
  if (made) {
    auto tx = db_.begin_write("attach interface");
    if (!tx.ok()) return tx.status();
    // Nova: a port past the project's Neutron quota is 403 PortLimitExceeded.
    if (Status s = check_port_quota(*tx, instance->project_id, 1); !s.ok()) {
      finish_action(ctx, uuid, s);
      return s;
    }
    auto created = db::PortRepository(*tx).create(network_id, uuid, req.fixed_ip);
    Status failed = created.ok() ? Status::OK() : created.status();
    if (created.ok()) {
      auto groups = network::resolve_server_security_groups(*tx, instance->project_id, {});
      failed = groups.ok() ? db::SecurityGroupRepository(*tx).set_port_groups(created->uuid, *groups) : groups.status();
    }
    if (failed.ok()) failed = tx->commit();
    if (!failed.ok()) {
      finish_action(ctx, uuid, failed);
      if (failed.is(StatusCode::kNotFound)) return Status::NotFound("Network " + network_id + " could not be found.");
      if (failed.is(StatusCode::kConflict)) {
        // A requested address that is taken (Nova's FixedIpAlreadyInUse,
        // 409), or none left (NoMoreFixedIps, 400).
        if (req.fixed_ip) {
          return Status::Conflict("Fixed IP address " + *req.fixed_ip + " is already in use on instance " + uuid + ".");
        }
        return Status::InvalidArgument("No fixed IP addresses available for network: " + network_id);
      }
      return failed;
    }
    port = std::move(created).value();
  } else {
    db::PortRepository ports(db_);
    auto found = ports.get(*req.port_id);
    if (!found.ok()) {
      finish_action(ctx, uuid, found.status());
      return found.status().is(StatusCode::kNotFound) ? port_not_found(*req.port_id) : found.status();
    }
    // Nova's PortNotUsable: another project's port.
    if (!found->project_id.empty() && found->project_id != instance->project_id) {
      finish_action(ctx, uuid, Status::InvalidArgument("not usable"));
      return Status::InvalidArgument("Port " + *req.port_id + " not usable for instance " + uuid + ".");
    }
    if (Status s = ports.bind(*req.port_id, uuid); !s.ok()) {
      finish_action(ctx, uuid, s);
      if (s.is(StatusCode::kNotFound)) return port_not_found(*req.port_id);
      return s;  // kConflict "Port X is still in use." (Nova's PortInUse, 409)
    }
    auto bound = ports.get(*req.port_id);
    if (!bound.ok()) return bound.status();
    port = std::move(bound).value();
  }

  // Plug it on the host, with the rules of every port the instance now has.
  Status plugged = [&]() -> Status {
    auto msg = rpcapi::load_instance_msg(db_, uuid);
    if (!msg.ok()) return msg.status();
    auto rules = network::port_security_for_instance(db_, uuid);
    if (!rules.ok()) return rules.status();
    auto net = networks.get(port.network_uuid);
    rpcapi::InterfaceRequest request{*msg, to_vif(port, net.ok() ? net->name : std::string()), *rules};
    return compute_.attach_interface(ctx.request, request);
  }();
  if (!plugged.ok()) {
    // Give the port back as it was before the request.
    db::PortRepository ports(db_);
    const Status undone = made ? ports.remove(port.uuid) : ports.unbind(port.uuid, uuid);
    if (!undone.ok()) {
      spdlog::error("[{}] instance {}: port {} could not be given back after a failed attach: {}", rid, uuid,
                    port.uuid, undone.to_string());
    }
    finish_action(ctx, uuid, plugged);
    spdlog::warn("[{}] attach_interface of instance {} on {}: {}", rid, uuid, instance->host, plugged.to_string());
    if (plugged.is(StatusCode::kNotSupported)) {
      return Status::InvalidArgument("Attaching interfaces is not supported for instance " + uuid + ".");
    }
    if (plugged.is(StatusCode::kInvalidState)) {
      return Status::InvalidState("Cannot 'attach_interface' instance " + uuid + ": " + plugged.message());
    }
    return Status::Internal("Failed to attach network adapter device to " + uuid);
  }
  finish_action(ctx, uuid, plugged);
  spdlog::info("[{}] instance {}: port {} ({}) attached on {}", rid, uuid, port.uuid, port.ip_address,
               instance->host);
  return db::PortRepository(db_).get(port.uuid);
}

Status ComputeAPI::detach_interface(const ComputeContext& ctx, const std::string& uuid, const std::string& port_id) {
  const std::string& rid = ctx.request.request_id;
  auto instance = interface_target(ctx, uuid, "detach_interface");
  if (!instance.ok()) return instance.status();
  auto port = db::PortRepository(db_).get(port_id);
  if (!port.ok()) return port.status().is(StatusCode::kNotFound) ? port_not_found(port_id) : port.status();
  if (port->device_id != uuid) return not_a_port_of(uuid, port_id);

  record_action(ctx, uuid, "detach_interface");
  Status unplugged = [&]() -> Status {
    auto msg = rpcapi::load_instance_msg(db_, uuid);
    if (!msg.ok()) return msg.status();
    auto rules = network::port_security_for_instance(db_, uuid);
    if (!rules.ok()) return rules.status();
    rules->erase(std::remove_if(rules->begin(), rules->end(),
                                [&](const sdk::PortSecurity& p) { return p.port_id == port_id; }),
                 rules->end());
    sdk::Vif vif;
    for (const auto& v : msg->network_info) {
      if (v.id == port_id) vif = v;
    }
    return compute_.detach_interface(ctx.request, rpcapi::InterfaceRequest{*msg, vif, *rules});
  }();
  if (!unplugged.ok()) {
    finish_action(ctx, uuid, unplugged);
    spdlog::warn("[{}] detach_interface of port {} from instance {}: {}", rid, port_id, uuid, unplugged.to_string());
    if (unplugged.is(StatusCode::kNotSupported)) {
      return Status::NotSupported("The requested functionality is not supported: detaching interfaces from instance " +
                                  uuid + ".");
    }
    if (unplugged.is(StatusCode::kInvalidState)) {
      return Status::InvalidState("Cannot 'detach_interface' instance " + uuid + ": " + unplugged.message());
    }
    return Status::InvalidArgument("Failed to detach network adapter device from " + uuid);
  }
  // A port the server made goes with the attachment, as Nova deletes the
  // ports it made; a user's port (POST /ports) is only unbound.
  Status freed = port->preserve_on_delete ? db::PortRepository(db_).unbind(port_id, uuid)
                                          : db::PortRepository(db_).remove(port_id);
  if (!freed.ok() && !freed.is(StatusCode::kNotFound)) {
    finish_action(ctx, uuid, freed);
    return freed;
  }
  finish_action(ctx, uuid, Status::OK());
  spdlog::info("[{}] instance {}: port {} detached from {}", rid, uuid, port_id, instance->host);
  return Status::OK();
}

Status ComputeAPI::add_fixed_ip(const ComputeContext& ctx, const std::string& uuid, const std::string& network_id) {
  InterfaceAttachRequest req;
  req.network_id = network_id;
  auto port = attach_interface(ctx, uuid, req);
  return port.ok() ? Status::OK() : port.status();
}

Status ComputeAPI::remove_fixed_ip(const ComputeContext& ctx, const std::string& uuid, const std::string& address) {
  auto ports = list_interfaces(ctx, uuid);
  if (!ports.ok()) return ports.status();
  for (const auto& p : *ports) {
    if (p.ip_address == address) return detach_interface(ctx, uuid, p.uuid);
  }
  // Nova's FixedIpNotFoundForInstance, answered 400 by the multinic controller.
  return Status::InvalidArgument("Instance " + uuid + " does not have fixed IP '" + address + "'.");
}

Status ComputeAPI::trigger_crash_dump(const ComputeContext& ctx, const std::string& uuid) {
  const std::string& rid = ctx.request.request_id;
  auto instance = get(ctx, uuid);
  if (!instance.ok()) return instance.status();
  if (instance->locked && !ctx.is_admin) return Status::InvalidState("Instance " + uuid + " is locked");
  // Nova's @check_instance_host (InstanceNotReady, 409), then the states.
  if (instance->host.empty()) return Status::InvalidState("Instance " + uuid + " is not ready");
  if (Status s = check_instance_state(*instance, kCrashDumpStates, "trigger_crash_dump"); !s.ok()) return s;
  if (!host_is_up(instance->host)) {
    return Status::InvalidState("Cannot 'trigger_crash_dump' instance " + uuid + ": the compute service of host " +
                                instance->host + " is down");
  }
  record_action(ctx, uuid, "trigger_crash_dump");
  auto msg = rpcapi::load_instance_msg(db_, uuid);
  Status done = msg.ok() ? compute_.trigger_crash_dump(ctx.request, *msg) : msg.status();
  finish_action(ctx, uuid, done);
  if (done.ok()) {
    spdlog::info("[{}] instance {}: crash dump triggered on {}", rid, uuid, instance->host);
    return done;
  }
  spdlog::warn("[{}] trigger_crash_dump of instance {} on {}: {}", rid, uuid, instance->host, done.to_string());
  // Nova's TriggerCrashDumpNotSupported (400) and InstanceNotRunning (409).
  if (done.is(StatusCode::kNotSupported)) return Status::InvalidArgument("Triggering crash dump is not supported");
  if (done.is(StatusCode::kInvalidState)) return Status::InvalidState("Instance " + uuid + " is not running.");
  return Status::Unavailable("Cannot 'trigger_crash_dump' instance " + uuid + ": compute host " + instance->host +
                             " did not do it (" + done.message() + ")");
}

}  // namespace stratus::core::compute
