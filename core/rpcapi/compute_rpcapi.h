// ComputeRpcApi: how the API and the conductor talk to one compute service
// (Nova's nova/compute/rpcapi.py). Every message goes to compute.<host>;
// only get_console_output waits for a reply. A call to a host that is not
// connected fails at once (kUnavailable: the router knows no such target);
// a cast to it is lost (at most once; the router logs it), so callers check
// the host's service liveness before they cast an action.
//
// Versions (topics.h, docs/rpc-protocol.md section 7): every message is sent
// at the lowest version that carries it, under the cap ([upgrade_levels]
// compute) read before each message; build_and_run_instance is sent at 1.1
// when the cap allows and otherwise backported to its 1.0 shape.
// Thread-safe; the endpoint must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/rpcapi/messages.h"
#include "core/rpcapi/version_cap.h"
#include "stratus/rpc/client.h"
#include "stratus/rpc/endpoint.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/result.h"

namespace stratus::core::rpcapi {

class ComputeRpcApi {
 public:
  // `cap`: the highest version sent (none: the newest).
  ComputeRpcApi(rpc::Endpoint& endpoint, std::chrono::milliseconds call_timeout, VersionCap cap = {});

  // At 1.1 under a cap of 1.1 or none. Under a cap of 1.0 the 1.0 shape is
  // sent: the port rules are dropped (logged; the next refresh brings them)
  // and a request with personality files or an admin password is refused
  // with kNotSupported, without sending, because the older host would boot
  // the guest without them.
  sdk::Status build_and_run_instance(const sdk::RequestContext& ctx, const std::string& host,
                                     const BuildAndRunRequest& request) const;
  sdk::Status terminate_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  sdk::Status reboot_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance,
                              std::string reboot_type) const;
  sdk::Status stop_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  sdk::Status start_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  sdk::Status pause_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  sdk::Status unpause_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  sdk::Status suspend_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  sdk::Status resume_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  sdk::Status soft_delete_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  sdk::Status restore_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  // `injection`: the personality files and admin password for the new guest.
  sdk::Status rebuild_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance,
                               const sdk::ImageMeta& image, const GuestInjection& injection = {}) const;
  // The guest's console log (last `tail_length` lines; 0: all).
  sdk::Result<std::string> get_console_output(const sdk::RequestContext& ctx, const InstanceMsg& instance,
                                              std::int32_t tail_length) const;
  // What the hypervisor reports about the guest (a call). kNotSupported when
  // the host's driver cannot tell (the API answers 501), kInvalidState when
  // the guest is not running.
  sdk::Result<sdk::Diagnostics> get_diagnostics(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  // Casts the instance's new port rules to `host` (at most once: a lost cast
  // leaves the old rules until the next refresh or rebuild). `ports` is the
  // full list of the instance's ports; it replaces what the host enforced.
  // kInvalidArgument without a host or instance uuid.
  sdk::Status refresh_security_groups(const sdk::RequestContext& ctx, const std::string& host,
                                      const std::string& instance_uuid,
                                      const std::vector<sdk::PortSecurity>& ports) const;

  // Casts to instance.host: fill the queued image `image` with the guest's
  // disk (createImage); shelve (power off, snapshot into `image`, SHELVED,
  // then offloaded as the host's shelved_offload_time says); offload a
  // SHELVED instance.
  sdk::Status snapshot_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance,
                                const sdk::ImageMeta& image) const;
  // createBackup: snapshot_instance at 1.4 with the backup's type and
  // rotation (the host then deletes the oldest backups beyond it). Refused
  // (kNotSupported, naming 1.4 and the cap) under a cap below 1.4: an older
  // host would take it for a snapshot and leave the task image_backup set.
  sdk::Status backup_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance, const sdk::ImageMeta& image,
                              const std::string& backup_type, std::int64_t rotation) const;
  sdk::Status shelve_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance, const sdk::ImageMeta& image) const;
  sdk::Status shelve_offload_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  // Casts to `host` (chosen by the conductor): spawn a shelved instance there.
  sdk::Status unshelve_instance(const sdk::RequestContext& ctx, const std::string& host,
                                const UnshelveOnHostRequest& request) const;
  // Calls to instance.host (compute RPC 1.3; under a lower cap kNotSupported
  // naming the method, without sending): plug the port `vif` into the guest
  // (the host refuses with kNotSupported when its driver cannot), unplug it,
  // inject an NMI. They wait for the host's answer (the call timeout), so
  // the API answers with what the driver did.
  sdk::Status attach_interface(const sdk::RequestContext& ctx, const InterfaceRequest& request) const;
  sdk::Status detach_interface(const sdk::RequestContext& ctx, const InterfaceRequest& request) const;
  sdk::Status trigger_crash_dump(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  // Casts to instance.host (compute RPC 1.4; under a lower cap kNotSupported
  // naming the method, without sending): boot the rescue image with the
  // guest's disk attached; back to the guest's own disk.
  sdk::Status rescue_instance(const sdk::RequestContext& ctx, const RescueRequest& request) const;
  sdk::Status unrescue_instance(const sdk::RequestContext& ctx, const InstanceMsg& instance) const;
  // The uptime line of compute host `host` (as `uptime` prints it).
  sdk::Result<std::string> get_host_uptime(const sdk::RequestContext& ctx, const std::string& host) const;

 private:
  // The instance actions that carry only the instance, to instance.host.
  sdk::Status cast_action(const sdk::RequestContext& ctx, std::string_view method, const InstanceMsg& instance) const;
  // A client for compute.<host> under the cap in force now.
  rpc::Client to_host(const std::string& host) const;
  // A client at compute RPC `needed` for `host`, or kNotSupported naming
  // `method` when the cap is lower (an older host has no such method).
  sdk::Result<rpc::Client> client_for_version(const std::string& host, std::string_view method,
                                              std::string_view needed) const;
  // At 1.2 (createImage and shelving); at 1.3 (interfaces and crash dumps).
  sdk::Result<rpc::Client> client_for_shelving(const std::string& host, std::string_view method) const;
  sdk::Result<rpc::Client> client_for_interfaces(const std::string& host, std::string_view method) const;

  rpc::Endpoint* endpoint_;
  VersionCap cap_;
  std::chrono::milliseconds call_timeout_;
};

}  // namespace stratus::core::rpcapi
