// ComputeAPI::create: POST /servers from validation to the conductor cast.
#include <algorithm>
#include <random>

#include <spdlog/spdlog.h>

#include "core/common/base64.h"
#include "core/compute/api/compute_api.h"
#include "core/compute/instance_states.h"
#include "core/db/aggregate_repository.h"
#include "core/db/flavor_repository.h"
#include "core/common/ids.h"
#include "core/db/image_repository.h"
#include "core/db/instance_action_repository.h"
#include "core/db/instance_fault_repository.h"
#include "core/db/keypair_repository.h"
#include "core/db/network_repository.h"
#include "core/db/security_group_repository.h"
#include "core/network/security_group_membership.h"
#include "core/db/port_repository.h"
#include "core/compute/api/injected_file_quota.h"
#include "core/compute/api/port_quota.h"
#include "core/db/quota_repository.h"
#include "core/db/seed.h"
#include "core/db/server_group_repository.h"
#include "core/db/compute_node_repository.h"
#include "core/db/service_repository.h"
#include "core/compute/api/service_state.h"

namespace stratus::core::compute {

namespace {

using sdk::Result;
using sdk::Status;

constexpr std::int64_t kGiB = 1024LL * 1024 * 1024;
// Nova's user_data schema: a base64 string of at most 65535 characters.
constexpr size_t kMaxUserDataChars = 65535;
// The zone every compute host is in until hosts carry zones of their own
// (service_state.h: os-availability-zone shows compute services in "nova").
constexpr const char* kDefaultZone = "nova";

// "r-" and 8 random characters, as Nova's utils.generate_uid('r').
std::string reservation_id() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, sizeof kChars - 2);
  std::string out = "r-";
  for (int i = 0; i < 8; ++i) out += kChars[pick(rng)];
  return out;
}

Result<db::FlavorRecord> find_flavor(db::Database& db, const ComputeContext& ctx, const std::string& id) {
  auto flavor = db::FlavorRepository(db).get(id);
  // A disabled flavor, or a private one the caller's project was not given
  // (os-flavor-access), is as absent as a missing one (Nova: FlavorNotFound, 400).
  bool hidden = false;
  if (flavor.ok() && !flavor->flavor.is_public && !ctx.is_admin) {
    auto access = db::FlavorRepository(db).accessible(id, ctx.request.project_id);
    if (!access.ok()) return access.status();
    hidden = !*access;
  }
  if (!flavor.ok() || flavor->disabled || hidden) {
    if (flavor.ok() || flavor.status().is(sdk::StatusCode::kNotFound)) {
      return Status::InvalidArgument("Flavor " + id + " could not be found.");
    }
    return flavor.status();
  }
  return flavor;
}

Result<db::ImageRecord> find_image(db::Database& db, const ComputeContext& ctx, const std::string& id) {
  auto image = db::ImageRepository(db).get(id);
  if (!image.ok()) {
    if (image.status().is(sdk::StatusCode::kNotFound)) return Status::InvalidArgument("Image " + id + " could not be found.");
    return image.status();
  }
  // As the image service sees it: others' private and shared images (no
  // image members here) do not exist for this project.
  if ((image->visibility == "private" || image->visibility == "shared") && image->owner != ctx.request.project_id &&
      !ctx.is_admin) {
    return Status::InvalidArgument("Image " + id + " could not be found.");
  }
  if (image->status != "active") return Status::InvalidArgument("Image " + id + " is not active.");
  return image;
}

// Nova's checks of a flavor against the image it boots (_validate_flavor_image_nostatus).
Status check_flavor_fits_image(const sdk::Flavor& flavor, const db::ImageRecord& image) {
  if (image.min_ram > flavor.memory_mb) return Status::InvalidArgument("Flavor's memory is too small for requested image.");
  if (flavor.root_gb > 0) {
    const std::int64_t flavor_bytes = flavor.root_gb * kGiB;
    if (image.size > flavor_bytes) {
      return Status::InvalidArgument("Flavor's disk is too small for requested image. Flavor disk is " +
                                     std::to_string(flavor_bytes) + " bytes, image is " + std::to_string(image.size) +
                                     " bytes.");
    }
    if (image.min_disk > flavor.root_gb) {
      return Status::InvalidArgument(
          "Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is " +
          std::to_string(flavor_bytes) + " bytes, minimum size is " + std::to_string(image.min_disk * kGiB) + " bytes.");
    }
  }
  return Status::OK();
}

