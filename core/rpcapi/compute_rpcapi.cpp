#include "core/rpcapi/compute_rpcapi.h"

#include <spdlog/spdlog.h>

#include "core/rpcapi/rpc_call.h"
#include "core/rpcapi/topics.h"

namespace stratus::core::rpcapi {

ComputeRpcApi::ComputeRpcApi(rpc::Endpoint& endpoint, std::chrono::milliseconds call_timeout, VersionCap cap)
    : endpoint_(&endpoint), cap_(std::move(cap)), call_timeout_(call_timeout) {}

rpc::Client ComputeRpcApi::to_host(const std::string& host) const {
  return rpc::Client(*endpoint_,
                     rpc::Target{.topic = std::string(kComputeTopic), .server = host,
                                 .version = std::string(kBaseVersion)},
                     current_cap(cap_));
}

sdk::Status ComputeRpcApi::cast_action(const sdk::RequestContext& ctx, std::string_view method,
                                       const InstanceMsg& instance) const {
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to send " +
                                     std::string(method) + " to");
  }
  return typed_cast(to_host(instance.instance.host), ctx, method, InstanceActionRequest{instance});
}

sdk::Status ComputeRpcApi::build_and_run_instance(const sdk::RequestContext& ctx, const std::string& host,
                                                  const BuildAndRunRequest& request) const {
  const rpc::Client client = to_host(host);
  const std::string_view newest = compute_version::kBuildAndRunWithInjection;
  if (client.can_send_version(newest)) {
    return typed_cast(client.prepare("", std::string(newest)), ctx, compute_method::kBuildAndRunInstance, request);
  }
  // Backport to 1.0: what an older host cannot do is refused (a guest
  // booted without its files or password would look fine and be wrong), or
  // dropped where the next refresh repairs it.
  const std::string uuid = request.instance.instance.uuid;
  if (!request.injection.files.empty() || !request.injection.admin_password.empty()) {
    return sdk::Status::NotSupported(
        "build_and_run_instance of " + uuid + " on " + host + ": personality files and an admin password need compute RPC " +
        std::string(newest) + ", but compute RPC is capped at " + current_cap(cap_) +
        " ([upgrade_levels] compute) while an older compute service is live");
  }
  if (!request.port_security.empty()) {
    spdlog::warn("[{}] build_and_run_instance of {} on {}: compute RPC capped at {}, port rules not sent "
                 "(the host enforces them from the next refresh)",
                 ctx.request_id, uuid, host, current_cap(cap_));
  }
  const BuildAndRunRequestV1_0 old{request.instance, request.image, request.spec, request.block_device_info,
                                   request.alternates, request.attempt};
  return typed_cast(client.prepare("", std::string(kBaseVersion)), ctx, compute_method::kBuildAndRunInstance, old);
}

sdk::Status ComputeRpcApi::terminate_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  return cast_action(ctx, compute_method::kTerminateInstance, instance);
}

sdk::Status ComputeRpcApi::reboot_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance,
                                           std::string reboot_type) const {
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to reboot on");
  }
  return typed_cast(to_host(instance.instance.host), ctx, compute_method::kRebootInstance,
                    RebootRequest{instance, std::move(reboot_type)});
}

sdk::Status ComputeRpcApi::stop_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  return cast_action(ctx, compute_method::kStopInstance, instance);
}
sdk::Status ComputeRpcApi::start_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  return cast_action(ctx, compute_method::kStartInstance, instance);
}
sdk::Status ComputeRpcApi::pause_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  return cast_action(ctx, compute_method::kPauseInstance, instance);
}
sdk::Status ComputeRpcApi::unpause_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  return cast_action(ctx, compute_method::kUnpauseInstance, instance);
}
sdk::Status ComputeRpcApi::suspend_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  return cast_action(ctx, compute_method::kSuspendInstance, instance);
}
sdk::Status ComputeRpcApi::resume_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  return cast_action(ctx, compute_method::kResumeInstance, instance);
}
sdk::Status ComputeRpcApi::soft_delete_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  return cast_action(ctx, compute_method::kSoftDeleteInstance, instance);
}
sdk::Status ComputeRpcApi::restore_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  return cast_action(ctx, compute_method::kRestoreInstance, instance);
}

