// LibvirtDriver: the guest lifecycle over a LibvirtConnection and a
// DiskBackend (contract in libvirt_driver.h).
#include "stratus/drivers/libvirt/libvirt_driver.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <optional>
#include <exception>
#include <fstream>
#include <system_error>
#include <thread>

#include "config_drive.h"
#include "driver_util.h"
#include "domain_devices.h"
#include "nwfilter_xml.h"
#include "instance_files.h"
#include "network_data.h"
#include "stratus/drivers/libvirt/power_state_map.h"
#include "stratus/drivers/libvirt/qemu_img_disks.h"

namespace stratus::drivers::libvirt {

namespace fs = std::filesystem;
using sdk::PowerState;
using sdk::Status;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::int64_t kGiB = std::int64_t{1} << 30;
constexpr std::int64_t kMiB = std::int64_t{1} << 20;

bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool is_mac(const std::string& s) {
  if (s.size() != 17) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i % 3 == 2 ? s[i] != ':' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// The uuid names a directory and the domain; the name is libvirt's key. Both
// are checked before either is used, so no instance can reach outside its
// directory or address someone else's domain.
Status check_instance(const sdk::Instance& instance) {
  if (!is_uuid(instance.uuid)) {
    return Status::InvalidArgument("instance uuid '" + instance.uuid + "' is not a uuid");
  }
  const std::string name = domain_name(instance);
  const bool bad_char = std::any_of(name.begin(), name.end(), [](char c) {
    return c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (name.size() > 200 || bad_char) {
    return Status::InvalidArgument("instance " + instance.uuid + ": name '" + name +
                                   "' cannot be a libvirt domain name (at most 200 characters, no '/' or control "
                                   "characters)");
  }
  return Status::OK();
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// What the capabilities promise; anything else is refused before any work.
Status check_image_format(const sdk::Instance& instance, const sdk::ImageMeta& image) {
  const std::string& f = image.disk_format;
  if (f.empty() || f == "qcow2" || f == "raw" || f == "ami") return Status::OK();
  return Status::NotSupported("instance " + instance.uuid + ": image " + image.id + " has disk format '" + f +
                              "'; the libvirt driver boots qcow2, raw and ami");
}

// A domain that carries the instance's name but another uuid is someone
// else's guest: this instance does not exist, and that guest is not touched.
sdk::Result<DomainRef> find_guest(LibvirtConnection& conn, const sdk::Instance& instance) {
  auto ref = conn.lookup(domain_name(instance));
  if (!ref.ok()) return ref.status();
  std::string uuid = ref->uuid;
  std::transform(uuid.begin(), uuid.end(), uuid.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string wanted = instance.uuid;
  std::transform(wanted.begin(), wanted.end(), wanted.begin(), [](unsigned char c) { return std::tolower(c); });
  if (uuid != wanted) {
    return Status::NotFound("domain " + ref->name + " belongs to uuid " + ref->uuid + ", not instance " +
                            instance.uuid);
  }
  return ref;
}

}  // namespace

LibvirtDriver::LibvirtDriver(LibvirtConfig config, ConnectionFactory connect, std::shared_ptr<DiskBackend> disks)
    : config_(std::move(config)), connect_(std::move(connect)), disks_(std::move(disks)) {}

LibvirtDriver::~LibvirtDriver() {
  // The connection may outlive us in a caller's hands: stop its events first.
  if (conn_) (void)conn_->watch_lifecycle({});
}

fs::path LibvirtDriver::instance_dir(const std::string& uuid) const { return fs::path(config_.instances_path) / uuid; }

sdk::Result<std::shared_ptr<LibvirtConnection>> LibvirtDriver::connection(const std::string& request_id) {
  std::lock_guard lock(mu_);
  if (conn_ && conn_->is_alive()) return conn_;
  if (conn_) log_->write(sdk::LogLevel::kWarn, request_id, "connection to " + config_.uri + " lost; reconnecting");
  conn_.reset();
  auto opened = connect_(config_.uri);
  if (!opened.ok()) return Status::Unavailable("cannot connect to libvirt at " + config_.uri + ": " +
                                               opened.status().message());
  conn_ = std::shared_ptr<LibvirtConnection>(std::move(*opened));
  bool listening = false;
  {
    std::lock_guard listener_lock(listener_mutex_);
    listening = static_cast<bool>(listener_);
  }
  if (listening) {
    if (Status s = watch_events(*conn_); !s.ok()) {
      log_->write(sdk::LogLevel::kWarn, request_id, "no lifecycle events from the new connection: " + s.to_string());
    }
  }
  return conn_;
}

Status LibvirtDriver::watch_events(LibvirtConnection& conn) {
  return conn.watch_lifecycle([this](const DomainEvent& event) { forward_event(event); });
}

void LibvirtDriver::forward_event(const DomainEvent& event) noexcept {
  try {
    sdk::LifecycleTransition t;
    switch (event.kind) {
      case DomainEventKind::kStarted: t = sdk::LifecycleTransition::kStarted; break;
      case DomainEventKind::kResumed: t = sdk::LifecycleTransition::kResumed; break;
      case DomainEventKind::kSuspended: t = sdk::LifecycleTransition::kPaused; break;
      case DomainEventKind::kStopped:
      case DomainEventKind::kCrashed: t = sdk::LifecycleTransition::kStopped; break;
      case DomainEventKind::kPMSuspended: t = sdk::LifecycleTransition::kSuspended; break;
      default: return;  // defined, undefined, shutting down: no power change yet
    }
    std::string uuid = event.uuid;
    std::transform(uuid.begin(), uuid.end(), uuid.begin(), [](unsigned char c) { return std::tolower(c); });
    std::lock_guard lock(listener_mutex_);
    if (listener_) listener_(sdk::LifecycleEvent{uuid, t});
  } catch (const std::exception& e) {
    log_->error("lifecycle event of domain " + event.name + " not forwarded: " + e.what());
  } catch (...) {
    log_->error("lifecycle event of domain " + event.name + " not forwarded");
  }
}

Status LibvirtDriver::register_lifecycle_listener(sdk::LifecycleListener listener) {
  return guarded<Status>(*log_, "register_lifecycle_listener", "", [&]() -> Status {
    const bool enable = static_cast<bool>(listener);
    {
      std::lock_guard lock(listener_mutex_);  // waits for an event in flight
      listener_ = std::move(listener);
    }
    // Stopping needs no libvirt call: forward_event drops what comes now.
    if (!enable) return Status::OK();
    auto conn = connection("");
    if (!conn.ok()) return conn.status();
    Status s = watch_events(**conn);
    if (s.ok()) log_->info("forwarding domain lifecycle events from " + config_.uri);
    return s;
  });
}

void LibvirtDriver::set_logger(std::shared_ptr<sdk::Logger> logger) {
  if (logger != nullptr) log_ = std::move(logger);
}

// ---- host -------------------------------------------------------------------------

Status LibvirtDriver::init_host(const std::string& host) {
  return guarded<Status>(*log_, "init_host", "", [&]() -> Status {
    {
      std::lock_guard lock(mu_);
      host_ = host;
    }
    auto conn = connection("");
    if (!conn.ok()) return conn.status();
    std::error_code ec;
    fs::create_directories(config_.instances_path, ec);
    if (ec) return Status::InvalidArgument("instances_path " + config_.instances_path + ": " + ec.message());
    log_->info("host " + host + " connected to " + config_.uri + " (virt_type " + config_.virt_type + ")");
    return Status::OK();
  });
}

Status LibvirtDriver::cleanup_host(const std::string& host) {
  (void)host;
  return guarded<Status>(*log_, "cleanup_host", "", [&]() -> Status {
    std::lock_guard lock(mu_);
    conn_.reset();
    return Status::OK();
  });
}

sdk::DriverCapabilities LibvirtDriver::capabilities() const {
  sdk::DriverCapabilities caps;
  caps.supports_reboot = true;
  caps.supports_power_off = true;
  caps.supports_pause = true;
  caps.supports_suspend = true;
  caps.supports_rebuild = true;
  caps.supports_console_output = true;
  caps.supports_config_drive = true;
  caps.supports_direct_kernel_boot = true;
  caps.supported_image_formats = {"qcow2", "raw", "ami"};
  return caps;
}

// ---- building a guest ---------------------------------------------------------------

sdk::Result<GuestInterface> LibvirtDriver::interface_for(const sdk::Instance& instance, const sdk::Vif& vif) const {
  if (!is_mac(vif.address)) {
    return Status::InvalidArgument("instance " + instance.uuid + ": port " + vif.id + " has no valid MAC ('" +
                                   vif.address + "')");
  }
  GuestInterface nic;
  nic.mac = vif.address;
  nic.mtu = vif.mtu;
  if (config_.network_mode == NetworkMode::kUser || vif.type == "user") {
    nic.user_networking = true;
  } else if (vif.type == "bridge" || vif.type.empty()) {
    // The operator's host-local mapping wins over what the port says.
    for (const std::string& key : {vif.network_name, vif.network_id}) {
      if (auto it = config_.bridges.find(key); !key.empty() && it != config_.bridges.end()) {
        nic.bridge = it->second;
        break;
      }
    }
    if (nic.bridge.empty()) nic.bridge = vif.bridge;
    std::lock_guard lock(security_mutex_);
    if (auto it = port_security_.find(instance.uuid); it != port_security_.end()) {
      for (const sdk::PortSecurity& p : it->second) {
        if (p.port_id != vif.id) continue;
        nic.filter = nwfilter_name(p.port_id);
        for (const std::string& ip : p.fixed_ips) {
          if (ip.find(':') == std::string::npos) nic.filter_ips.push_back(ip);  // no-ip-spoofing is IPv4
        }
      }
    }
    if (nic.bridge.empty()) {
      return Status::InvalidArgument("instance " + instance.uuid + ": no bridge for network '" +
                                     (vif.network_name.empty() ? vif.network_id : vif.network_name) + "' of port " +
                                     vif.id + " (set bridges.<network> in [driver.libvirt])");
    }
  } else {
    return Status::NotSupported("instance " + instance.uuid + ": port " + vif.id + " has vif type '" + vif.type +
                                "' (the libvirt driver plugs bridge and user)");
  }
  return nic;
}

sdk::Result<GuestConfig> LibvirtDriver::guest_config(const sdk::Instance& instance, const sdk::ImageMeta& image_meta,
                                                     const sdk::NetworkInfo& network_info) const {
  const sdk::Flavor& f = instance.flavor;
  if (f.memory_mb <= 0 || f.vcpus <= 0 || f.root_gb < 0 || f.ephemeral_gb < 0 || f.swap_mb < 0) {
    return Status::InvalidArgument("instance " + instance.uuid + ": flavor '" + f.name +
                                   "' needs positive vcpus and memory_mb and no negative disk size");
  }
  GuestConfig g;
  g.virt_type = config_.virt_type;
  g.name = domain_name(instance);
  g.uuid = instance.uuid;
  g.memory_mb = f.memory_mb;
  g.vcpus = f.vcpus;
  g.cpu_mode = config_.effective_cpu_mode();
  g.cpu_model = config_.cpu_model;
  g.graphics = config_.graphics;
  g.console_log_path = (instance_dir(instance.uuid) / kConsoleLogFile).string();

  for (const sdk::Vif& vif : network_info) {
    auto nic = interface_for(instance, vif);
    if (!nic.ok()) return nic.status();
    g.interfaces.push_back(std::move(nic).value());
  }

  GuestMetadata& m = g.metadata;
  m.uuid = instance.uuid;
  m.display_name = instance.display_name;
  m.creation_time = utc_now();
  m.flavor_id = f.id;
  m.flavor_name = f.name;
  m.memory_mb = f.memory_mb;
  m.root_gb = f.root_gb;
  m.ephemeral_gb = f.ephemeral_gb;
  m.swap_mb = f.swap_mb;
  m.vcpus = f.vcpus;
  m.user_id = instance.user_id;
  m.project_id = instance.project_id;
  m.image_id = image_meta.id;
  return g;
}

Status LibvirtDriver::prepare_disks(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                    const sdk::ImageMeta& image_meta, const sdk::BlockDeviceInfo& block_device_info,
                                    bool keep_ephemeral, const ConfigDriveInjection& injection,
                                    GuestConfig& guest) {
  const fs::path dir = instance_dir(instance.uuid);
  const sdk::Flavor& f = instance.flavor;
  char next_dev = 'a';
  auto dev = [&next_dev] { return std::string("vd") + next_dev++; };

  auto base = disks_->cache_image(ctx, image_meta);
  if (!base.ok()) return base.status();
  const fs::path root = dir / kRootDiskFile;
  if (Status s = disks_->create_overlay(ctx, *base, root, f.root_gb * kGiB); !s.ok()) {
    if (s.is(sdk::StatusCode::kInvalidArgument)) {
      return Status::InvalidArgument("instance " + instance.uuid + ": flavor '" + f.name + "' root disk of " +
                                     std::to_string(f.root_gb) + " GB is smaller than image " + image_meta.id +
                                     " (" + s.message() + ")");
    }
    return s;
  }
  guest.disks.push_back({root.string(), "qcow2", dev()});

  std::vector<std::int64_t> ephemerals;
  for (const auto& e : block_device_info.ephemerals) ephemerals.push_back(e.size_gb);
  if (ephemerals.empty() && f.ephemeral_gb > 0) ephemerals.push_back(f.ephemeral_gb);
  for (std::size_t i = 0; i < ephemerals.size(); ++i) {
    const fs::path path = dir / (std::string(kEphemeralDiskPrefix) + std::to_string(i));
    std::error_code ec;
    if (!(keep_ephemeral && fs::exists(path, ec))) {
      if (Status s = disks_->create_blank(ctx, path, ephemerals[i] * kGiB); !s.ok()) return s;
    }
    guest.disks.push_back({path.string(), "qcow2", dev()});
  }

  std::int64_t swap_mb = block_device_info.swap ? block_device_info.swap->size_mb : f.swap_mb;
  if (swap_mb > 0) {
    const fs::path path = dir / kSwapDiskFile;
    if (Status s = disks_->create_blank(ctx, path, swap_mb * kMiB); !s.ok()) return s;
    guest.disks.push_back({path.string(), "qcow2", dev()});
  }

  // Direct kernel boot (Nova's kernel_id/ramdisk_id), copied next to the disk
  // so the guest keeps booting even if the cache is pruned.
  if (Status s = copy_boot_files(ctx, instance, image_meta, kKernelFile, kRamdiskFile, guest); !s.ok()) return s;

  // Personality files reach a guest only through a config drive here (there
  // is no metadata service), so files ask for one as the user's flag does.
  if (instance.config_drive || config_.force_config_drive || !injection.files.empty()) {
    const fs::path iso = dir / kConfigDriveFile;
    if (Status s = make_config_drive(instance, iso, config_.genisoimage, std::chrono::seconds(60), injection);
        !s.ok()) {
      return s;
    }
    guest.config_drive_path = iso.string();
    log_->write(
        sdk::LogLevel::kInfo, ctx.request_id,
        fmt::format("instance {}: config drive {} ({} bytes of user data, {} file(s){}){}", instance.uuid, iso.string(),
                    instance.user_data.size(), injection.files.size(),
                    injection.admin_password.empty() ? "" : ", admin password",
                    instance.config_drive ? "" : (injection.files.empty() ? " (force_config_drive)" : " (files)")));
  }

  // QEMU (or virtlogd) appends to the log; creating it here gives it the
  // directory's owner and mode rather than whatever the first writer has.
  const fs::path log = dir / kConsoleLogFile;
  std::error_code ec;
  if (!fs::exists(log, ec)) {
    std::ofstream touch(log, std::ios::app);
    if (!touch) return Status::Internal("instance " + instance.uuid + ": cannot create " + log.string());
  }
  return Status::OK();
}

Status LibvirtDriver::define_and_start(const sdk::RequestContext& ctx, LibvirtConnection& conn,
                                       const GuestConfig& guest) {
  auto xml = build_guest_xml(guest);
  if (!xml.ok()) return xml.status();
  if (log_->enabled(sdk::LogLevel::kDebug)) {
    log_->write(sdk::LogLevel::kDebug, ctx.request_id, fmt::format("instance {}: domain XML\n{}", guest.uuid, *xml));
  }
  if (Status s = conn.define(*xml); !s.ok()) return s;
  if (Status s = conn.create(guest.name); !s.ok()) return s;
  auto info = conn.info(guest.name);
  if (!info.ok()) return info.status();
  if (to_power_state(*info) != PowerState::kRunning) {
    return Status::Internal("instance " + guest.uuid + ": domain " + guest.name + " started but is " +
                            state_name(to_power_state(*info)));
  }
  return Status::OK();
}

Status LibvirtDriver::hard_stop(LibvirtConnection& conn, const std::string& name) {
  auto ref = conn.lookup(name);
  if (!ref.ok()) return ref.status().is(sdk::StatusCode::kNotFound) ? Status::OK() : ref.status();
  if (!ref->active) return Status::OK();
  Status s = conn.destroy(name);
  // It may have stopped by itself in between: that is what was wanted.
  if (s.is(sdk::StatusCode::kInvalidState) || s.is(sdk::StatusCode::kNotFound)) return Status::OK();
  return s;
}

// ---- lifecycle -------------------------------------------------------------------------

Status LibvirtDriver::spawn(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                            const sdk::ImageMeta& image_meta, const sdk::InjectedFiles& injected_files,
                            const std::string& admin_password, const sdk::NetworkInfo& network_info,
                            const sdk::BlockDeviceInfo& block_device_info) {
  return guarded<Status>(*log_, "spawn", ctx.request_id, [&]() -> Status {
    if (Status s = check_instance(instance); !s.ok()) return s;
    if (Status s = check_image_format(instance, image_meta); !s.ok()) return s;
    auto guest = guest_config(instance, image_meta, network_info);
    if (!guest.ok()) return guest.status();
    auto conn = connection(ctx.request_id);
    if (!conn.ok()) return conn.status();
    LibvirtConnection& c = **conn;

    auto existing = c.lookup(guest->name);
    if (existing.ok()) {
      return Status::AlreadyExists("instance " + instance.uuid + ": domain " + guest->name + " already exists");
    }
    if (!existing.status().is(sdk::StatusCode::kNotFound)) return existing.status();
    const fs::path dir = instance_dir(instance.uuid);
    std::error_code ec;
    if (fs::exists(dir, ec)) {
      // Not ours to delete from here: a destroy with destroy_disks removes it.
      return Status::AlreadyExists("instance " + instance.uuid + ": files already exist at " + dir.string());
    }

    log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                fmt::format("instance {}: spawning domain {} ({} vcpus, {} MB, image {})", instance.uuid, guest->name,
                            guest->vcpus, guest->memory_mb, image_meta.id));
    if (!fs::create_directories(dir, ec) || ec) {
      return Status::Internal("instance " + instance.uuid + ": cannot create " + dir.string() + ": " + ec.message());
    }
    // From here on every failure undoes everything this spawn made.
    InstanceFilesGuard files(dir);
    Status s = prepare_disks(ctx, instance, image_meta, block_device_info, false,
                             ConfigDriveInjection{injected_files, admin_password, network_data_json(network_info, config_)},
                             *guest);
    if (s.ok()) s = define_and_start(ctx, c, *guest);
    if (!s.ok()) {
      log_->write(sdk::LogLevel::kError, ctx.request_id,
                  fmt::format("instance {}: spawn failed, cleaning up: {}", instance.uuid, s.to_string()));
      (void)hard_stop(c, guest->name);
      if (auto ref = find_guest(c, instance); ref.ok()) (void)c.undefine(guest->name);
      return s;
    }
    files.keep();
    log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                fmt::format("instance {}: domain {} running", instance.uuid, guest->name));
    return Status::OK();
  });
}

Status LibvirtDriver::destroy(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                              const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info,
                              bool destroy_disks) {
  (void)block_device_info;
  return guarded<Status>(*log_, "destroy", ctx.request_id, [&]() -> Status {
    if (Status s = check_instance(instance); !s.ok()) return s;
    auto conn = connection(ctx.request_id);
    if (!conn.ok()) return conn.status();
    LibvirtConnection& c = **conn;
    auto ref = find_guest(c, instance);
    if (ref.ok()) {
      if (Status s = hard_stop(c, ref->name); !s.ok()) return s;
      Status s = c.undefine(ref->name);
      if (!s.ok() && !s.is(sdk::StatusCode::kNotFound)) return s;
      log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                  fmt::format("instance {}: domain {} destroyed", instance.uuid, ref->name));
    } else if (!ref.status().is(sdk::StatusCode::kNotFound)) {
      // Cannot tell whether the guest still runs on its disks: keep them.
      return ref.status();
    }
    // The filters go with the domain that referenced them.
    std::vector<std::string> ports;
    for (const sdk::Vif& vif : network_info) ports.push_back(vif.id);
    {
      std::lock_guard lock(security_mutex_);
      if (auto it = port_security_.find(instance.uuid); it != port_security_.end()) {
        for (const auto& p : it->second) ports.push_back(p.port_id);
        port_security_.erase(it);
      }
    }
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
    for (const std::string& port : ports) {
      if (port.empty()) continue;
      Status u = c.undefine_nwfilter(nwfilter_name(port));
      if (!u.ok() && !u.is(sdk::StatusCode::kNotFound) && !u.is(sdk::StatusCode::kNotSupported)) {
        log_->write(sdk::LogLevel::kWarn, ctx.request_id,
                    fmt::format("instance {}: network filter {} left defined: {}", instance.uuid, nwfilter_name(port),
                                u.to_string()));
      }
    }
    if (destroy_disks) {
      std::error_code ec;
      fs::remove_all(instance_dir(instance.uuid), ec);
      if (ec) return Status::Internal("instance " + instance.uuid + ": cannot remove its files: " + ec.message());
    }
    return Status::OK();
  });
}

sdk::Result<DomainInfo> LibvirtDriver::domain_info(LibvirtConnection& conn, const sdk::Instance& instance) {
  if (Status s = check_instance(instance); !s.ok()) return s;
  auto ref = find_guest(conn, instance);
  if (!ref.ok()) {
    if (ref.status().is(sdk::StatusCode::kNotFound)) {
      return Status::NotFound("instance " + instance.uuid + " not found on libvirt host " + config_.uri);
    }
    return ref.status();
  }
  return conn.info(ref->name);
}

sdk::Result<LibvirtDriver::OpenGuest> LibvirtDriver::open_guest(const std::string& request_id,
                                                                const sdk::Instance& instance) {
  auto conn = connection(request_id);
  if (!conn.ok()) return conn.status();
  auto info = domain_info(**conn, instance);
  if (!info.ok()) return info.status();
  return OpenGuest{std::move(*conn), *info};
}

Status LibvirtDriver::wait_for_shutoff(LibvirtConnection& conn, const std::string& name,
                                       std::chrono::milliseconds timeout, std::chrono::milliseconds resend_every) {
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  auto last_sent = start;
  for (;;) {
    auto info = conn.info(name);
    if (!info.ok()) return info.status();
    if (info->state == DomainState::kShutoff) return Status::OK();
    const auto now = Clock::now();
    if (now >= deadline) break;
    if (resend_every.count() > 0 && now - last_sent >= resend_every) {
      // Early in boot a guest may miss the first ACPI event; Nova re-sends too.
      (void)conn.shutdown(name);
      last_sent = now;
    }
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        config_.state_poll, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)));
  }
  return Status::Timeout("domain " + name + " did not power off within " + std::to_string(timeout.count()) + " ms");
}