bool usable_by(const db::NetworkRecord& net, const ComputeContext& ctx) {
  return net.shared || net.project_id.empty() || net.project_id == ctx.request.project_id || ctx.is_admin;
}

// The networks (with fixed IPs) each instance gets a port on, in order.
Result<std::vector<RequestedNetwork>> resolve_networks(db::Database& db, const ComputeContext& ctx,
                                                       const CreateRequest& req) {
  std::vector<RequestedNetwork> out;
  if (req.network_mode == NetworkRequestMode::kNone) return out;
  db::NetworkRepository networks(db);
  if (req.network_mode == NetworkRequestMode::kList) {
    for (const auto& want : req.networks) {
      if (!want.port_id.empty()) {
        // Nova's _validate_requested_port_ids: one instance per port, the
        // caller's project's port, and not bound to anything yet.
        if (req.max_count > 1) {
          return Status::InvalidArgument(
              "Unable to launch multiple instances with a single configured port ID. Please launch your instance one "
              "by one with different ports.");
        }
        auto port = db::PortRepository(db).get(want.port_id);
        if (!port.ok() || (!ctx.is_admin && port->project_id != ctx.request.project_id)) {
          if (port.ok() || port.status().is(sdk::StatusCode::kNotFound)) {
            return Status::InvalidArgument("Port id " + want.port_id + " could not be found.");
          }
          return port.status();
        }
        if (!port->device_id.empty()) return Status::Conflict("Port " + want.port_id + " is still in use.");
        out.push_back({port->network_uuid, std::nullopt, want.port_id});
        continue;
      }
      auto net = networks.get(want.network_uuid);
      if (!net.ok() || !usable_by(*net, ctx)) {
        if (net.ok() || net.status().is(sdk::StatusCode::kNotFound)) {
          return Status::InvalidArgument("Network " + want.network_uuid + " could not be found.");
        }
        return net.status();
      }
      if (want.fixed_ip) {
        if (req.max_count > 1) {
          return Status::InvalidArgument("max_count cannot be greater than 1 if an fixed_ip is specified.");
        }
        if (!db::parse_ipv4(*want.fixed_ip).ok()) {
          return Status::InvalidArgument("Invalid fixed IP address (" + *want.fixed_ip + ")");
        }
      }
      out.push_back(want);
    }
    return out;
  }
  // "auto": the project's only usable network or, among several, the cloud's
  // default one; Nova's NetworkAmbiguous (409) otherwise.
  auto all = networks.list(ctx.request.project_id);
  if (!all.ok()) return all.status();
  std::vector<db::NetworkRecord> usable;
  for (auto& n : *all) {
    if (usable_by(n, ctx)) usable.push_back(std::move(n));
  }
  if (usable.empty()) return out;  // Nova boots without a port when there is no network
  if (usable.size() == 1) {
    out.push_back({usable[0].uuid, std::nullopt, ""});
    return out;
  }
  for (const auto& n : usable) {
    if (n.uuid == db::kDefaultNetworkUuid) {
      out.push_back({n.uuid, std::nullopt, ""});
      return out;
    }
  }
  return Status::Conflict("Multiple possible networks found, use a Network ID to be more specific.");
}

// How many of max_count the project's quota, and the user's own if set,
// leave room for (Nova's _check_num_instances_quota). Advisory: the insert
// counts again under the project's lock key in the provisioning transaction,
// and that count decides.
Result<std::int32_t> count_within_quota(db::Database& db, const ComputeContext& ctx, const sdk::Flavor& flavor,
                                        std::int32_t min_count, std::int32_t max_count) {
  const std::string& project_id = ctx.request.project_id;
  db::QuotaRepository quotas(db);
  std::int64_t allowed = max_count;
  auto room = [&](const std::map<std::string, std::int64_t>& limits, const db::QuotaUsage& usage) {
    auto fit = [&](const char* resource, std::int64_t used, std::int64_t per_instance) {
      auto it = limits.find(resource);
      if (it == limits.end() || it->second < 0 || per_instance <= 0) return;
      allowed = std::min(allowed, std::max<std::int64_t>(0, (it->second - used) / per_instance));
    };
    fit(db::kQuotaInstances, usage.instances, 1);
    fit(db::kQuotaCores, usage.cores, flavor.vcpus);
    fit(db::kQuotaRam, usage.ram, flavor.memory_mb);
  };
  // Usage is counted (a scan of the project's live instances) only against
  // a limit: with instances, cores and ram all unlimited nothing can bound the count.
  auto limited = [&](const std::map<std::string, std::int64_t>& limits) {
    for (const char* resource : {db::kQuotaInstances, db::kQuotaCores, db::kQuotaRam}) {
      auto it = limits.find(resource);
      if (it != limits.end() && it->second >= 0) return true;
    }
    return false;
  };
  auto limits = quotas.limits(project_id);
  if (!limits.ok()) return limits.status();
  if (limited(*limits)) {
    auto usage = quotas.usage(project_id);
    if (!usage.ok()) return usage.status();
    room(*limits, *usage);
  }
  auto user_limits = quotas.user_limits(project_id, ctx.request.user_id);
  if (!user_limits.ok()) return user_limits.status();
  if (*user_limits != *limits && limited(*user_limits)) {
    auto user_usage = quotas.user_usage(project_id, ctx.request.user_id);
    if (!user_usage.ok()) return user_usage.status();
    room(*user_limits, *user_usage);
  }
  // Below min_count: ask for max_count so the refusal names the full request, as Nova's does.
  return allowed >= min_count ? static_cast<std::int32_t>(allowed) : max_count;
}

