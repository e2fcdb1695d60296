// FakeDriver: the power-state machine, fault application and bookkeeping of
// one fake host (contract in fake_driver.h).
#include "stratus/drivers/fake/fake_driver.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <type_traits>

#include "cpu_info.h"
#include "guest_console.h"
#include "guest_records.h"
#include "state_file.h"

namespace stratus::drivers::fake {

using sdk::PowerState;
using sdk::Status;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kDefaultHost = "fake-host";
const std::vector<std::string> kImageFormats = {"qcow2", "raw", "ami", "iso"};
constexpr std::size_t kSnapshotBytes = 64 * 1024;  // the size of a fake snapshot's disk

std::string state_name(PowerState state) { return std::string(sdk::power_state_name(state)); }

}  // namespace

struct FakeDriver::Guest {
  explicit Guest(std::size_t console_bytes) : console(console_bytes) {}

  FakeGuest info;
  std::string hostname;  // what the guest OS calls itself
  GuestConsole console;
  std::uint64_t cpu_time_ns = 0;  // accumulated up to running_since
  Clock::time_point running_since{};
  Clock::time_point booted_at{};  // the guest OS's last start (diagnostics' uptime)

  std::uint64_t cpu_time(Clock::time_point now) const {
    if (info.state != PowerState::kRunning) return cpu_time_ns;
    return cpu_time_ns + static_cast<std::uint64_t>(
                             std::chrono::duration_cast<std::chrono::nanoseconds>(now - running_since).count());
  }

  // Every state change goes through here so cpu time stops and starts with it.
  void set_state(PowerState next, Clock::time_point now) {
    cpu_time_ns = cpu_time(now);
    info.state = next;
    if (next == PowerState::kRunning) running_since = now;
  }

  // The guest OS starts: a boot log, and it runs.
  void boot(const std::string& hypervisor_type, Clock::time_point now) {
    GuestBootInfo boot_info;
    boot_info.hostname = hostname;
    boot_info.vcpus = info.flavor.vcpus;
    boot_info.memory_mb = info.flavor.memory_mb;
    boot_info.root_gb = info.flavor.root_gb;
    boot_info.ephemeral_gb = info.flavor.ephemeral_gb;
    boot_info.hypervisor_type = hypervisor_type;
    boot_info.config_drive = info.config_drive;
    boot_info.injected_files = info.injected_files;
    boot_info.network_info = &info.network_info;
    console.boot(boot_info, now);
    booted_at = now;
    ++info.boot_count;
    set_state(PowerState::kRunning, now);
  }
};

// Counts a call in progress, so the destructor can wait for it. Lives inside
// the lock: constructed after it is taken and destroyed before it is released.
class FakeDriver::CallScope {
 public:
  explicit CallScope(FakeDriver& driver) : driver_(driver) { ++driver_.active_calls_; }
  ~CallScope() {
    if (--driver_.active_calls_ == 0 && driver_.stopping_) driver_.cv_.notify_all();
  }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  FakeDriver& driver_;
};

FakeDriver::FakeDriver(FakeDriverConfig config)
    : config_(std::move(config)), host_(config_.host.empty() ? kDefaultHost : config_.host) {
  for (FakeOperation op : all_operations()) {
    const auto& spec = config_.faults[static_cast<std::size_t>(op)];
    if (spec && spec->action != FaultSpec::Action::kNone) {
      faults_[static_cast<std::size_t>(op)] =
          ActiveFault{*spec, spec->times, "config key 'fault." + std::string(operation_name(op)) + "'"};
    }
  }
}

FakeDriver::~FakeDriver() {
  try {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return active_calls_ == 0; });
  } catch (...) {
    // Locking failed (the system is broken); nothing better to do in a destructor.
  }
}

namespace {

// Whether a successful `op` may change a guest, so the state file is saved.
bool changes_guests(FakeOperation op) {
  switch (op) {
    case FakeOperation::kSpawn:
    case FakeOperation::kDestroy:
    case FakeOperation::kReboot:
    case FakeOperation::kPowerOff:
    case FakeOperation::kPowerOn:
    case FakeOperation::kPause:
    case FakeOperation::kUnpause:
    case FakeOperation::kSuspend:
    case FakeOperation::kResume:
    case FakeOperation::kRebuild:
    case FakeOperation::kAttachInterface:
    case FakeOperation::kDetachInterface:
    case FakeOperation::kRescue:
    case FakeOperation::kUnrescue: return true;
    default: return false;
  }
}

// The `unsupported` name (fake_driver_config.h) that turns `op` off, or "".
std::string_view capability_of(FakeOperation op) {
  switch (op) {
    case FakeOperation::kReboot: return "reboot";
    case FakeOperation::kPowerOff:
    case FakeOperation::kPowerOn: return "power_off";
    case FakeOperation::kPause:
    case FakeOperation::kUnpause: return "pause";
    case FakeOperation::kSuspend:
    case FakeOperation::kResume: return "suspend";
    case FakeOperation::kRebuild: return "rebuild";
    case FakeOperation::kGetConsoleOutput: return "console_output";
    case FakeOperation::kGetAvailableResource: return "get_available_resource";
    case FakeOperation::kAttachInterface:
    case FakeOperation::kDetachInterface: return "attach_interface";
    case FakeOperation::kTriggerCrashDump: return "trigger_crash_dump";
    case FakeOperation::kRescue:
    case FakeOperation::kUnrescue: return "rescue";
    default: return "";
  }
}

}  // namespace