Status LibvirtDriver::reboot(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                             const sdk::NetworkInfo& network_info, sdk::RebootType type,
                             const sdk::BlockDeviceInfo& block_device_info) {
  (void)network_info, (void)block_device_info;
  return guarded<Status>(*log_, "reboot", ctx.request_id, [&]() -> Status {
    auto opened = open_guest(ctx.request_id, instance);
    if (!opened.ok()) return opened.status();
    LibvirtConnection& c = *opened->conn;
    const DomainInfo& info = opened->info;
    const PowerState state = to_power_state(info);
    const std::string name = domain_name(instance);

    if (type == sdk::RebootType::kSoft) {
      if (state != PowerState::kRunning) {
        return Status::InvalidState("cannot soft-reboot instance " + instance.uuid + ": it is " + state_name(state) +
                                    " (soft reboot needs running)");
      }
      Status sent = c.shutdown(name);
      if (sent.ok()) {
        Status down = wait_for_shutoff(c, name, config_.soft_reboot_timeout, std::chrono::milliseconds(0));
        if (down.ok()) {
          if (Status s = c.create(name); !s.ok()) return s;
          log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                      fmt::format("instance {}: soft reboot done", instance.uuid));
          return Status::OK();
        }
        if (!down.is(sdk::StatusCode::kTimeout)) return down;
        log_->write(sdk::LogLevel::kWarn, ctx.request_id,
                    fmt::format("instance {}: guest did not shut down within {} s; rebooting hard", instance.uuid,
                                config_.soft_reboot_timeout.count()));
      } else {
        log_->write(
            sdk::LogLevel::kWarn, ctx.request_id,
            fmt::format("instance {}: ACPI shutdown refused ({}); rebooting hard", instance.uuid, sent.to_string()));
      }
    } else if (state == PowerState::kSuspended || state == PowerState::kNoState) {
      return Status::InvalidState("cannot hard-reboot instance " + instance.uuid + ": it is " + state_name(state) +
                                  " (hard reboot needs running, paused, shutdown or crashed)");
    }
    if (Status s = hard_stop(c, name); !s.ok()) return s;
    if (Status s = c.create(name); !s.ok()) return s;
    log_->write(sdk::LogLevel::kInfo, ctx.request_id, fmt::format("instance {}: hard reboot done", instance.uuid));
    return Status::OK();
  });
}