// What a validated request boots (Nova's base_options of
// _validate_and_build_base_options, with what it looked up on the way).
struct BaseOptions {
  db::FlavorRecord flavor;
  db::ImageRecord image;
  std::optional<db::KeypairRecord> keypair;
  std::string zone;                        // "" or "nova"
  std::vector<std::string> force_hosts;    // from "zone:host[:node]"
  std::vector<RequestedNetwork> networks;  // one port per entry per instance
  std::optional<db::ServerGroupRecord> group;
  std::vector<std::string> security_groups;  // as asked; resolved in provision_instances
};

// Nova's _validate_and_build_base_options: every reference the request makes,
// checked, with the error Nova gives. Reads only.
Result<BaseOptions> validate_and_build_base_options(db::Database& db, const ComputeContext& ctx,
                                                    const CreateRequest& req) {
  if (req.min_count < 1 || req.max_count < 1) return Status::InvalidArgument("min_count and max_count must be at least 1");
  if (req.min_count > req.max_count) return Status::InvalidArgument("min_count must be <= max_count");

  BaseOptions base;
  auto flavor = find_flavor(db, ctx, req.flavor_ref);
  if (!flavor.ok()) return flavor.status();
  base.flavor = std::move(flavor.value());
  auto image = find_image(db, ctx, req.image_ref);
  if (!image.ok()) return image.status();
  base.image = std::move(image.value());
  if (Status s = check_flavor_fits_image(base.flavor.flavor, base.image); !s.ok()) return s;

  for (const auto& [key, value] : req.metadata) {
    if (key.empty()) return Status::InvalidArgument("Metadata property key blank.");
    if (key.size() > 255) return Status::InvalidArgument("Metadata property key greater than 255 characters.");
    if (value.size() > 255) return Status::InvalidArgument("Metadata property value greater than 255 characters.");
  }

  if (req.user_data) {
    if (req.user_data->size() > kMaxUserDataChars || !common::base64_decode_strict(*req.user_data)) {
      return Status::InvalidArgument("User data needs to be valid base 64 of at most 65535 characters.");
    }
  }

  if (req.key_name) {
    auto kp = db::KeypairRepository(db).get(ctx.request.user_id, *req.key_name);
    if (!kp.ok()) {
      if (kp.status().is(sdk::StatusCode::kNotFound)) {
        return Status::InvalidArgument("Keypair " + *req.key_name + " not found for user " + ctx.request.user_id);
      }
      return kp.status();
    }
    base.keypair = std::move(kp.value());
  }

  // "zone[:host[:node]]" (Nova's _handle_availability_zone).
  if (req.availability_zone && !req.availability_zone->empty()) {
    const std::string& az = *req.availability_zone;
    const size_t colon = az.find(':');
    base.zone = az.substr(0, colon);
    if (colon != std::string::npos) {
      if (!ctx.is_admin) return Status(sdk::StatusCode::kConflict,
                    "Policy doesn't allow os_compute_api:servers:create:forced_host to be performed.",
                    sdk::StatusReason::kPolicyDenied);
      std::string host = az.substr(colon + 1);
      host = host.substr(0, host.find(':'));
      if (!host.empty()) base.force_hosts.push_back(host);
    }
    if (!base.zone.empty() && base.zone != kDefaultZone) {
      // Other zones are those the aggregates give hosts (os-aggregates).
      auto zones = db::AggregateRepository(db).zones_by_host();
      if (!zones.ok()) return zones.status();
      bool known = false;
      for (const auto& [host, zone] : *zones) known = known || zone == base.zone;
      if (!known) return Status::InvalidArgument("The requested availability zone is not available");
    }
  }

  // 2.74's requested destination (the API checked the policy): it must exist.
  if (req.requested_host || req.requested_node) {
    if (req.requested_host && !db::ServiceRepository(db).get(*req.requested_host, api::kComputeBinary).ok()) {
      return Status::InvalidArgument("Compute host " + *req.requested_host + " could not be found.");
    }
    if (req.requested_node) {
      auto node = db::ComputeNodeRepository(db).get(*req.requested_node);
      if (!node.ok() || (req.requested_host && node->host != *req.requested_host)) {
        return Status::InvalidArgument(req.requested_host ? "Compute host " + *req.requested_host + " with node " +
                                                                *req.requested_node + " could not be found."
                                                          : "Compute host " + *req.requested_node +
                                                                " could not be found.");
      }
      if (!req.requested_host) base.force_hosts.push_back(node->host);
    }
    if (req.requested_host) base.force_hosts.push_back(*req.requested_host);
  }

  auto networks = resolve_networks(db, ctx, req);
  if (!networks.ok()) return networks.status();
  base.networks = std::move(networks.value());
  base.security_groups = req.security_groups;

  // The server group of the "group" hint: Nova's InstanceGroupNotFound is a 400.
  auto group_hint = req.scheduler_hints.find("group");
  if (group_hint != req.scheduler_hints.end() && !group_hint->second.empty()) {
    if (group_hint->second.size() != 1) return Status::InvalidArgument("Only one server group may be given (hint 'group').");
    const std::string& gid = group_hint->second.front();
    auto g = db::ServerGroupRepository(db).get(gid);
    if (!g.ok() || (!ctx.is_admin && g->project_id != ctx.request.project_id)) {
      if (g.ok() || g.status().is(sdk::StatusCode::kNotFound)) {
        return Status::InvalidArgument("Instance group " + gid + " could not be found.");
      }
      return g.status();
    }
    base.group = std::move(g.value());
  }
  return base;
}