template <typename R, typename Body>
R FakeDriver::run(FakeOperation op, const sdk::Instance* instance, Body&& body) noexcept {
  try {
    // As the SDK's default method of a driver that does not implement it.
    if (const std::string_view cap = capability_of(op); !cap.empty() && config_.lacks(cap)) {
      return Status::NotSupported(std::string(operation_name(op)) + " (fake host " + host_ +
                                  " is configured without it)");
    }
    std::unique_lock lock(mutex_);
    CallScope scope(*this);
    if (Status fault = apply_fault(op, instance, lock); !fault.ok()) return fault;
    R result = body();
    if constexpr (std::is_same_v<R, Status>) {
      if (result.ok() && changes_guests(op)) save_state();
    }
    return result;
  } catch (const std::exception& e) {
    return Status::Internal(std::string(operation_name(op)) + " on a fake host failed unexpectedly: " + e.what());
  } catch (...) {
    return Status::Internal(std::string(operation_name(op)) + " on a fake host failed unexpectedly");
  }
}

// ---- faults ---------------------------------------------------------------------

Status FakeDriver::check_metadata_faults(const sdk::Instance& instance) const {
  if (!config_.allow_metadata_faults) return Status::OK();
  const std::string prefix(kMetadataFaultPrefix);
  for (auto it = instance.metadata.lower_bound(prefix);
       it != instance.metadata.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const std::string op_name = it->first.substr(prefix.size());
    if (!parse_operation(op_name)) {
      return Status::InvalidArgument("instance " + instance.uuid + " metadata '" + it->first +
                                     "': no operation '" + op_name + "' can take a fault");
    }
    auto spec = FaultSpec::parse(it->second);
    if (!spec.ok()) {
      return Status::InvalidArgument("instance " + instance.uuid + " metadata '" + it->first +
                                     "': " + spec.status().message());
    }
  }
  return Status::OK();
}

sdk::Result<std::optional<FakeDriver::FaultHit>> FakeDriver::take_fault(FakeOperation op,
                                                                        const sdk::Instance* instance) {
  using Hit = std::optional<FaultHit>;
  if (instance != nullptr && config_.allow_metadata_faults) {
    // A spawn is where metadata first arrives: refuse every bad key up front,
    // so a typo is reported once, before the guest exists.
    if (op == FakeOperation::kSpawn) {
      if (Status s = check_metadata_faults(*instance); !s.ok()) return s;
    }
    const std::string key = std::string(kMetadataFaultPrefix) + std::string(operation_name(op));
    if (auto it = instance->metadata.find(key); it != instance->metadata.end()) {
      auto spec = FaultSpec::parse(it->second);
      if (!spec.ok()) {
        return Status::InvalidArgument("instance " + instance->uuid + " metadata '" + key +
                                       "': " + spec.status().message());
      }
      // The instance's own spec governs its calls, even when it is "none" or spent.
      if (spec->action == FaultSpec::Action::kNone) return Hit{};
      if (spec->times) {
        MetadataFaultUse& use = metadata_fault_uses_[{instance->uuid, op}];
        if (use.spec_text != it->second) use = MetadataFaultUse{it->second, 0};
        if (use.used >= *spec->times) return Hit{};
        ++use.used;
      }
      return Hit{FaultHit{*spec, "instance metadata '" + key + "'"}};
    }
  }
  auto& slot = faults_[static_cast<std::size_t>(op)];
  if (!slot) return Hit{};
  Hit hit = FaultHit{slot->spec, slot->source};
  if (slot->remaining && --*slot->remaining == 0) slot.reset();
  return hit;
}

Status FakeDriver::apply_fault(FakeOperation op, const sdk::Instance* instance, std::unique_lock<std::mutex>& lock) {
  auto taken = take_fault(op, instance);
  if (!taken.ok()) return taken.status();
  if (!taken->has_value()) return Status::OK();
  const FaultHit hit = **taken;

  std::string what = std::string(operation_name(op));
  if (instance != nullptr) {
    what += " of instance " + instance->uuid;
    if (const Guest* g = find(instance->uuid)) what += " (" + state_name(g->info.state) + ")";
  }
  what += " on fake host " + host_ + ": injected fault '" + hit.spec.to_string() + "' from " + hit.source;

  switch (hit.spec.action) {
    case FaultSpec::Action::kNone: return Status::OK();
    case FaultSpec::Action::kFail: return Status(hit.spec.code, what);
    case FaultSpec::Action::kDelay:
    case FaultSpec::Action::kHang: break;
  }
  const auto duration = hit.spec.duration.value_or(config_.hang_timeout);
  ++waiting_calls_;
  // wait_for releases the lock while it waits, so the host serves other calls.
  const bool released = cv_.wait_for(lock, duration, [this] { return stopping_; });
  if (--waiting_calls_ == 0) cv_.notify_all();
  if (released) return Status::Unavailable(what + ": ended early because the host is shutting down");
  if (hit.spec.action == FaultSpec::Action::kHang) {
    return Status::Timeout(what + ": no answer after " + std::to_string(duration.count()) + " ms");
  }
  return Status::OK();
}