sdk::Status ComputeRpcApi::rebuild_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance,
                                            const sdk::ImageMeta& image, const GuestInjection& injection) const {
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to rebuild on");
  }
  return typed_cast(to_host(instance.instance.host), ctx, compute_method::kRebuildInstance,
                    RebuildRequest{instance, image, injection});
}

sdk::Result<std::string> ComputeRpcApi::get_console_output(const sdk::RequestContext& ctx,
                                                           const InstanceMsg& instance,
                                                           std::int32_t tail_length) const {
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to read a console from");
  }
  return typed_call<std::string>(to_host(instance.instance.host), ctx, compute_method::kGetConsoleOutput,
                                 ConsoleOutputRequest{instance, tail_length}, call_timeout_);
}

sdk::Result<sdk::Diagnostics> ComputeRpcApi::get_diagnostics(const sdk::RequestContext& ctx,
                                                             const InstanceMsg& instance) const {
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to ask for diagnostics");
  }
  return typed_call<sdk::Diagnostics>(to_host(instance.instance.host), ctx, compute_method::kGetDiagnostics,
                                      DiagnosticsRequest{instance}, call_timeout_);
}

sdk::Status ComputeRpcApi::refresh_security_groups(const sdk::RequestContext& ctx, const std::string& host,
                                                   const std::string& instance_uuid,
                                                   const std::vector<sdk::PortSecurity>& ports) const {
  if (host.empty() || instance_uuid.empty()) {
    return sdk::Status::InvalidArgument("refresh_security_groups needs a host and an instance uuid");
  }
  return typed_cast(to_host(host), ctx, compute_method::kRefreshSecurityGroups,
                    RefreshSecurityGroupsRequest{instance_uuid, ports});
}

sdk::Result<std::string> ComputeRpcApi::get_host_uptime(const sdk::RequestContext& ctx, const std::string& host) const {
  return typed_call<std::string>(to_host(host), ctx, compute_method::kGetHostUptime, HostUptimeRequest{host},
                                 call_timeout_);
}

// The methods of compute RPC 1.2 (createImage and shelving): a host capped
// below it has no such method, so the request is refused here, by name,
// rather than lost on the host.
sdk::Result<rpc::Client> ComputeRpcApi::client_for_shelving(const std::string& host, std::string_view method) const {
  return client_for_version(host, method, compute_version::kSnapshotAndShelve);
}

// Compute RPC 1.3: attach_interface, detach_interface, trigger_crash_dump.
sdk::Result<rpc::Client> ComputeRpcApi::client_for_interfaces(const std::string& host, std::string_view method) const {
  return client_for_version(host, method, compute_version::kInterfacesAndCrashDump);
}

sdk::Result<rpc::Client> ComputeRpcApi::client_for_version(const std::string& host, std::string_view method,
                                                           std::string_view needed) const {
  const rpc::Client client = to_host(host);
  if (!client.can_send_version(needed)) {
    return sdk::Status::NotSupported(std::string(method) + " on " + host + " needs compute RPC " + std::string(needed) +
                                     ", but compute RPC is capped at " + current_cap(cap_) +
                                     " ([upgrade_levels] compute) while an older compute service is live");
  }
  return client.prepare("", std::string(needed));
}

sdk::Status ComputeRpcApi::snapshot_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance,
                                             const sdk::ImageMeta& image) const {
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to snapshot on");
  }
  auto client = client_for_shelving(instance.instance.host, compute_method::kSnapshotInstance);
  if (!client.ok()) return client.status();
  return typed_cast(*client, ctx, compute_method::kSnapshotInstance, SnapshotRequest{instance, image});
}