// The project's limit on `resource`, nullopt when unlimited.
std::optional<std::int64_t> limit_of(const std::map<std::string, std::int64_t>& limits, const char* resource) {
  auto it = limits.find(resource);
  if (it == limits.end() || it->second < 0) return std::nullopt;
  return it->second;
}

// The ports each instance of the request makes: one per network asked for
// without a port of the user's (Nova's _ports_needed_per_instance).
std::int64_t new_ports_per_instance(const BaseOptions& base) {
  std::int64_t n = 0;
  for (const auto& net : base.networks) n += net.port_id.empty() ? 1 : 0;
  return n;
}

// The records of one request, with uuids chosen here (ports name them).
std::vector<db::InstanceRecord> build_records(const ComputeContext& ctx, const CreateRequest& req,
                                              const BaseOptions& base, std::int32_t count,
                                              const std::string& reservation) {
  std::vector<db::InstanceRecord> records;
  for (std::int32_t i = 0; i < count; ++i) {
    db::InstanceRecord r;
    r.uuid = common::random_uuid();
    // Nova's multi_instance_display_name_template "%(name)s-%(count)d".
    r.display_name = count > 1 ? req.name + "-" + std::to_string(i + 1) : req.name;
    r.project_id = ctx.request.project_id;
    r.user_id = ctx.request.user_id;
    r.flavor = base.flavor.flavor;
    r.image_ref = base.image.id;
    r.vm_state = std::string(vm_state::kBuilding);
    r.task_state = std::string(task_state::kScheduling);
    r.metadata = req.metadata;
    r.user_data = req.user_data;
    if (base.keypair) {
      r.key_name = base.keypair->name;
      r.key_data = base.keypair->public_key;
    }
    r.availability_zone = base.zone;
    r.reservation_id = reservation;
    r.launch_index = i;
    r.config_drive = req.config_drive;
    r.display_description = req.description;
    r.access_ip_v4 = req.access_ip_v4;
    r.access_ip_v6 = req.access_ip_v6;
    r.auto_disk_config = req.auto_disk_config;
    r.tags = req.tags;
    r.trusted_certs = req.trusted_certs;
    // Nova: the given hostname (2.90), else one derived from the display name.
    r.hostname = req.hostname ? (count > 1 ? *req.hostname + "-" + std::to_string(i + 1) : *req.hostname)
                              : sanitize_hostname(r.display_name, r.uuid);
    records.push_back(std::move(r));
  }
  return records;
}

