// A third party's driver as written for ABI 4: guests kept in a map, and for
// each guest a line of what spawn read from the value types it was handed
// (its console output), so a test can tell intact fields from a misread
// layout. Built twice (CMakeLists.txt): against ABI 4's own headers
// (tests/plugins/abi4_sdk) and against the current headers for ABI 4
// (STRATUS_SDK_TARGET_ABI=4). FIXTURE_NAME is the plugin's name.
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <stratus/sdk/sdk.h>

namespace {

using namespace stratus::sdk;

class RecordingDriver : public VirtDriver {
 public:
  DriverCapabilities capabilities() const override {
    DriverCapabilities caps;
    caps.supports_power_off = true;
    caps.supports_console_output = true;
    return caps;
  }

  Status spawn(const RequestContext& ctx, const Instance& instance, const ImageMeta& image, const InjectedFiles&,
               const std::string&, const NetworkInfo& network_info, const BlockDeviceInfo& bdi) override {
    std::lock_guard lock(mu_);
    if (guests_.count(instance.uuid)) return Status::AlreadyExists("instance " + instance.uuid + " exists");
    // Fields from the start, the middle and the end of each struct.
    std::string seen = "request_id=" + ctx.request_id + " uuid=" + instance.uuid + " name=" + instance.display_name +
                       " project=" + instance.project_id + " flavor=" + instance.flavor.name +
                       " vcpus=" + std::to_string(instance.flavor.vcpus) +
                       " memory_mb=" + std::to_string(instance.flavor.memory_mb) +
                       " extra_specs=" + std::to_string(instance.flavor.extra_specs.size()) +
                       " metadata=" + std::to_string(instance.metadata.size()) + " key_name=" + instance.key_name +
                       " config_drive=" + (instance.config_drive ? "1" : "0") +
                       " power_state=" + std::to_string(static_cast<int>(instance.power_state)) +
                       " image_format=" + image.disk_format + " vifs=" + std::to_string(network_info.size()) +
                       " root=" + bdi.root_device_name;
    guests_[instance.uuid] = Guest{PowerState::kRunning, seen};
    return Status::OK();
  }

  Status destroy(const RequestContext&, const Instance& instance, const NetworkInfo&, const BlockDeviceInfo&,
                 bool) override {
    std::lock_guard lock(mu_);
    guests_.erase(instance.uuid);  // idempotent
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
    info.state = it->second.state;
    return info;
  }

  Result<std::vector<std::string>> list_instances() override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [uuid, guest] : guests_) out.push_back(uuid);
    return out;
  }

  Result<HostResources> get_available_resource(const std::string& nodename) override {
    HostResources r;
    r.hypervisor_hostname = nodename;
    r.hypervisor_type = "QEMU";  // what the seeded images ask for (image_properties)
    r.hypervisor_version = 4000000;
    r.cpu_arch = "x86_64";
    r.vcpus = 8;
    r.memory_mb = 16384;
    r.local_gb = 100;
    r.supported_instances = {{"x86_64", "qemu", "hvm"}};
    return r;
  }

  Result<std::string> get_console_output(const RequestContext&, const Instance& instance) override {
    std::lock_guard lock(mu_);
    auto it = guests_.find(instance.uuid);
    if (it == guests_.end()) return Status::NotFound("instance " + instance.uuid + " not found");
    return it->second.seen + "\n";
  }

 private:
  struct Guest {
    PowerState state = PowerState::kNoState;
    std::string seen;
  };

  Status set_state(const Instance& instance, PowerState state) {
    std::lock_guard lock(mu_);
    auto it = guests_.find(instance.uuid);
    if (it == guests_.end()) return Status::NotFound("instance " + instance.uuid + " not found");
    it->second.state = state;
    return Status::OK();
  }

  std::mutex mu_;
  std::map<std::string, Guest> guests_;
};

Result<std::unique_ptr<VirtDriver>> make_recording_driver(const PluginConfig& config) {
  if (Status s = config.check_known_keys({}); !s.ok()) return s;
  return std::unique_ptr<VirtDriver>(new RecordingDriver());
}

}  // namespace

// One level of macro so that FIXTURE_NAME is expanded before STRATUS_PLUGIN pastes it.
#define EXPORT_DRIVER(name) \
  STRATUS_PLUGIN(stratus::sdk::VirtDriver, name, "4.0.0", "ABI 4 fixture: records what spawn read", make_recording_driver)
EXPORT_DRIVER(FIXTURE_DRIVER_NAME)