sdk::Status FakeDriver::inject_fault(FakeOperation op, std::string_view spec) {
  auto parsed = FaultSpec::parse(spec);
  if (!parsed.ok()) {
    return Status::InvalidArgument("inject_fault(" + std::string(operation_name(op)) +
                                   "): " + parsed.status().message());
  }
  inject_fault(op, *parsed);
  return Status::OK();
}

void FakeDriver::inject_fault(FakeOperation op, const FaultSpec& spec) {
  std::lock_guard lock(mutex_);
  auto& slot = faults_[static_cast<std::size_t>(op)];
  if (spec.action == FaultSpec::Action::kNone) {
    slot.reset();
  } else {
    slot = ActiveFault{spec, spec.times, "inject_fault"};
  }
}

void FakeDriver::clear_faults() {
  std::lock_guard lock(mutex_);
  for (auto& slot : faults_) slot.reset();
  metadata_fault_uses_.clear();
}

void FakeDriver::clear_fault(FakeOperation op) {
  std::lock_guard lock(mutex_);
  faults_[static_cast<std::size_t>(op)].reset();
}

// ---- helpers ----------------------------------------------------------------------

FakeDriver::Guest* FakeDriver::find(const std::string& uuid) {
  auto it = guests_.find(uuid);
  return it == guests_.end() ? nullptr : it->second.get();
}

Status FakeDriver::not_found(const sdk::Instance& instance) const {
  return Status::NotFound("instance " + instance.uuid + " not found on fake host " + host_);
}

Status FakeDriver::refuse(std::string_view what, const Guest& guest, std::string_view allowed) const {
  return Status::InvalidState("cannot " + std::string(what) + " instance " + guest.info.uuid + " on fake host " +
                              host_ + ": it is " + state_name(guest.info.state) + " (" + std::string(what) +
                              " needs " + std::string(allowed) + ")");
}

Status FakeDriver::check_image(const sdk::Instance& instance, const sdk::ImageMeta& image_meta) const {
  // An empty format means the image service did not say; QEMU would probe it.
  if (!image_meta.disk_format.empty() &&
      std::find(kImageFormats.begin(), kImageFormats.end(), image_meta.disk_format) == kImageFormats.end()) {
    return Status::NotSupported("image " + image_meta.id + " of instance " + instance.uuid + ": disk format '" +
                                image_meta.disk_format + "' is not supported by fake host " + host_ +
                                " (supported: qcow2, raw, ami, iso)");
  }
  if (instance.config_drive && config_.lacks("config_drive")) {
    return Status::NotSupported("instance " + instance.uuid + " asks for a config drive; fake host " + host_ +
                                " is configured without config_drive");
  }
  if (!image_meta.property("kernel_id").empty() && config_.lacks("direct_kernel_boot")) {
    return Status::NotSupported("image " + image_meta.id + " of instance " + instance.uuid +
                                " needs direct kernel boot; fake host " + host_ +
                                " is configured without direct_kernel_boot");
  }
  const std::string arch = image_meta.property("hw_architecture");
  if (!arch.empty() && arch != config_.cpu_arch) {
    return Status::NotSupported("image " + image_meta.id + " of instance " + instance.uuid + " needs architecture '" +
                                arch + "'; fake host " + host_ + " is " + config_.cpu_arch);
  }
  return Status::OK();
}

// ---- host ---------------------------------------------------------------------------

Status FakeDriver::init_host(const std::string& host) {
  try {
    std::lock_guard lock(mutex_);
    if (!host.empty()) host_ = host;
    if (Status s = open_state_file(); !s.ok()) return s;
    stopping_ = false;
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("init_host on a fake host failed: ") + e.what());
  }
}

// ---- state file ---------------------------------------------------------------------

namespace {

GuestRecord record_of(const FakeGuest& info, const std::string& hostname, std::uint64_t cpu_time_ns) {
  GuestRecord r;
  r.info = info;
  r.info.files.clear();  // secrets stay out of the file (guest_records.h)
  r.info.admin_password.clear();
  r.hostname = hostname;
  r.cpu_time_ns = cpu_time_ns;
  return r;
}

}  // namespace

Status FakeDriver::open_state_file() {
  if (config_.state_file.empty() || state_file_ != nullptr) return Status::OK();
  auto file = StateFile::open(config_.state_file);
  if (!file.ok()) return file.status();
  auto text = (*file)->read();
  if (!text.ok()) return text.status();
  std::vector<GuestRecord> loaded;
  if (text->has_value()) {
    auto decoded = decode_guest_records(**text);
    if (!decoded.ok()) {
      return Status::InvalidArgument("fake host state file " + config_.state_file +
                                     " is not a fake host's guest list: " + decoded.status().message());
    }
    loaded = std::move(decoded).value();
  }
  // Written back before anything is taken from it, so a file that cannot be
  // written fails here, with the host unchanged. Guests spawned before this
  // first init_host win over saved ones of the same uuid.
  const auto now = this->now();
  std::map<std::string, GuestRecord> all;
  for (const GuestRecord& r : loaded) all[r.info.uuid] = r;
  for (const auto& [uuid, g] : guests_) all[uuid] = record_of(g->info, g->hostname, g->cpu_time(now));
  std::vector<GuestRecord> records;
  records.reserve(all.size());
  for (auto& entry : all) records.push_back(std::move(entry.second));
  if (Status s = (*file)->write(encode_guest_records(host_, records)); !s.ok()) return s;

  std::size_t restored = 0;
  for (const GuestRecord& r : loaded) {
    if (guests_.count(r.info.uuid) != 0) continue;
    auto g = std::make_unique<Guest>(static_cast<std::size_t>(config_.console_log_bytes));
    g->info = r.info;
    g->hostname = r.hostname;
    g->cpu_time_ns = r.cpu_time_ns;
    g->running_since = now;
    g->booted_at = now;  // uptime counts from the reload: no clock outlives the process
    g->console.note("fake host " + host_ + " restarted; guest kept (" + state_name(r.info.state) + ")");
    guests_.emplace(r.info.uuid, std::move(g));
    ++restored;
  }
  state_file_ = std::move(file).value();
  log_->info("fake host " + host_ + ": state file " + config_.state_file + ": " + std::to_string(restored) +
             " guest(s) kept from before the restart");
  return Status::OK();
}