// Nova's _provision_instances: the instances (quota counted in the same
// transaction), their ports, the group membership and a "create" action each,
// in ONE transaction: any error rolls every row back, so a refused request
// leaves nothing behind and concurrent requests cannot pass a quota together.
Result<std::vector<db::InstanceRecord>> provision_instances(db::Database& db, const ComputeContext& ctx,
                                                            const BaseOptions& base,
                                                            std::vector<db::InstanceRecord> records,
                                                            std::optional<std::int64_t> max_group_members) {
  auto tx = db.begin_write("create servers");
  if (!tx.ok()) return tx.status();
  auto created = db::InstanceRepository(*tx).create(std::move(records));
  if (!created.ok()) return created.status();
  // Their ports against the project's Neutron port quota, in this
  // transaction: two requests cannot both take the last ports.
  if (Status s = check_port_quota(*tx, ctx.request.project_id,
                                  new_ports_per_instance(base) * static_cast<std::int64_t>(created->size()));
      !s.ok()) {
    return s;
  }
  db::PortRepository ports(*tx);
  auto security_groups = network::resolve_server_security_groups(*tx, ctx.request.project_id, base.security_groups);
  if (!security_groups.ok()) return security_groups.status();
  for (const auto& r : *created) {
    for (const auto& net : base.networks) {
      if (!net.port_id.empty()) {
        // The user's port: bound (kConflict if something took it since the
        // check), its groups as they are; deleting the server unbinds it.
        if (Status s = ports.bind(net.port_id, r.uuid); !s.ok()) return s;
        continue;
      }
      auto port = ports.create(net.network_uuid, r.uuid, net.fixed_ip);
      if (!port.ok()) {
        if (port.status().is(sdk::StatusCode::kNotFound)) {
          return Status::InvalidArgument("Network " + net.network_uuid + " could not be found.");
        }
        return port.status();
      }
      if (Status s = db::SecurityGroupRepository(*tx).set_port_groups(port->uuid, *security_groups); !s.ok()) return s;
    }
  }
  if (base.group) {
    std::vector<std::string> uuids;
    for (const auto& r : *created) uuids.push_back(r.uuid);
    if (Status s = db::ServerGroupRepository(*tx).add_members(base.group->uuid, uuids, max_group_members); !s.ok()) {
      return s;
    }
  }
  db::InstanceActionRepository actions(*tx);
  for (const auto& r : *created) {
    auto started = actions.start(r.uuid, "create", ctx.request.request_id, ctx.request.user_id, ctx.request.project_id);
    if (!started.ok()) return started.status();
  }
  if (Status s = tx->commit(); !s.ok()) return s;
  return created;
}

// What the scheduler is asked to place (Nova's RequestSpec).
sdk::RequestSpec request_spec(db::Database& db, const ComputeContext& ctx, const CreateRequest& req,
                              const BaseOptions& base, const std::vector<std::string>& uuids) {
  sdk::RequestSpec spec;
  spec.instance_uuid = uuids.front();
  spec.project_id = ctx.request.project_id;
  spec.user_id = ctx.request.user_id;
  spec.flavor = base.flavor.flavor;
  spec.image = base.image.to_sdk();
  // The scheduler's one way to hear that the boot needs a config drive
  // (RequestSpec has no field for it): Nova's own image property for that.
  if (req.config_drive) spec.image.properties["img_config_drive"] = "mandatory";
  spec.num_instances = static_cast<std::int32_t>(uuids.size());
  spec.availability_zone = base.zone;
  spec.scheduler_hints = req.scheduler_hints;
  spec.force_hosts = base.force_hosts;
  if (base.group) {
    sdk::InstanceGroup g = db::scheduling_view(db, *base.group);
    g.members.insert(g.members.end(), uuids.begin(), uuids.end());
    spec.instance_group = std::move(g);
  }
  return spec;
}

}  // namespace

