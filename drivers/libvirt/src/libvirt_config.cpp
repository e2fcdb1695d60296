// Reading [driver.libvirt] into a LibvirtConfig (keys in libvirt_config.h).
#include "stratus/drivers/libvirt/libvirt_config.h"

#include <functional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "network_data.h"

namespace stratus::drivers::libvirt {
namespace {

constexpr std::string_view kBridgePrefix = "bridges.";
// A base is kept at least this long after its last use: a spawn holds it
// between caching it and creating its overlay (milliseconds) unseen.
constexpr std::int64_t kMinBaseImageAge = 10;
constexpr std::int64_t kMaxBaseImageAge = 10LL * 365 * 86'400;
constexpr std::string_view kSubnetPrefix = "subnets.";
constexpr std::string_view kGatewayPrefix = "gateways.";
using Describe = std::function<std::string(const std::string&)>;

sdk::Status one_of(const Describe& describe, const std::string& key, const std::string& value,
                   std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (std::string_view a : allowed) {
    if (value == a) return sdk::Status::OK();
    if (!list.empty()) list += ", ";
    list += "\"" + std::string(a) + "\"";
  }
  return sdk::Status::InvalidArgument(describe(key) + ": \"" + value + "\" is not one of " + list);
}

sdk::Status in_range(const Describe& describe, const std::string& key, std::int64_t value, std::int64_t lo,
                     std::int64_t hi) {
  if (value >= lo && value <= hi) return sdk::Status::OK();
  return sdk::Status::InvalidArgument(describe(key) + ": " + std::to_string(value) + " is out of range [" +
                                      std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

sdk::Status absolute(const Describe& describe, const std::string& key, const std::string& value, bool may_be_empty) {
  if (value.empty() && may_be_empty) return sdk::Status::OK();
  // Relative paths would depend on the compute service's working directory,
  // and libvirt needs absolute paths in the guest XML anyway.
  if (value.empty() || value.front() != '/') {
    return sdk::Status::InvalidArgument(describe(key) + ": \"" + value + "\" must be an absolute path");
  }
  return sdk::Status::OK();
}

sdk::Status check(const LibvirtConfig& c, const Describe& describe) {
  const sdk::Status results[] = {
      c.uri.empty() ? sdk::Status::InvalidArgument(describe("uri") + ": must not be empty") : sdk::Status::OK(),
      one_of(describe, "virt_type", c.virt_type, {"qemu", "kvm"}),
      absolute(describe, "instances_path", c.instances_path, false),
      absolute(describe, "images_path", c.images_path, true),
      absolute(describe, "image_source_path", c.image_source_path, true),
      one_of(describe, "cpu_mode", c.cpu_mode, {"", "none", "host-model", "host-passthrough", "custom"}),
      (c.cpu_mode == "custom" && c.cpu_model.empty())
          ? sdk::Status::InvalidArgument(describe("cpu_model") + ": required when cpu_mode is \"custom\"")
          : sdk::Status::OK(),
      one_of(describe, "graphics", c.graphics, {"none", "vnc", "spice"}),
      in_range(describe, "console_log_bytes", c.console_log_bytes, 1024, 64 * 1024 * 1024),
      in_range(describe, "soft_reboot_timeout_s", c.soft_reboot_timeout.count(), 0, 3600),
      in_range(describe, "clean_shutdown_timeout_s", c.clean_shutdown_timeout.count(), 0, 3600),
      in_range(describe, "state_poll_ms", c.state_poll.count(), 1, 60'000),
      in_range(describe, "remove_unused_original_minimum_age_s", c.remove_unused_original_minimum_age.count(),
               kMinBaseImageAge, kMaxBaseImageAge),
      in_range(describe, "image_cache_manager_interval_s", c.image_cache_manager_interval.count(), 1, 86'400),
      c.qemu_img.empty() ? sdk::Status::InvalidArgument(describe("qemu_img") + ": must not be empty")
                         : sdk::Status::OK(),
      c.genisoimage.empty() ? sdk::Status::InvalidArgument(describe("genisoimage") + ": must not be empty")
                            : sdk::Status::OK(),
  };
  for (const sdk::Status& s : results) {
    if (!s.ok()) return s;
  }
  for (const auto& [network, bridge] : c.bridges) {
    // A bridge name becomes an interface name: IFNAMSIZ-1 characters, no '/' or spaces.
    const bool bad = bridge.empty() || bridge.size() > 15 || bridge.find_first_of("/ \t\n") != std::string::npos;
    if (bad) {
      return sdk::Status::InvalidArgument(describe(std::string(kBridgePrefix) + network) + ": \"" + bridge +
                                          "\" is not a valid bridge name");
    }
  }
  for (const auto& [network, cidr] : c.subnets) {
    if (auto parsed = parse_ipv4_cidr(cidr); !parsed.ok()) {
      return sdk::Status::InvalidArgument(describe(std::string(kSubnetPrefix) + network) + ": " +
                                          parsed.status().message());
    }
  }
  for (const auto& [network, gateway] : c.gateways) {
    if (!is_ipv4_address(gateway)) {
      return sdk::Status::InvalidArgument(describe(std::string(kGatewayPrefix) + network) + ": \"" + gateway +
                                          "\" is not an IPv4 address");
    }
  }
  return sdk::Status::OK();
}

}  // namespace

std::string LibvirtConfig::image_cache_path() const {
  return images_path.empty() ? instances_path + "/_base" : images_path;
}

std::string LibvirtConfig::effective_cpu_mode() const {
  if (!cpu_mode.empty()) return cpu_mode;
  // TCG cannot model the host CPU faithfully; Nova picks none for qemu too.
  return virt_type == "kvm" ? "host-model" : "none";
}

sdk::Status LibvirtConfig::validate() const {
  return check(*this, [](const std::string& key) { return "key '" + key + "'"; });
}

sdk::Result<LibvirtConfig> LibvirtConfig::from_plugin_config(const sdk::PluginConfig& config) {
  static const std::set<std::string> kKnown = {
      "uri",          "virt_type",    "instances_path",    "images_path",           "image_source_path",
      "cpu_mode",     "cpu_model",    "network_mode",      "graphics",              "console_log_bytes",
      "soft_reboot_timeout_s",        "clean_shutdown_timeout_s",                    "state_poll_ms",
      "qemu_img",     "genisoimage",  "force_config_drive",
      "remove_unused_base_images",    "remove_unused_original_minimum_age_s",        "image_cache_manager_interval_s",
  };
  if (auto s = config.check_known_keys(
          kKnown, {std::string(kBridgePrefix), std::string(kSubnetPrefix), std::string(kGatewayPrefix)});
      !s.ok()) {
    return s;
  }
  const Describe describe = [&](const std::string& k) { return config.describe(k); };

  LibvirtConfig out;
  const std::pair<const char*, std::string*> strings[] = {
      {"uri", &out.uri},         {"virt_type", &out.virt_type},     {"instances_path", &out.instances_path},
      {"images_path", &out.images_path}, {"image_source_path", &out.image_source_path},
      {"cpu_mode", &out.cpu_mode}, {"cpu_model", &out.cpu_model}, {"graphics", &out.graphics},
      {"qemu_img", &out.qemu_img}, {"genisoimage", &out.genisoimage},
  };
  for (auto [key, field] : strings) {
    auto value = config.get_string(key, *field);
    if (!value.ok()) return value.status();
    *field = *value;
  }

  auto mode = config.get_string("network_mode", "bridge");
  if (!mode.ok()) return mode.status();
  if (auto s = one_of(describe, "network_mode", *mode, {"bridge", "user"}); !s.ok()) return s;
  out.network_mode = *mode == "user" ? NetworkMode::kUser : NetworkMode::kBridge;

  auto force = config.get_bool("force_config_drive", out.force_config_drive);
  if (!force.ok()) return force.status();
  out.force_config_drive = *force;

  auto remove_bases = config.get_bool("remove_unused_base_images", out.remove_unused_base_images);
  if (!remove_bases.ok()) return remove_bases.status();
  out.remove_unused_base_images = *remove_bases;
  const std::tuple<const char*, std::chrono::seconds*, std::int64_t, std::int64_t> cache_periods[] = {
      {"remove_unused_original_minimum_age_s", &out.remove_unused_original_minimum_age, kMinBaseImageAge,
       kMaxBaseImageAge},
      {"image_cache_manager_interval_s", &out.image_cache_manager_interval, 1, 86'400},
  };
  for (const auto& [key, field, lo, hi] : cache_periods) {
    auto value = config.get_int(key, field->count());
    if (!value.ok()) return value.status();
    if (auto s = in_range(describe, key, *value, lo, hi); !s.ok()) return s;
    *field = std::chrono::seconds(*value);
  }

  auto log_bytes = config.get_int("console_log_bytes", out.console_log_bytes);
  if (!log_bytes.ok()) return log_bytes.status();
  out.console_log_bytes = *log_bytes;

  // Range-check the durations here, before they are narrowed into chrono types.
  const std::tuple<const char*, std::int64_t, std::int64_t, std::int64_t> durations[] = {
      {"soft_reboot_timeout_s", out.soft_reboot_timeout.count(), 0, 3600},
      {"clean_shutdown_timeout_s", out.clean_shutdown_timeout.count(), 0, 3600},
      {"state_poll_ms", out.state_poll.count(), 1, 60'000},
  };
  std::int64_t read[3] = {};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& [key, fallback, lo, hi] = durations[i];
    auto value = config.get_int(key, fallback);
    if (!value.ok()) return value.status();
    if (auto s = in_range(describe, key, *value, lo, hi); !s.ok()) return s;
    read[i] = *value;
  }
  out.soft_reboot_timeout = std::chrono::seconds(read[0]);
  out.clean_shutdown_timeout = std::chrono::seconds(read[1]);
  out.state_poll = std::chrono::milliseconds(read[2]);

  // The per-network tables: "bridges.<network>", "subnets.<network>", "gateways.<network>".
  const std::pair<std::string_view, std::map<std::string, std::string>*> tables[] = {
      {kBridgePrefix, &out.bridges}, {kSubnetPrefix, &out.subnets}, {kGatewayPrefix, &out.gateways}};
  for (const std::string& key : config.keys()) {
    for (auto [prefix, table] : tables) {
      if (key.rfind(prefix, 0) != 0) continue;
      const std::string network = key.substr(prefix.size());
      if (network.empty()) return sdk::Status::InvalidArgument(config.describe(key) + ": names no network");
      auto value = config.get_string(key, "");
      if (!value.ok()) return value.status();
      (*table)[network] = *value;
    }
  }

  if (auto s = check(out, describe); !s.ok()) return s;
  return out;
}

}  // namespace stratus::drivers::libvirt