void FakeDriver::save_state() {
  if (state_file_ == nullptr) return;
  const auto now = this->now();
  std::vector<GuestRecord> records;
  records.reserve(guests_.size());
  for (const auto& [uuid, g] : guests_) records.push_back(record_of(g->info, g->hostname, g->cpu_time(now)));
  if (Status s = state_file_->write(encode_guest_records(host_, records)); !s.ok()) {
    log_->error("fake host " + host_ + ": guests not saved (tried again at the next change): " + s.message());
  }
}

Status FakeDriver::cleanup_host(const std::string& host) {
  (void)host;
  try {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return waiting_calls_ == 0; });
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("cleanup_host on a fake host failed: ") + e.what());
  }
}

sdk::DriverCapabilities FakeDriver::capabilities() const {
  sdk::DriverCapabilities caps;
  caps.supports_reboot = !config_.lacks("reboot");
  caps.supports_power_off = !config_.lacks("power_off");
  caps.supports_pause = !config_.lacks("pause");
  caps.supports_suspend = !config_.lacks("suspend");
  caps.supports_rebuild = !config_.lacks("rebuild");
  caps.supports_console_output = !config_.lacks("console_output");
  caps.supports_config_drive = !config_.lacks("config_drive");
  caps.supports_direct_kernel_boot = !config_.lacks("direct_kernel_boot");
  caps.supported_image_formats = kImageFormats;
  return caps;
}

// ---- lifecycle ------------------------------------------------------------------------

Status FakeDriver::spawn(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                         const sdk::ImageMeta& image_meta, const sdk::InjectedFiles& injected_files,
                         const std::string& admin_password, const sdk::NetworkInfo& network_info,
                         const sdk::BlockDeviceInfo& block_device_info) {
  (void)block_device_info;
  // A copy: a hung call released by the destructor logs after the driver is gone.
  const std::shared_ptr<sdk::Logger> log = log_;
  Status st = run<Status>(FakeOperation::kSpawn, &instance, [&]() -> Status {
    if (instance.uuid.empty()) return Status::InvalidArgument("spawn on fake host " + host_ + ": instance has no uuid");
    const sdk::Flavor& f = instance.flavor;
    if (f.vcpus < 0 || f.memory_mb < 0 || f.root_gb < 0 || f.ephemeral_gb < 0 || f.swap_mb < 0) {
      return Status::InvalidArgument("spawn of instance " + instance.uuid + " on fake host " + host_ + ": flavor '" +
                                     f.name + "' has a negative size");
    }
    if (const Guest* existing = find(instance.uuid)) {
      return Status::AlreadyExists("instance " + instance.uuid + " already exists on fake host " + host_ +
                                   " (it is " + state_name(existing->info.state) + ")");
    }
    if (Status s = check_image(instance, image_meta); !s.ok()) return s;

    auto guest = std::make_unique<Guest>(static_cast<std::size_t>(config_.console_log_bytes));
    guest->info.uuid = instance.uuid;
    guest->info.name = instance.name;
    guest->info.image_id = image_meta.id.empty() ? instance.image_ref : image_meta.id;
    guest->info.flavor = instance.flavor;
    guest->info.injected_files = injected_files.size();
    guest->info.files = injected_files;
    guest->info.admin_password = admin_password;
    guest->info.config_drive = instance.config_drive;
    guest->info.network_info = network_info;
    guest->hostname = guest_hostname(instance.display_name, instance.name.empty() ? "instance" : instance.name);
    guest->boot(config_.hypervisor_type, now());
    guests_.emplace(instance.uuid, std::move(guest));
    return Status::OK();
  });
  if (st.ok()) {
    log->debug(ctx, "spawned instance " + instance.uuid + " (flavor " + instance.flavor.name + ")");
  } else {
    log->warn(ctx, "spawn of instance " + instance.uuid + " failed: " + st.to_string());
  }
  return st;
}

Status FakeDriver::destroy(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                           const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info,
                           bool destroy_disks) {
  (void)network_info, (void)block_device_info, (void)destroy_disks;
  const std::shared_ptr<sdk::Logger> log = log_;  // as in spawn
  Status st = run<Status>(FakeOperation::kDestroy, &instance, [&]() -> Status {
    guests_.erase(instance.uuid);  // idempotent: a retried delete must succeed
    port_security_.erase(instance.uuid);
    return Status::OK();
  });
  if (st.ok()) {
    log->debug(ctx, "destroyed instance " + instance.uuid);
  } else {
    log->warn(ctx, "destroy of instance " + instance.uuid + " failed: " + st.to_string());
  }
  return st;
}

