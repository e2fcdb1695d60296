#include "core/compute/api/extra_spec_validation.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <regex>
#include <vector>

namespace stratus::core::api {

namespace {

using sdk::Status;

enum class Kind { kStr, kInt, kBool };

struct KnownSpec {
  const char* name_regex;  // full match against the key
  Kind kind;
  std::vector<std::string> choices;  // kStr: allowed values, empty for any
  std::optional<std::int64_t> min;   // kInt
};

// The keys Nova's validators register in the namespaces listed above.
const std::vector<KnownSpec>& known_specs() {
  static const std::vector<KnownSpec> specs = {
      {"hw:cpu_realtime", Kind::kBool, {}, {}},
      {"hw:cpu_realtime_mask", Kind::kStr, {}, {}},
      {"hw:hide_hypervisor_id", Kind::kBool, {}, {}},
      {"hw:cpu_policy", Kind::kStr, {"dedicated", "shared", "mixed"}, {}},
      {"hw:cpu_thread_policy", Kind::kStr, {"prefer", "isolate", "require"}, {}},
      {"hw:emulator_threads_policy", Kind::kStr, {"isolate", "share"}, {}},
      {"hw:cpu_dedicated_mask", Kind::kStr, {}, {}},
      {"hw:mem_page_size", Kind::kStr, {}, {}},
      {"hw:locked_memory", Kind::kBool, {}, {}},
      {"hw:numa_nodes", Kind::kInt, {}, 1},
      {"hw:numa_cpus\\.[0-9]+", Kind::kStr, {}, {}},
      {"hw:numa_mem\\.[0-9]+", Kind::kInt, {}, 1},
      {"hw:pci_numa_affinity_policy", Kind::kStr, {"required", "preferred", "legacy", "socket"}, {}},
      {"hw:cpu_sockets", Kind::kInt, {}, 1},
      {"hw:cpu_cores", Kind::kInt, {}, 1},
      {"hw:cpu_threads", Kind::kInt, {}, 1},
      {"hw:cpu_max_sockets", Kind::kInt, {}, 1},
      {"hw:cpu_max_cores", Kind::kInt, {}, 1},
      {"hw:cpu_max_threads", Kind::kInt, {}, 1},
      {"hw:boot_menu", Kind::kBool, {}, {}},
      {"hw:vif_multiqueue_enabled", Kind::kBool, {}, {}},
      {"hw:mem_encryption", Kind::kBool, {}, {}},
      {"hw:mem_encryption_model", Kind::kStr, {"amd-sev", "amd-sev-es", "amd-sev-snp"}, {}},
      {"hw:pmem", Kind::kStr, {}, {}},
      {"hw:pmu", Kind::kBool, {}, {}},
      {"hw:serial_port_count", Kind::kInt, {}, 0},
      {"hw:tpm_model", Kind::kStr, {"tpm-tis", "tpm-crb"}, {}},
      {"hw:tpm_version", Kind::kStr, {"1.2", "2.0"}, {}},
      {"hw:tpm_secret_security", Kind::kStr, {"user", "host", "deployment"}, {}},
      {"hw:watchdog_action", Kind::kStr, {"none", "pause", "poweroff", "reset", "disabled"}, {}},
      {"hw:viommu_model", Kind::kStr, {"intel", "smmuv3", "virtio", "auto"}, {}},
      {"hw:virtio_packed_ring", Kind::kBool, {}, {}},
      {"hw:sound_model", Kind::kStr, {}, {}},
      {"hw:usb_model", Kind::kStr, {}, {}},
      {"hw:redirected_usb_ports", Kind::kInt, {}, 0},
      {"hw:ephemeral_encryption", Kind::kBool, {}, {}},
      {"hw:ephemeral_encryption_format", Kind::kStr, {}, {}},
      {"hw_rng:allowed", Kind::kBool, {}, {}},
      {"hw_rng:rate_bytes", Kind::kInt, {}, 0},
      {"hw_rng:rate_period", Kind::kInt, {}, 0},
      {"hw_video:ram_max_mb", Kind::kInt, {}, 0},
  };
  return specs;
}

bool known_namespace(const std::string& ns) { return ns == "hw" || ns == "hw_rng" || ns == "hw_video"; }

bool is_bool_like(std::string v) {
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* ok : {"1", "t", "true", "on", "y", "yes", "0", "f", "false", "off", "n", "no"}) {
    if (v == ok) return true;
  }
  return false;
}

Status check(const KnownSpec& spec, const std::string& value) {
  switch (spec.kind) {
    case Kind::kBool:
      if (!is_bool_like(value)) return Status::InvalidArgument("Validation failed; '" + value + "' is not a valid boolean-like value.");
      return Status::OK();
    case Kind::kInt: {
      std::int64_t n = 0;
      const char* begin = value.data();
      const char* end = value.data() + value.size();
      if (begin != end && *begin == '+') ++begin;
      auto [ptr, ec] = std::from_chars(begin, end, n);
      if (begin == end || ec != std::errc() || ptr != end) {
        return Status::InvalidArgument("Validation failed; '" + value + "' is not a valid integer value.");
      }
      if (spec.min && n < *spec.min) {
        return Status::InvalidArgument("Validation failed; '" + value + "' is less than the min value of '" +
                                       std::to_string(*spec.min) + "'.");
      }
      return Status::OK();
    }
    case Kind::kStr:
      if (!spec.choices.empty() && std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end()) {
        std::string all;
        for (const auto& c : spec.choices) all += (all.empty() ? "" : ", ") + c;
        return Status::InvalidArgument("Validation failed; '" + value + "' is not one of: " + all + ".");
      }
      return Status::OK();
  }
  return Status::OK();
}

}  // namespace

Status validate_extra_spec(const std::string& name, const std::string& value) {
  for (const KnownSpec& spec : known_specs()) {
    if (std::regex_match(name, std::regex(spec.name_regex))) return check(spec, value);
  }
  auto colon = name.find(':');
  if (colon == std::string::npos || !known_namespace(name.substr(0, colon))) return Status::OK();
  return Status::InvalidArgument("Validation failed; extra spec '" + name + "' does not appear to be a valid extra spec.");
}

}  // namespace stratus::core::api