Status LibvirtDriver::power_off(const sdk::RequestContext& ctx, const sdk::Instance& instance, std::int32_t timeout_s,
                                std::int32_t retry_interval_s) {
  return guarded<Status>(*log_, "power_off", ctx.request_id, [&]() -> Status {
    auto opened = open_guest(ctx.request_id, instance);
    if (!opened.ok()) return opened.status();
    LibvirtConnection& c = *opened->conn;
    const DomainInfo& info = opened->info;
    const PowerState state = to_power_state(info);
    const std::string name = domain_name(instance);
    if (info.state == DomainState::kShutoff && state == PowerState::kShutdown) return Status::OK();
    if (state == PowerState::kSuspended) {
      return Status::InvalidState("cannot power off instance " + instance.uuid +
                                  ": it is suspended (power_off needs running, paused or crashed)");
    }
    const auto timeout = timeout_s < 0 ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                             config_.clean_shutdown_timeout)
                                       : std::chrono::milliseconds(std::int64_t{timeout_s} * 1000);
    // A paused or crashed guest cannot answer ACPI: only a hard stop helps.
    if (state == PowerState::kRunning && timeout.count() > 0) {
      if (Status sent = c.shutdown(name); sent.ok()) {
        Status down = wait_for_shutoff(c, name, timeout,
                                       std::chrono::milliseconds(std::int64_t{std::max(retry_interval_s, 0)} * 1000));
        if (down.ok()) {
          log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                      fmt::format("instance {}: powered off cleanly", instance.uuid));
          return Status::OK();
        }
        if (!down.is(sdk::StatusCode::kTimeout)) return down;
        log_->write(sdk::LogLevel::kWarn, ctx.request_id,
                    fmt::format("instance {}: no clean shutdown within {} ms; powering off hard", instance.uuid,
                                timeout.count()));
      }
    }
    if (Status s = hard_stop(c, name); !s.ok()) return s;
    log_->write(sdk::LogLevel::kInfo, ctx.request_id, fmt::format("instance {}: powered off", instance.uuid));
    return Status::OK();
  });
}