sdk::Status ComputeRpcApi::backup_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance,
                                           const sdk::ImageMeta& image, const std::string& backup_type,
                                           std::int64_t rotation) const {
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to back up on");
  }
  auto client = client_for_version(instance.instance.host, "createBackup (snapshot_instance with a rotation)",
                                   compute_version::kBackup);
  if (!client.ok()) return client.status();
  SnapshotRequest request{instance, image, true, backup_type, rotation};
  return typed_cast(*client, ctx, compute_method::kSnapshotInstance, request);
}

sdk::Status ComputeRpcApi::shelve_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance,
                                           const sdk::ImageMeta& image) const {
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to shelve on");
  }
  auto client = client_for_shelving(instance.instance.host, compute_method::kShelveInstance);
  if (!client.ok()) return client.status();
  return typed_cast(*client, ctx, compute_method::kShelveInstance, SnapshotRequest{instance, image});
}

sdk::Status ComputeRpcApi::shelve_offload_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to offload from");
  }
  auto client = client_for_shelving(instance.instance.host, compute_method::kShelveOffloadInstance);
  if (!client.ok()) return client.status();
  return typed_cast(*client, ctx, compute_method::kShelveOffloadInstance, InstanceActionRequest{instance});
}

sdk::Status ComputeRpcApi::unshelve_instance(const sdk::RequestContext& ctx, const std::string& host,
                                             const UnshelveOnHostRequest& request) const {
  if (host.empty()) return sdk::Status::InvalidState("instance " + request.instance.instance.uuid + ": no host to unshelve on");
  auto client = client_for_shelving(host, compute_method::kUnshelveInstance);
  if (!client.ok()) return client.status();
  return typed_cast(*client, ctx, compute_method::kUnshelveInstance, request);
}

sdk::Status ComputeRpcApi::attach_interface(const sdk::RequestContext& ctx, const InterfaceRequest& request) const {
  const InstanceMsg& instance = request.instance;
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to attach an interface on");
  }
  auto client = client_for_interfaces(instance.instance.host, compute_method::kAttachInterface);
  if (!client.ok()) return client.status();
  return typed_call_no_reply(*client, ctx, compute_method::kAttachInterface, request,
                             call_timeout_);
}

sdk::Status ComputeRpcApi::detach_interface(const sdk::RequestContext& ctx, const InterfaceRequest& request) const {
  const InstanceMsg& instance = request.instance;
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to detach an interface on");
  }
  auto client = client_for_interfaces(instance.instance.host, compute_method::kDetachInterface);
  if (!client.ok()) return client.status();
  return typed_call_no_reply(*client, ctx, compute_method::kDetachInterface, request,
                             call_timeout_);
}

sdk::Status ComputeRpcApi::trigger_crash_dump(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to trigger a crash dump on");
  }
  auto client = client_for_interfaces(instance.instance.host, compute_method::kTriggerCrashDump);
  if (!client.ok()) return client.status();
  return typed_call_no_reply(*client, ctx, compute_method::kTriggerCrashDump, InstanceActionRequest{instance},
                             call_timeout_);
}

// Compute RPC 1.4: rescue and unrescue.
sdk::Status ComputeRpcApi::rescue_instance(const sdk::RequestContext& ctx, const RescueRequest& request) const {
  const InstanceMsg& instance = request.instance;
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to rescue on");
  }
  auto client = client_for_version(instance.instance.host, compute_method::kRescueInstance, compute_version::kRescue);
  if (!client.ok()) return client.status();
  return typed_cast(*client, ctx, compute_method::kRescueInstance, request);
}

sdk::Status ComputeRpcApi::unrescue_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const {
  if (instance.instance.host.empty()) {
    return sdk::Status::InvalidState("instance " + instance.instance.uuid + " has no host to unrescue on");
  }
  auto client =
      client_for_version(instance.instance.host, compute_method::kUnrescueInstance, compute_version::kRescue);
  if (!client.ok()) return client.status();
  return typed_cast(*client, ctx, compute_method::kUnrescueInstance, InstanceActionRequest{instance});
}

}  // namespace stratus::core::rpcapi