void FakeDriver::set_logger(std::shared_ptr<sdk::Logger> logger) {
  if (logger != nullptr) log_ = std::move(logger);
}

Status FakeDriver::reboot(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                          const sdk::NetworkInfo& network_info, sdk::RebootType type,
                          const sdk::BlockDeviceInfo& block_device_info) {
  (void)ctx, (void)network_info, (void)block_device_info;
  return run<Status>(FakeOperation::kReboot, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    const auto now = this->now();
    const PowerState s = g->info.state;
    if (type == sdk::RebootType::kSoft) {
      if (s != PowerState::kRunning) return refuse("soft reboot", *g, "running");
      g->console.clean_restart(now);
    } else {
      if (s != PowerState::kRunning && s != PowerState::kPaused && s != PowerState::kShutdown &&
          s != PowerState::kCrashed) {
        return refuse("hard reboot", *g, "running, paused, shutdown or crashed");
      }
      g->set_state(PowerState::kShutdown, now);
      g->console.note("hard reboot: guest reset");
    }
    g->boot(config_.hypervisor_type, now);
    return Status::OK();
  });
}

Status FakeDriver::power_off(const sdk::RequestContext& ctx, const sdk::Instance& instance, std::int32_t timeout_s,
                             std::int32_t retry_interval_s) {
  (void)ctx, (void)retry_interval_s;
  return run<Status>(FakeOperation::kPowerOff, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    const auto now = this->now();
    switch (g->info.state) {
      case PowerState::kShutdown: return Status::OK();  // idempotent
      case PowerState::kRunning:
        // A running guest answers ACPI at once; paused or crashed ones cannot.
        if (timeout_s > 0) {
          g->console.clean_shutdown(now);
        } else {
          g->console.note("powered off (hard)");
        }
        break;
      case PowerState::kPaused:
      case PowerState::kCrashed: g->console.note("powered off (hard)"); break;
      default: return refuse("power off", *g, "running, paused or crashed");
    }
    g->set_state(PowerState::kShutdown, now);
    return Status::OK();
  });
}

Status FakeDriver::power_on(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                            const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info) {
  (void)ctx, (void)network_info, (void)block_device_info;
  return run<Status>(FakeOperation::kPowerOn, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    const PowerState s = g->info.state;
    if (s == PowerState::kRunning) return Status::OK();  // idempotent
    if (s != PowerState::kShutdown && s != PowerState::kCrashed) return refuse("power on", *g, "shutdown or crashed");
    g->boot(config_.hypervisor_type, now());
    return Status::OK();
  });
}

Status FakeDriver::pause(const sdk::RequestContext& ctx, const sdk::Instance& instance) {
  (void)ctx;
  return run<Status>(FakeOperation::kPause, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    if (g->info.state != PowerState::kRunning) return refuse("pause", *g, "running");
    g->set_state(PowerState::kPaused, now());
    g->console.note("paused: vCPUs stopped, memory kept");
    return Status::OK();
  });
}

Status FakeDriver::unpause(const sdk::RequestContext& ctx, const sdk::Instance& instance) {
  (void)ctx;
  return run<Status>(FakeOperation::kUnpause, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    if (g->info.state != PowerState::kPaused) return refuse("unpause", *g, "paused");
    g->set_state(PowerState::kRunning, now());
    g->console.note("unpaused: vCPUs running");
    return Status::OK();
  });
}

Status FakeDriver::suspend(const sdk::RequestContext& ctx, const sdk::Instance& instance) {
  (void)ctx;
  return run<Status>(FakeOperation::kSuspend, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    const PowerState s = g->info.state;
    if (s != PowerState::kRunning && s != PowerState::kPaused) return refuse("suspend", *g, "running or paused");
    g->set_state(PowerState::kSuspended, now());
    g->console.note("suspended: memory saved to disk");
    return Status::OK();
  });
}

Status FakeDriver::resume(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                          const sdk::NetworkInfo& network_info, const sdk::BlockDeviceInfo& block_device_info) {
  (void)ctx, (void)network_info, (void)block_device_info;
  return run<Status>(FakeOperation::kResume, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    if (g->info.state != PowerState::kSuspended) return refuse("resume", *g, "suspended");
    g->set_state(PowerState::kRunning, now());
    g->console.note("resumed: memory restored from disk");
    return Status::OK();
  });
}

Status FakeDriver::rebuild(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                           const sdk::ImageMeta& image_meta, const sdk::InjectedFiles& injected_files,
                           const std::string& admin_password, const sdk::NetworkInfo& network_info,
                           const sdk::BlockDeviceInfo& block_device_info, bool preserve_ephemeral) {
  (void)ctx, (void)block_device_info, (void)preserve_ephemeral;
  return run<Status>(FakeOperation::kRebuild, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    const PowerState s = g->info.state;
    if (s != PowerState::kRunning && s != PowerState::kShutdown && s != PowerState::kCrashed) {
      return refuse("rebuild", *g, "running, shutdown or crashed");
    }
    if (Status st = check_image(instance, image_meta); !st.ok()) return st;
    const auto now = this->now();
    if (s == PowerState::kRunning) g->console.clean_shutdown(now);
    g->set_state(PowerState::kShutdown, now);
    g->info.image_id = image_meta.id.empty() ? instance.image_ref : image_meta.id;
    g->info.injected_files = injected_files.size();
    g->info.files = injected_files;
    g->info.admin_password = admin_password;
    g->info.network_info = network_info;
    ++g->info.rebuild_count;
    g->console.note("rebuild: root disk re-created from image " + g->info.image_id);
    g->boot(config_.hypervisor_type, now);
    return Status::OK();
  });
}