Status LibvirtDriver::power_on(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                               const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info) {
  (void)network_info, (void)block_device_info;
  return guarded<Status>(*log_, "power_on", ctx.request_id, [&]() -> Status {
    auto opened = open_guest(ctx.request_id, instance);
    if (!opened.ok()) return opened.status();
    LibvirtConnection& c = *opened->conn;
    const DomainInfo& info = opened->info;
    const PowerState state = to_power_state(info);
    if (state == PowerState::kRunning) return Status::OK();
    if (state != PowerState::kShutdown && state != PowerState::kCrashed) {
      return Status::InvalidState("cannot power on instance " + instance.uuid + ": it is " + state_name(state) +
                                  " (power_on needs shutdown or crashed)");
    }
    const std::string name = domain_name(instance);
    if (Status s = hard_stop(c, name); !s.ok()) return s;  // a guest still shutting down
    if (Status s = c.create(name); !s.ok()) return s;
    log_->write(sdk::LogLevel::kInfo, ctx.request_id, fmt::format("instance {}: powered on", instance.uuid));
    return Status::OK();
  });
}

Status LibvirtDriver::pause(const sdk::RequestContext& ctx, const sdk::Instance& instance) {
  return guarded<Status>(*log_, "pause", ctx.request_id, [&]() -> Status {
    auto conn = connection(ctx.request_id);
    if (!conn.ok()) return conn.status();
    auto info = domain_info(**conn, instance);
    if (!info.ok()) return info.status();
    const PowerState state = to_power_state(*info);
    if (state != PowerState::kRunning) {
      return Status::InvalidState("cannot pause instance " + instance.uuid + ": it is " + state_name(state) +
                                  " (pause needs running)");
    }
    if (Status s = (*conn)->suspend(domain_name(instance)); !s.ok()) return s;
    log_->write(sdk::LogLevel::kInfo, ctx.request_id, fmt::format("instance {}: paused", instance.uuid));
    return Status::OK();
  });
}