Result<CreateResult> ComputeAPI::create(const ComputeContext& ctx, const CreateRequest& req) {
  const std::string& rid = ctx.request.request_id;
  auto base = validate_and_build_base_options(db_, ctx, req);
  if (!base.ok()) return base.status();
  if (Status s = check_metadata_quota(ctx.request.project_id, req.metadata.size(), ctx.request.user_id); !s.ok()) return s;

  // Nova's validate_networks: as many as the project's port quota leaves
  // room for (403 below min_count); then _check_num_instances_quota on
  // that: as many as the quota allows, at least min_count.
  auto port_room = count_within_port_quota(db_, ctx.request.project_id, new_ports_per_instance(*base), req.min_count,
                                           req.max_count);
  if (!port_room.ok()) return port_room.status();
  if (*port_room < req.max_count) {
    spdlog::info("[{}] max count reduced from {} to {} due to network port quota", rid, req.max_count, *port_room);
  }
  auto count = count_within_quota(db_, ctx, base->flavor.flavor, req.min_count, *port_room);
  if (!count.ok()) return count.status();
  auto limits = db::QuotaRepository(db_).enforced_limits(ctx.request.project_id, ctx.request.user_id);
  if (!limits.ok()) return limits.status();
  if (Status s = check_injected_file_quota(*limits, req.injection); !s.ok()) return s;

  CreateResult result;
  result.reservation_id = reservation_id();
  auto created = provision_instances(db_, ctx, *base, build_records(ctx, req, *base, *count, result.reservation_id),
                                     limit_of(*limits, "server_group_members"));
  if (!created.ok()) return created.status();
  result.instances = std::move(created.value());
  std::vector<std::string> uuids;
  for (const auto& r : result.instances) uuids.push_back(r.uuid);

  spdlog::info("[{}] creating {} instance(s) {} ({}), flavor {}, image {}", rid, uuids.size(), result.reservation_id,
               uuids.front(), base->flavor.flavor.id, base->image.id);
  refresh_group_peers(rid, uuids);
  auto spec = request_spec(db_, ctx, req, *base, uuids);
  if (Status s = conductor_.build_instances(ctx.request, rpcapi::BuildInstancesRequest{uuids, spec, req.injection}); !s.ok()) {
    // The request was accepted and recorded; the build could not be handed
    // on (no router, no conductor). When the conductors sweep lost builds,
    // the instances stay in 'scheduling' and a conductor takes them up once
    // one is reachable; otherwise they go to ERROR with the reason, as a
    // failed schedule would.
    if (options_.conductors_recover_lost_builds) {
      spdlog::warn("[{}] build_instances cast failed: {}; left for the conductors' lost-build sweep", rid,
                   s.to_string());
      return result;
    }
    spdlog::error("[{}] build_instances cast failed: {}", rid, s.to_string());
    db::InstanceRepository instances(db_);
    for (auto& r : result.instances) {
      db::InstanceUpdate u;
      u.vm_state = std::string(vm_state::kError);
      u.task_state = std::optional<std::string>();
      if (auto updated = instances.update(r.uuid, u); updated.ok()) r = std::move(updated.value());
      (void)db::InstanceFaultRepository(db_).add(r.uuid, 500, "Build of instance " + r.uuid + " could not be sent to the conductor", s.message());
    }
  }
  return result;
}

// New members change what their groups' rules admit: a rule whose remote
// group is one of theirs now names their addresses too (Neutron updates the
// members' filters when a port joins). The new instances have no host yet and
// are skipped; their build carries the rules as they are. Queued, not waited
// for (security_group_refresh_ coalesces a storm's creates into few passes).
void ComputeAPI::refresh_group_peers(const std::string& request_id, const std::vector<std::string>& instance_uuids) {
  std::vector<std::string> port_ids;
  for (const auto& uuid : instance_uuids) {
    auto ports = db::PortRepository(db_).list_by_device(uuid);
    if (!ports.ok()) continue;
    for (const auto& p : *ports) port_ids.push_back(p.uuid);
  }
  if (port_ids.empty()) return;
  auto groups = db::SecurityGroupRepository(db_).groups_of_ports(port_ids);
  if (!groups.ok()) {
    spdlog::warn("[{}] security groups of the new ports: {}", request_id, groups.status().message());
    return;
  }
  std::vector<std::string> group_ids;
  for (const auto& [port, ids] : *groups) group_ids.insert(group_ids.end(), ids.begin(), ids.end());
  if (!group_ids.empty()) security_group_refresh_.refresh(request_id, network::SecurityGroupChange{{}, group_ids, {}});
}

}  // namespace stratus::core::compute