// ---- queries ----------------------------------------------------------------------------

sdk::Result<sdk::InstanceInfo> FakeDriver::get_info(const sdk::Instance& instance) {
  return run<sdk::Result<sdk::InstanceInfo>>(FakeOperation::kGetInfo, &instance,
                                             [&]() -> sdk::Result<sdk::InstanceInfo> {
                                               const Guest* g = find(instance.uuid);
                                               if (g == nullptr) return not_found(instance);
                                               sdk::InstanceInfo out;
                                               out.state = g->info.state;
                                               out.max_mem_kb = g->info.flavor.memory_mb * 1024;
                                               out.mem_kb = out.max_mem_kb;
                                               out.num_cpu = g->info.flavor.vcpus;
                                               out.cpu_time_ns = g->cpu_time(now());
                                               out.internal_id = g->info.name.empty() ? g->info.uuid : g->info.name;
                                               return out;
                                             });
}

sdk::Result<std::vector<std::string>> FakeDriver::list_instances() {
  return run<sdk::Result<std::vector<std::string>>>(FakeOperation::kListInstances, nullptr,
                                                    [&]() -> sdk::Result<std::vector<std::string>> {
                                                      std::vector<std::string> out;
                                                      out.reserve(guests_.size());
                                                      for (const auto& entry : guests_) out.push_back(entry.first);
                                                      return out;
                                                    });
}

sdk::Result<sdk::HostResources> FakeDriver::get_available_resource(const std::string& nodename) {
  (void)nodename;
  return run<sdk::Result<sdk::HostResources>>(
      FakeOperation::kGetAvailableResource, nullptr, [&]() -> sdk::Result<sdk::HostResources> {
        sdk::HostResources r;
        r.hypervisor_hostname = host_;
        r.hypervisor_type = config_.hypervisor_type;
        r.hypervisor_version = config_.hypervisor_version;
        r.cpu_arch = config_.cpu_arch;
        r.cpu_info = cpu_info_json(config_.cpu_arch, config_.vcpus);
        r.vcpus = config_.vcpus;
        r.memory_mb = config_.memory_mb;
        r.local_gb = config_.local_gb;
        std::int64_t vcpus_used = 0;
        std::int64_t disk_gb = 0;
        std::int64_t swap_mb = 0;
        for (const auto& entry : guests_) {
          const sdk::Flavor& f = entry.second->info.flavor;
          vcpus_used += f.vcpus;
          r.memory_mb_used += f.memory_mb;
          disk_gb += f.root_gb + f.ephemeral_gb;
          swap_mb += f.swap_mb;
        }
        // Swap lives on local disk too (Nova counts it); whole GiB, rounded up.
        r.local_gb_used = disk_gb + (swap_mb + 1023) / 1024;
        r.vcpus_used = static_cast<std::int32_t>(
            std::min<std::int64_t>(vcpus_used, std::numeric_limits<std::int32_t>::max()));
        r.disk_available_least_gb = r.local_gb - r.local_gb_used;
        r.running_vms = static_cast<std::int32_t>(guests_.size());
        r.supported_instances = {sdk::SupportedInstance{config_.cpu_arch, config_.hypervisor_type, "hvm"}};
        return r;
      });
}

sdk::Result<std::string> FakeDriver::get_console_output(const sdk::RequestContext& ctx,
                                                        const sdk::Instance& instance) {
  (void)ctx;
  return run<sdk::Result<std::string>>(FakeOperation::kGetConsoleOutput, &instance,
                                       [&]() -> sdk::Result<std::string> {
                                         const Guest* g = find(instance.uuid);
                                         if (g == nullptr) return not_found(instance);
                                         return g->console.text();
                                       });
}

// ---- ABI 4 -------------------------------------------------------------------------------

sdk::Result<sdk::Diagnostics> FakeDriver::get_diagnostics(const sdk::RequestContext& ctx,
                                                          const sdk::Instance& instance) {
  (void)ctx;
  return run<sdk::Result<sdk::Diagnostics>>(
      FakeOperation::kGetDiagnostics, &instance, [&]() -> sdk::Result<sdk::Diagnostics> {
        const Guest* g = find(instance.uuid);
        if (g == nullptr) return not_found(instance);
        const PowerState s = g->info.state;
        const auto now = this->now();
        sdk::Diagnostics d;
        d.state = state_name(s);
        d.driver = "libvirt";  // as Nova's FakeDriver: the API's enum has no "fake"
        d.hypervisor = config_.hypervisor_type;
        d.hypervisor_os = "linux";
        d.uptime_s = std::chrono::duration_cast<std::chrono::seconds>(now - g->booted_at).count();
        d.config_drive = g->info.config_drive;
        d.memory_max_mb = g->info.flavor.memory_mb;
        d.memory_used_mb = g->info.flavor.memory_mb;
        const std::int32_t vcpus = std::max(1, g->info.flavor.vcpus);
        const std::uint64_t cpu = g->cpu_time(now);
        for (std::int32_t i = 0; i < vcpus; ++i) {
          sdk::CpuDiagnostics c;
          c.id = i;
          c.time_ns = static_cast<std::int64_t>(cpu / static_cast<std::uint64_t>(vcpus));
          d.cpus.push_back(c);
        }
        for (const auto& vif : g->info.network_info) {
          sdk::NicDiagnostics n;
          n.mac_address = vif.address;
          n.rx_octets = n.rx_errors = n.rx_drop = n.rx_packets = 0;
          n.tx_octets = n.tx_errors = n.tx_drop = n.tx_packets = 0;
          d.nics.push_back(n);
        }
        sdk::DiskDiagnostics disk;
        disk.read_bytes = disk.read_requests = disk.write_bytes = disk.write_requests = disk.errors_count = 0;
        d.disks.push_back(disk);
        return d;
      });
}