Status LibvirtDriver::unpause(const sdk::RequestContext& ctx, const sdk::Instance& instance) {
  return guarded<Status>(*log_, "unpause", ctx.request_id, [&]() -> Status {
    auto conn = connection(ctx.request_id);
    if (!conn.ok()) return conn.status();
    auto info = domain_info(**conn, instance);
    if (!info.ok()) return info.status();
    const PowerState state = to_power_state(*info);
    if (state != PowerState::kPaused) {
      return Status::InvalidState("cannot unpause instance " + instance.uuid + ": it is " + state_name(state) +
                                  " (unpause needs paused)");
    }
    if (Status s = (*conn)->resume(domain_name(instance)); !s.ok()) return s;
    log_->write(sdk::LogLevel::kInfo, ctx.request_id, fmt::format("instance {}: unpaused", instance.uuid));
    return Status::OK();
  });
}

Status LibvirtDriver::suspend(const sdk::RequestContext& ctx, const sdk::Instance& instance) {
  return guarded<Status>(*log_, "suspend", ctx.request_id, [&]() -> Status {
    auto conn = connection(ctx.request_id);
    if (!conn.ok()) return conn.status();
    auto info = domain_info(**conn, instance);
    if (!info.ok()) return info.status();
    const PowerState state = to_power_state(*info);
    if (state != PowerState::kRunning && state != PowerState::kPaused) {
      return Status::InvalidState("cannot suspend instance " + instance.uuid + ": it is " + state_name(state) +
                                  " (suspend needs running or paused)");
    }
    if (Status s = (*conn)->managed_save(domain_name(instance)); !s.ok()) return s;
    log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                fmt::format("instance {}: suspended (managed save)", instance.uuid));
    return Status::OK();
  });
}

