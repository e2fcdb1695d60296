// Reading [driver.fake] into a FakeDriverConfig (keys in fake_driver_config.h).
#include "stratus/drivers/fake/fake_driver_config.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <set>
#include <string_view>
#include <utility>

namespace stratus::drivers::fake {
namespace {

constexpr std::string_view kFaultPrefix = "fault.";
constexpr std::int64_t kMaxHangTimeoutMs = 86'400'000;

using Describe = std::function<std::string(const std::string&)>;

sdk::Status check_range(const Describe& describe, const std::string& key, std::int64_t value, std::int64_t lo,
                        std::int64_t hi) {
  if (value >= lo && value <= hi) return sdk::Status::OK();
  return sdk::Status::InvalidArgument(describe(key) + ": " + std::to_string(value) + " is out of range [" +
                                      std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

sdk::Status check_unsupported(const Describe& describe, const std::vector<std::string>& names) {
  std::set<std::string> seen;
  for (const std::string& name : names) {
    const bool known = std::any_of(std::begin(kUnsupportableNames), std::end(kUnsupportableNames),
                                   [&](const char* n) { return name == n; });
    if (!known) {
      std::string all;
      for (const char* n : kUnsupportableNames) all += (all.empty() ? "" : ", ") + std::string(n);
      return sdk::Status::InvalidArgument(describe("unsupported") + ": no capability '" + name + "' (known: " + all +
                                          ")");
    }
    if (!seen.insert(name).second) {
      return sdk::Status::InvalidArgument(describe("unsupported") + ": '" + name + "' is listed twice");
    }
  }
  return sdk::Status::OK();
}

sdk::Status check_not_empty(const Describe& describe, const std::string& key, const std::string& value) {
  if (!value.empty()) return sdk::Status::OK();
  return sdk::Status::InvalidArgument(describe(key) + ": must not be empty");
}

// "" (off) or an absolute path naming a file: the compute's working
// directory is nobody's promise, and a directory cannot be renamed over.
sdk::Status check_state_file(const Describe& describe, const std::string& path) {
  if (path.empty()) return sdk::Status::OK();
  auto refuse = [&](const std::string& why) {
    return sdk::Status::InvalidArgument(describe("state_file") + ": '" + path + "' " + why);
  };
  if (path.front() != '/') return refuse("is not an absolute path");
  if (path.find('\0') != std::string::npos) return refuse("contains a NUL byte");
  const std::string name = path.substr(path.rfind('/') + 1);
  if (name.empty() || name == "." || name == "..") return refuse("does not name a file");
  return sdk::Status::OK();
}

// One place for the range rules, shared by config files and code.
sdk::Status check(const FakeDriverConfig& c, const Describe& describe) {
  const std::int64_t big = std::int64_t{1} << 40;  // ~1e12: absurd, but no overflow when summed
  const sdk::Status results[] = {
           check_range(describe, "vcpus", c.vcpus, 1, 1'000'000),
           check_range(describe, "memory_mb", c.memory_mb, 1, big),
           check_range(describe, "local_gb", c.local_gb, 0, big),
           check_range(describe, "hypervisor_version", c.hypervisor_version, 0, big * 1'000'000),
           check_range(describe, "console_log_bytes", c.console_log_bytes, 1024, 64 * 1024 * 1024),
           check_range(describe, "hang_timeout_ms", c.hang_timeout.count(), 1, kMaxHangTimeoutMs),
           check_not_empty(describe, "hypervisor_type", c.hypervisor_type),
           check_not_empty(describe, "cpu_arch", c.cpu_arch),
           check_unsupported(describe, c.unsupported),
           check_state_file(describe, c.state_file),
       };
  for (const sdk::Status& s : results) {
    if (!s.ok()) return s;
  }
  return sdk::Status::OK();
}

}  // namespace

sdk::Status FakeDriverConfig::validate() const {
  return check(*this, [](const std::string& key) { return "key '" + key + "'"; });
}

bool FakeDriverConfig::lacks(std::string_view name) const {
  return std::find(unsupported.begin(), unsupported.end(), name) != unsupported.end();
}

sdk::Result<FakeDriverConfig> FakeDriverConfig::from_plugin_config(const sdk::PluginConfig& config) {
  static const std::set<std::string> kKnown = {
      "host",     "vcpus",           "memory_mb",         "local_gb",        "hypervisor_type",
      "cpu_arch", "hypervisor_version", "console_log_bytes", "hang_timeout_ms", "allow_metadata_faults",
      "unsupported", "state_file",
  };
  if (auto s = config.check_known_keys(kKnown, {std::string(kFaultPrefix)}); !s.ok()) return s;

  FakeDriverConfig out;
  auto host = config.get_string("host", out.host);
  if (!host.ok()) return host.status();
  out.host = *host;

  auto vcpus = config.get_int("vcpus", out.vcpus);
  if (!vcpus.ok()) return vcpus.status();
  // Range-check before narrowing so a huge value is named, not wrapped.
  if (auto s = check_range([&](const std::string& k) { return config.describe(k); }, "vcpus", *vcpus, 1, 1'000'000);
      !s.ok()) {
    return s;
  }
  out.vcpus = static_cast<std::int32_t>(*vcpus);

  const std::pair<const char*, std::int64_t*> int_keys[] = {{"memory_mb", &out.memory_mb},
                                                           {"local_gb", &out.local_gb},
                                                           {"hypervisor_version", &out.hypervisor_version},
                                                           {"console_log_bytes", &out.console_log_bytes}};
  for (auto [key, field] : int_keys) {
    auto value = config.get_int(key, *field);
    if (!value.ok()) return value.status();
    *field = *value;
  }

  auto hang = config.get_int("hang_timeout_ms", out.hang_timeout.count());
  if (!hang.ok()) return hang.status();
  out.hang_timeout = std::chrono::milliseconds(*hang);

  const std::pair<const char*, std::string*> string_keys[] = {{"hypervisor_type", &out.hypervisor_type},
                                                             {"cpu_arch", &out.cpu_arch}};
  for (auto [key, field] : string_keys) {
    auto value = config.get_string(key, *field);
    if (!value.ok()) return value.status();
    *field = *value;
  }

  auto allow = config.get_bool("allow_metadata_faults", out.allow_metadata_faults);
  if (!allow.ok()) return allow.status();
  out.allow_metadata_faults = *allow;

  auto unsupported = config.get_string_list("unsupported", {});
  if (!unsupported.ok()) return unsupported.status();
  out.unsupported = std::move(unsupported).value();

  auto state_file = config.get_string("state_file", out.state_file);
  if (!state_file.ok()) return state_file.status();
  out.state_file = *state_file;

  for (const std::string& key : config.keys()) {
    if (key.rfind(kFaultPrefix, 0) != 0) continue;
    const std::string op_name = key.substr(kFaultPrefix.size());
    auto op = parse_operation(op_name);
    if (!op) {
      std::string known;
      for (FakeOperation each : all_operations()) {
        if (!known.empty()) known += ", ";
        known += operation_name(each);
      }
      return sdk::Status::InvalidArgument(config.describe(key) + ": no operation '" + op_name +
                                          "' can take a fault (known: " + known + ")");
    }
    auto text = config.get_string(key, "");
    if (!text.ok()) return text.status();
    auto spec = FaultSpec::parse(*text);
    if (!spec.ok()) return sdk::Status::InvalidArgument(config.describe(key) + ": " + spec.status().message());
    if (spec->action != FaultSpec::Action::kNone) out.faults[static_cast<std::size_t>(*op)] = *spec;
  }

  if (auto s = check(out, [&](const std::string& k) { return config.describe(k); }); !s.ok()) return s;
  return out;
}

}  // namespace stratus::drivers::fake