Status FakeDriver::apply_security_groups(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                         const std::vector<sdk::PortSecurity>& ports) {
  (void)ctx;
  return run<Status>(FakeOperation::kApplySecurityGroups, &instance, [&]() -> Status {
    if (instance.uuid.empty()) return Status::InvalidArgument("apply_security_groups: instance has no uuid");
    for (const auto& port : ports) {
      for (const auto& rule : port.rules) {
        if (rule.direction != "ingress" && rule.direction != "egress") {
          return Status::InvalidArgument("port " + port.port_id + ": rule " + rule.id + " has direction '" +
                                         rule.direction + "'");
        }
        if (rule.ethertype != "IPv4" && rule.ethertype != "IPv6") {
          return Status::InvalidArgument("port " + port.port_id + ": rule " + rule.id + " has ethertype '" +
                                         rule.ethertype + "'");
        }
      }
    }
    port_security_[instance.uuid] = ports;
    ++security_group_applies_;
    return Status::OK();
  });
}

Status FakeDriver::snapshot(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                            const sdk::ImageMeta& image, const std::string& path) {
  (void)ctx;
  return run<Status>(FakeOperation::kSnapshot, &instance, [&]() -> Status {
    const Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    const PowerState st = g->info.state;
    // A suspended guest's disk is there too (Nova snapshots SUSPENDED servers); a crashed one's is suspect.
    if (st == PowerState::kCrashed || st == PowerState::kNoState) {
      return refuse("snapshot", *g, "running, paused, suspended or shutdown");
    }
    if (!image.disk_format.empty() &&
        std::find(kImageFormats.begin(), kImageFormats.end(), image.disk_format) == kImageFormats.end()) {
      return Status::InvalidArgument("snapshot of instance " + instance.uuid + ": fake host " + host_ +
                                     " cannot write disk format '" + image.disk_format + "'");
    }
    // The "disk": what a reader of the image can tell apart from any other
    // snapshot, padded to a fixed size like a real (tiny) raw disk.
    std::string data = "stratus fake disk\ninstance " + instance.uuid + "\nbooted from " + g->info.image_id +
                       "\nsnapshot " + image.id + "\nboots " + std::to_string(g->info.boot_count) + "\n";
    data.resize(std::max<std::size_t>(data.size(), kSnapshotBytes), '\0');
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (out) out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (out) out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
      return Status::Internal("snapshot of instance " + instance.uuid + ": cannot write " + path);
    }
    return Status::OK();
  });
}

// ---- ABI 6 -------------------------------------------------------------------------------

Status FakeDriver::attach_interface(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                    const sdk::Vif& vif) {
  (void)ctx;
  return run<Status>(FakeOperation::kAttachInterface, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    // libvirt hot-plugs into a running or paused domain and edits the
    // definition of a shut-off one; a suspended or crashed one refuses.
    const PowerState st = g->info.state;
    if (st != PowerState::kRunning && st != PowerState::kPaused && st != PowerState::kShutdown) {
      return refuse("attach_interface", *g, "running, paused or shutdown");
    }
    for (const auto& plugged : g->info.network_info) {
      if (plugged.id == vif.id || plugged.address == vif.address) {
        return Status::AlreadyExists("instance " + instance.uuid + " on fake host " + host_ +
                                     " already has an interface for port " + vif.id + " (" + vif.address + ")");
      }
    }
    g->info.network_info.push_back(vif);
    g->console.note("interface " + vif.address + " plugged");
    return Status::OK();
  });
}

Status FakeDriver::detach_interface(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                                    const sdk::Vif& vif) {
  (void)ctx;
  return run<Status>(FakeOperation::kDetachInterface, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    const PowerState st = g->info.state;
    if (st != PowerState::kRunning && st != PowerState::kPaused && st != PowerState::kShutdown) {
      return refuse("detach_interface", *g, "running, paused or shutdown");
    }
    auto& nics = g->info.network_info;
    // By MAC, as libvirt finds the device to detach.
    auto it = std::find_if(nics.begin(), nics.end(), [&](const sdk::Vif& v) { return v.address == vif.address; });
    if (it == nics.end()) {
      return Status::NotFound("instance " + instance.uuid + " on fake host " + host_ + " has no interface with MAC " +
                              vif.address);
    }
    nics.erase(it);
    port_security_[instance.uuid].erase(
        std::remove_if(port_security_[instance.uuid].begin(), port_security_[instance.uuid].end(),
                       [&](const sdk::PortSecurity& p) { return p.port_id == vif.id; }),
        port_security_[instance.uuid].end());
    g->console.note("interface " + vif.address + " unplugged");
    return Status::OK();
  });
}