Status LibvirtDriver::resume(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                             const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info) {
  (void)network_info, (void)block_device_info;
  return guarded<Status>(*log_, "resume", ctx.request_id, [&]() -> Status {
    auto conn = connection(ctx.request_id);
    if (!conn.ok()) return conn.status();
    auto info = domain_info(**conn, instance);
    if (!info.ok()) return info.status();
    // Only a managed save can be resumed from here; a guest that put itself
    // to sleep (pmsuspended) wakes from inside.
    if (!(info->state == DomainState::kShutoff && info->has_managed_save)) {
      return Status::InvalidState("cannot resume instance " + instance.uuid + ": it is " +
                                  state_name(to_power_state(*info)) + " (resume needs suspended)");
    }
    if (Status s = (*conn)->create(domain_name(instance)); !s.ok()) return s;
    log_->write(sdk::LogLevel::kInfo, ctx.request_id, fmt::format("instance {}: resumed", instance.uuid));
    return Status::OK();
  });
}

Status LibvirtDriver::rebuild(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                              const sdk::ImageMeta& image_meta, const sdk::InjectedFiles& injected_files,
                              const std::string& admin_password, const sdk::NetworkInfo& network_info,
                              const sdk::BlockDeviceInfo& block_device_info, bool preserve_ephemeral) {
  return guarded<Status>(*log_, "rebuild", ctx.request_id, [&]() -> Status {
    auto opened = open_guest(ctx.request_id, instance);
    if (!opened.ok()) return opened.status();
    LibvirtConnection& c = *opened->conn;
    const DomainInfo& info = opened->info;
    const PowerState state = to_power_state(info);
    if (state != PowerState::kRunning && state != PowerState::kShutdown && state != PowerState::kCrashed) {
      return Status::InvalidState("cannot rebuild instance " + instance.uuid + ": it is " + state_name(state) +
                                  " (rebuild needs running, shutdown or crashed)");
    }
    // Everything that can be refused is checked before the old guest is touched.
    if (Status s = check_image_format(instance, image_meta); !s.ok()) return s;
    auto guest = guest_config(instance, image_meta, network_info);
    if (!guest.ok()) return guest.status();
    const std::string name = guest->name;

    log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                fmt::format("instance {}: rebuilding from image {}", instance.uuid, image_meta.id));
    if (state == PowerState::kRunning) {
      if (c.shutdown(name).ok()) {
        (void)wait_for_shutoff(c, name, config_.clean_shutdown_timeout, std::chrono::milliseconds(0));
      }
    }
    if (Status s = hard_stop(c, name); !s.ok()) return s;
    if (Status s = c.undefine(name); !s.ok()) return s;
    remove_instance_disks(instance_dir(instance.uuid), preserve_ephemeral);

    Status s = prepare_disks(ctx, instance, image_meta, block_device_info, preserve_ephemeral,
                             ConfigDriveInjection{injected_files, admin_password, network_data_json(network_info, config_)},
                             *guest);
    if (s.ok()) s = define_and_start(ctx, c, *guest);
    if (!s.ok()) {
      log_->write(
          sdk::LogLevel::kError, ctx.request_id,
          fmt::format("instance {}: rebuild failed after the old guest was removed: {}", instance.uuid, s.to_string()));
      return Status(s.code(), "rebuild of instance " + instance.uuid +
                                  " failed after its old root disk was removed (the guest is gone until it "
                                  "is rebuilt again or deleted): " + s.message());
    }
    log_->write(sdk::LogLevel::kInfo, ctx.request_id, fmt::format("instance {}: rebuilt and running", instance.uuid));
    return Status::OK();
  });
}

sdk::Result<sdk::InstanceInfo> LibvirtDriver::get_info(const sdk::Instance& instance) {
  return guarded<sdk::Result<sdk::InstanceInfo>>(*log_, "get_info", "", [&]() -> sdk::Result<sdk::InstanceInfo> {
    auto conn = connection("");
    if (!conn.ok()) return conn.status();
    auto info = domain_info(**conn, instance);
    if (!info.ok()) return info.status();
    sdk::InstanceInfo out;
    out.state = to_power_state(*info);
    out.max_mem_kb = info->max_mem_kb;
    out.mem_kb = info->mem_kb;
    out.num_cpu = info->vcpus;
    out.cpu_time_ns = info->cpu_time_ns;
    out.internal_id = domain_name(instance);
    return out;
  });
}

