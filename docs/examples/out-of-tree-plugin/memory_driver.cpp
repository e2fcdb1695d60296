// example_memory: a minimal VirtDriver that keeps guests in a map.
// It implements the mandatory operations plus power_off/power_on, and says so
// in capabilities(); everything else keeps the SDK's "not supported" default.
// It logs through the SDK's logger (ABI 5) when built for ABI 5 or later, and
// builds unchanged for ABI 4 (-DSTRATUS_SDK_TARGET_ABI=4), where it logs nothing.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <stratus/sdk/sdk.h>

namespace {

using namespace stratus::sdk;

class MemoryDriver : public VirtDriver {
 public:
  explicit MemoryDriver(std::int64_t memory_mb) : memory_mb_(memory_mb) {}

  DriverCapabilities capabilities() const override {
    DriverCapabilities caps;
    caps.supports_power_off = true;
    return caps;
  }

#if STRATUS_SDK_TARGET_ABI >= 5
  void set_logger(std::shared_ptr<Logger> logger) override { log_ = std::move(logger); }
#endif

  Status spawn(const RequestContext& ctx, const Instance& instance, const ImageMeta&, const InjectedFiles&,
               const std::string&, const NetworkInfo&, const BlockDeviceInfo&) override {
    std::lock_guard lock(mu_);
    if (guests_.count(instance.uuid)) return Status::AlreadyExists("instance " + instance.uuid + " exists");
    guests_[instance.uuid] = PowerState::kRunning;
    // "[req-...] virt_driver example_memory: spawned instance ..." in Stratus's log.
    log_->info(ctx, "spawned instance " + instance.uuid);
    return Status::OK();
  }

  Status destroy(const RequestContext&, const Instance& instance, const NetworkInfo&, const BlockDeviceInfo&,
                 bool) override {
    std::lock_guard lock(mu_);
    guests_.erase(instance.uuid);  // idempotent: a missing guest is fine
    return Status::OK();
  }

  Status power_off(const RequestContext&, const Instance& instance, std::int32_t, std::int32_t) override {
    return set_state(instance, PowerState::kShutdown);
  }

  Status power_on(const RequestContext&, const Instance& instance, const NetworkInfo&,
                  const BlockDeviceInfo&) override {
    return set_state(instance, PowerState::kRunning);
  }

  Result<InstanceInfo> get_info(const Instance& instance) override {
    std::lock_guard lock(mu_);
    auto it = guests_.find(instance.uuid);
    if (it == guests_.end()) return Status::NotFound("instance " + instance.uuid + " not found");
    InstanceInfo info;
    info.state = it->second;
    return info;
  }

  Result<std::vector<std::string>> list_instances() override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [uuid, state] : guests_) out.push_back(uuid);
    return out;
  }

  Result<HostResources> get_available_resource(const std::string& nodename) override {
    HostResources r;
    r.hypervisor_hostname = nodename;
    r.hypervisor_type = "example";
    r.memory_mb = memory_mb_;
    r.vcpus = 4;
    return r;
  }

 private:
  Status set_state(const Instance& instance, PowerState state) {
    std::lock_guard lock(mu_);
    auto it = guests_.find(instance.uuid);
    if (it == guests_.end()) return Status::NotFound("instance " + instance.uuid + " not found");
    it->second = state;
    return Status::OK();
  }

  const std::int64_t memory_mb_;
  std::shared_ptr<Logger> log_ = std::make_shared<NullLogger>();  // until set_logger
  std::mutex mu_;
  std::map<std::string, PowerState> guests_;
};

Result<std::unique_ptr<VirtDriver>> make_memory_driver(const PluginConfig& config) {
  if (Status s = config.check_known_keys({"memory_mb"}); !s.ok()) return s;
  auto memory_mb = config.get_int("memory_mb", 8192);
  if (!memory_mb.ok()) return memory_mb.status();
  return std::unique_ptr<VirtDriver>(new MemoryDriver(*memory_mb));
}

}  // namespace

STRATUS_PLUGIN(stratus::sdk::VirtDriver, example_memory, "0.1.0", "Example: guests kept in a map",
               make_memory_driver)