Status FakeDriver::trigger_crash_dump(const sdk::RequestContext& ctx, const sdk::Instance& instance) {
  (void)ctx;
  return run<Status>(FakeOperation::kTriggerCrashDump, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    // An NMI reaches only a running CPU (libvirt: "domain is not running").
    if (g->info.state != PowerState::kRunning) return refuse("trigger_crash_dump", *g, "running");
    // The guest's kdump takes it from here; the fake guest only notes the NMI
    // and keeps running, as a guest without kdump configured does.
    ++g->info.crash_dumps;
    g->console.note("NMI received: crash dump triggered");
    return Status::OK();
  });
}

// ---- inspection ---------------------------------------------------------------------------

Status FakeDriver::crash(const std::string& uuid) {
  try {
    std::lock_guard lock(mutex_);
    Guest* g = find(uuid);
    if (g == nullptr) return Status::NotFound("instance " + uuid + " not found on fake host " + host_);
    if (g->info.state != PowerState::kRunning) return refuse("crash", *g, "running");
    const auto now = this->now();
    g->console.panic(now);
    g->set_state(PowerState::kCrashed, now);
    save_state();
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("crash on a fake host failed: ") + e.what());
  }
}

Status FakeDriver::register_lifecycle_listener(sdk::LifecycleListener listener) {
  std::lock_guard lock(listener_mutex_);
  listener_ = std::move(listener);
  return Status::OK();
}

bool FakeDriver::emit_lifecycle_event(const sdk::LifecycleEvent& event) {
  std::lock_guard lock(listener_mutex_);
  if (!listener_) return false;
  listener_(event);
  return true;
}

std::optional<FakeGuest> FakeDriver::guest(const std::string& uuid) const {
  std::lock_guard lock(mutex_);
  auto it = guests_.find(uuid);
  if (it == guests_.end()) return std::nullopt;
  return it->second->info;
}

std::optional<std::vector<sdk::PortSecurity>> FakeDriver::security_groups(const std::string& uuid) const {
  std::lock_guard lock(mutex_);
  auto it = port_security_.find(uuid);
  if (it == port_security_.end()) return std::nullopt;
  return it->second;
}

std::size_t FakeDriver::security_group_applies() const {
  std::lock_guard lock(mutex_);
  return security_group_applies_;
}

std::size_t FakeDriver::instance_count() const {
  std::lock_guard lock(mutex_);
  return guests_.size();
}

std::string FakeDriver::host() const {
  std::lock_guard lock(mutex_);
  return host_;
}

std::size_t FakeDriver::waiting_calls() const {
  std::lock_guard lock(mutex_);
  return waiting_calls_;
}

// ---- factory --------------------------------------------------------------------------------

sdk::Result<std::unique_ptr<FakeDriver>> make_fake_driver_typed(const sdk::PluginConfig& config) {
  auto parsed = FakeDriverConfig::from_plugin_config(config);
  if (!parsed.ok()) return parsed.status();
  return std::make_unique<FakeDriver>(std::move(parsed).value());
}

sdk::Result<std::unique_ptr<sdk::VirtDriver>> make_fake_driver(const sdk::PluginConfig& config) {
  auto driver = make_fake_driver_typed(config);
  if (!driver.ok()) return driver.status();
  return std::unique_ptr<sdk::VirtDriver>(std::move(driver).value());
}

// ---- ABI 7 -------------------------------------------------------------------------------

Status FakeDriver::rescue(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                          const sdk::NetworkInfo& network_info, const sdk::ImageMeta& rescue_image,
                          const std::string& admin_password) {
  (void)ctx, (void)network_info;
  return run<Status>(FakeOperation::kRescue, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    if (!g->info.rescue_image_id.empty()) return refuse("rescue", *g, "not rescued already");
    const PowerState st = g->info.state;
    if (st != PowerState::kRunning && st != PowerState::kShutdown && st != PowerState::kCrashed) {
      return refuse("rescue", *g, "running, shutdown or crashed");
    }
    // As libvirt's: the guest stops, and the rescue system boots with the
    // guest's disk as its second one.
    g->set_state(PowerState::kShutdown, now());
    g->info.rescue_image_id = rescue_image.id;
    g->info.admin_password = admin_password;
    g->console.note("rescue: booting image " + rescue_image.id + " with the guest's disk attached");
    g->boot(config_.hypervisor_type, now());
    return Status::OK();
  });
}

Status FakeDriver::unrescue(const sdk::RequestContext& ctx, const sdk::Instance& instance,
                            const sdk::NetworkInfo& network_info) {
  (void)ctx, (void)network_info;
  return run<Status>(FakeOperation::kUnrescue, &instance, [&]() -> Status {
    Guest* g = find(instance.uuid);
    if (g == nullptr) return not_found(instance);
    if (g->info.rescue_image_id.empty()) return refuse("unrescue", *g, "rescued");
    g->set_state(PowerState::kShutdown, now());
    g->info.rescue_image_id.clear();
    g->console.note("unrescue: booting the guest's own disk");
    g->boot(config_.hypervisor_type, now());
    return Status::OK();
  });
}

}  // namespace stratus::drivers::fake