sdk::Result<std::vector<std::string>> LibvirtDriver::list_instances() {
  using R = sdk::Result<std::vector<std::string>>;
  return guarded<R>(*log_, "list_instances", "", [&]() -> R {
    auto conn = connection("");
    if (!conn.ok()) return conn.status();
    auto domains = (*conn)->list();
    if (!domains.ok()) return domains.status();
    std::vector<std::string> out;
    for (const DomainRef& d : *domains) {
      auto meta = (*conn)->metadata(d.name, kMetadataNamespace);
      if (meta.ok()) {
        out.push_back(d.uuid);
      } else if (!meta.status().is(sdk::StatusCode::kNotFound)) {
        return meta.status();
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  });
}

sdk::Result<sdk::HostResources> LibvirtDriver::get_available_resource(const std::string& nodename) {
  using R = sdk::Result<sdk::HostResources>;
  return guarded<R>(*log_, "get_available_resource", "", [&]() -> R {
    auto conn = connection("");
    if (!conn.ok()) return conn.status();
    LibvirtConnection& c = **conn;
    auto node = c.node_info();
    if (!node.ok()) return node.status();
    auto domains = c.list();
    if (!domains.ok()) return domains.status();

    sdk::HostResources r;
    r.hypervisor_hostname = !nodename.empty() ? nodename : node->hostname;
    r.hypervisor_type = "QEMU";
    r.hypervisor_version = static_cast<std::int64_t>(node->hypervisor_version);
    r.cpu_arch = node->model;
    r.vcpus = node->cpus;
    r.memory_mb = node->memory_kb / 1024;
    std::int64_t guest_memory_mb = 0;
    for (const DomainRef& d : *domains) {
      if (!d.active || !c.metadata(d.name, kMetadataNamespace).ok()) continue;
      auto info = c.info(d.name);
      if (!info.ok()) continue;  // gone since the listing
      ++r.running_vms;
      r.vcpus_used += info->vcpus;
      guest_memory_mb += info->max_mem_kb / 1024;
    }
    // The host's own view (as Nova reads /proc/meminfo) when libvirt gives
    // one; otherwise what our guests take.
    r.memory_mb_used = node->free_memory_kb > 0 ? std::max<std::int64_t>(0, r.memory_mb - node->free_memory_kb / 1024)
                                                : guest_memory_mb;
    auto disk = disk_usage(config_.instances_path);
    if (disk.ok()) {
      r.local_gb = disk->total_bytes / kGiB;
      r.local_gb_used = disk->used_bytes / kGiB;
      r.disk_available_least_gb = disk->available_bytes / kGiB;
    }
    r.cpu_info = cpu_info_json(*node);
    r.supported_instances.push_back({node->model, config_.virt_type, "hvm"});
    return r;
  });
}

sdk::Result<std::string> LibvirtDriver::get_console_output(const sdk::RequestContext& ctx,
                                                           const sdk::Instance& instance) {
  using R = sdk::Result<std::string>;
  return guarded<R>(*log_, "get_console_output", ctx.request_id, [&]() -> R {
    auto conn = connection(ctx.request_id);
    if (!conn.ok()) return conn.status();
    auto info = domain_info(**conn, instance);
    if (!info.ok()) return info.status();
    return read_tail(instance_dir(instance.uuid) / kConsoleLogFile, config_.console_log_bytes);
  });
}

// ---- the factory -------------------------------------------------------------------------

sdk::Result<std::unique_ptr<sdk::VirtDriver>> make_libvirt_driver(const sdk::PluginConfig& config) {
  auto parsed = LibvirtConfig::from_plugin_config(config);
  if (!parsed.ok()) return parsed.status();
  auto fetcher = std::make_shared<DirectoryImageFetcher>(parsed->image_source_path);
  auto disks = std::make_shared<QemuImgDisks>(parsed->image_cache_path(), fetcher, parsed->qemu_img);
  if (parsed->remove_unused_base_images) {
    disks->start_cache_manager(parsed->instances_path, parsed->remove_unused_original_minimum_age,
                               parsed->image_cache_manager_interval);
  }
  return std::unique_ptr<sdk::VirtDriver>(
      new LibvirtDriver(std::move(*parsed), open_libvirt_connection, std::move(disks)));
}

// ---- ABI 4 -------------------------------------------------------------------------------

namespace {
std::optional<std::int64_t> known(std::int64_t v) { return v < 0 ? std::nullopt : std::optional<std::int64_t>(v); }
}  // namespace

sdk::Result<sdk::Diagnostics> LibvirtDriver::get_diagnostics(const sdk::RequestContext& ctx,
                                                             const sdk::Instance& instance) {
  return guarded<sdk::Result<sdk::Diagnostics>>(*log_, "get_diagnostics", ctx.request_id,
                                                [&]() -> sdk::Result<sdk::Diagnostics> {
    auto opened = open_guest(ctx.request_id, instance);
    if (!opened.ok()) return opened.status();
    LibvirtConnection& c = *opened->conn;
    const DomainInfo& info = opened->info;
    const std::string name = domain_name(instance);
    sdk::Diagnostics d;
    d.state = state_name(to_power_state(info));
    d.driver = "libvirt";
    d.hypervisor = config_.virt_type;
    d.hypervisor_os = "linux";
    std::error_code ec;
    d.config_drive = fs::exists(instance_dir(instance.uuid) / kConfigDriveFile, ec);
    d.memory_max_mb = info.max_mem_kb / 1024;
    d.memory_used_mb = info.mem_kb / 1024;
    if (auto vcpus = c.vcpu_stats(name); vcpus.ok()) {
      for (const VcpuStat& v : *vcpus) {
        d.cpus.push_back({v.id, static_cast<std::int64_t>(v.cpu_time_ns), std::nullopt});
      }
    } else {
      // A guest that is not running has no vCPU threads to ask: the count only.
      for (std::int32_t i = 0; i < info.vcpus; ++i) d.cpus.push_back({i, std::nullopt, std::nullopt});
    }
    auto xml = c.xml(name);
    if (!xml.ok()) return xml.status();
    auto devices = parse_domain_devices(*xml);
    if (!devices.ok()) return Status::Internal("instance " + instance.uuid + ": " + devices.status().message());
    for (const std::string& dev : devices->disks) {
      sdk::DiskDiagnostics disk;
      if (auto st = c.block_stats(name, dev); st.ok()) {
        disk.read_bytes = known(st->rd_bytes);
        disk.read_requests = known(st->rd_req);
        disk.write_bytes = known(st->wr_bytes);
        disk.write_requests = known(st->wr_req);
        disk.errors_count = known(st->errs);
      }
      d.disks.push_back(disk);
    }
    for (const DomainInterface& nic : devices->interfaces) {
      sdk::NicDiagnostics n;
      n.mac_address = nic.mac;
      if (!nic.target_dev.empty()) {
        if (auto st = c.interface_stats(name, nic.target_dev); st.ok()) {
          n.rx_octets = known(st->rx_bytes);
          n.rx_packets = known(st->rx_packets);
          n.rx_errors = known(st->rx_errs);
          n.rx_drop = known(st->rx_drop);
          n.tx_octets = known(st->tx_bytes);
          n.tx_packets = known(st->tx_packets);
          n.tx_errors = known(st->tx_errs);
          n.tx_drop = known(st->tx_drop);
        }
      }
      d.nics.push_back(n);
    }
    return d;
  });
}

Status LibvirtDriver::apply_security_groups(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                            const std::vector<sdk::PortSecurity>& ports) {
  return guarded<Status>(*log_, "apply_security_groups", ctx.request_id, [&]() -> Status {
    if (!is_uuid(instance.uuid)) return Status::InvalidArgument("instance uuid '" + instance.uuid + "' is not a uuid");
    // Every filter is written before any is defined: a rule libvirt cannot
    // express changes nothing.
    std::vector<std::string> xmls;
    for (const sdk::PortSecurity& p : ports) {
      auto xml = build_nwfilter_xml(p);
      if (!xml.ok()) return Status::InvalidArgument("instance " + instance.uuid + ": " + xml.status().message());
      xmls.push_back(std::move(*xml));
    }
    auto conn = connection(ctx.request_id);
    if (!conn.ok()) return conn.status();
    for (std::size_t i = 0; i < xmls.size(); ++i) {
      if (Status s = (*conn)->define_nwfilter(xmls[i]); !s.ok()) {
        log_->write(sdk::LogLevel::kError, ctx.request_id,
                    fmt::format("instance {}: network filter {}: {}", instance.uuid, nwfilter_name(ports[i].port_id),
                                s.to_string()));
        return s;
      }
    }
    {
      std::lock_guard lock(security_mutex_);
      port_security_[instance.uuid] = ports;
    }
    std::size_t rules = 0;
    for (const auto& p : ports) rules += p.rules.size();
    log_->write(
        sdk::LogLevel::kInfo, ctx.request_id,
        fmt::format("instance {}: {} network filter(s) defined ({} rule(s))", instance.uuid, ports.size(), rules));
    return Status::OK();
  });
}

// ---- ABI 5: snapshot ---------------------------------------------------------------------

Status LibvirtDriver::snapshot(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                               const sdk::ImageMeta& image, const std::string& path) {
  return guarded<Status>(*log_, "snapshot", ctx.request_id, [&]() -> Status {
    if (Status s = check_instance(instance); !s.ok()) return s;
    if (image.disk_format != "qcow2" && image.disk_format != "raw") {
      return Status::InvalidArgument("instance " + instance.uuid + ": cannot snapshot into image " + image.id +
                                     " of disk format '" + image.disk_format + "' (qcow2 or raw)");
    }
    const std::string name = domain_name(instance);
    auto opened = open_guest(ctx.request_id, instance);
    if (!opened.ok()) return opened.status();
    LibvirtConnection& c = *opened->conn;
    const DomainInfo& info = opened->info;
    // Nova's cold snapshot, without stopping the guest: paused, QEMU has
    // flushed the disk and writes nothing until it runs again.
    const bool pause = to_power_state(info) == PowerState::kRunning;
    if (pause) {
      if (Status s = c.suspend(name); !s.ok()) return s;
    }
    Status done = disks_->export_disk(ctx, instance_dir(instance.uuid) / kRootDiskFile, image.disk_format, path);
    if (pause) {
      if (Status s = c.resume(name); !s.ok()) {
        log_->write(sdk::LogLevel::kError, ctx.request_id,
                    fmt::format("instance {}: left paused after its snapshot: {}", instance.uuid, s.to_string()));
        if (done.ok()) {
          std::error_code ec;
          fs::remove(path, ec);
          done = s;
        }
      }
    }
    if (!done.ok()) return done;
    log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                fmt::format("instance {}: root disk written as {} for image {}{}", instance.uuid, image.disk_format,
                            image.id, pause ? " (paused meanwhile)" : ""));
    return Status::OK();
  });
}

// ---- ABI 6 -------------------------------------------------------------------------------

Status LibvirtDriver::change_interface(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                       const sdk::Vif& vif, bool attach) {
  const char* what = attach ? "attach_interface" : "detach_interface";
  return guarded<Status>(*log_, what, ctx.request_id, [&]() -> Status {
    auto conn = connection(ctx.request_id);
    if (!conn.ok()) return conn.status();
    auto info = domain_info(**conn, instance);
    if (!info.ok()) return info.status();
    // Live on a running or paused domain; a shut-off one changes its
    // definition only and sees the port at its next boot (Nova's libvirt
    // driver does the same with AFFECT_CONFIG | AFFECT_LIVE when active).
    const PowerState state = to_power_state(*info);
    if (state != PowerState::kRunning && state != PowerState::kPaused && state != PowerState::kShutdown) {
      return Status::InvalidState(std::string("cannot ") + (attach ? "attach an interface to" : "detach an interface from") +
                                  " instance " + instance.uuid + ": it is " + state_name(state));
    }
    auto nic = interface_for(instance, vif);
    if (!nic.ok()) return nic.status();
    auto xml = build_interface_xml(*nic);
    if (!xml.ok()) return xml.status();
    const bool live = state != PowerState::kShutdown;
    Status st = attach ? (*conn)->attach_device(domain_name(instance), *xml, live)
                       : (*conn)->detach_device(domain_name(instance), *xml, live);
    if (!st.ok()) return st;
    log_->write(sdk::LogLevel::kInfo, ctx.request_id,
                fmt::format("instance {}: port {} ({}) {}{}", instance.uuid, vif.id, vif.address,
                            attach ? "attached" : "detached", live ? "" : " in the definition"));
    return Status::OK();
  });
}

Status LibvirtDriver::attach_interface(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                       const sdk::Vif& vif) {
  return change_interface(ctx, instance, vif, true);
}

Status LibvirtDriver::detach_interface(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                       const sdk::Vif& vif) {
  return change_interface(ctx, instance, vif, false);
}

Status LibvirtDriver::trigger_crash_dump(const sdk::RequestContext& ctx, const sdk::Instance& instance) {
  return guarded<Status>(*log_, "trigger_crash_dump", ctx.request_id, [&]() -> Status {
    auto conn = connection(ctx.request_id);
    if (!conn.ok()) return conn.status();
    // libvirt answers VIR_ERR_OPERATION_INVALID (kInvalidState) for a domain
    // that is not running and VIR_ERR_NO_SUPPORT (kNotSupported) where the
    // hypervisor cannot inject an NMI, as Nova's driver maps them.
    if (Status st = (*conn)->inject_nmi(domain_name(instance)); !st.ok()) return st;
    log_->write(sdk::LogLevel::kInfo, ctx.request_id, fmt::format("instance {}: NMI injected", instance.uuid));
    return Status::OK();
  });
}

}  // namespace stratus::drivers::libvirt
