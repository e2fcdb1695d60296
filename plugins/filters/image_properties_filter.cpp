// "image_properties": Nova's ImagePropertiesFilter, plus the image's
// min_ram / min_disk (which Nova checks in the API and Stratus checks against
// the host, see docs/scheduler.md).
#include <algorithm>
#include <cctype>
#include <string>

#include "hypervisor_version.h"
#include "no_config.h"
#include "resource_fit.h"

namespace stratus::plugins::filters {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Nova's canonical names (nova.objects.fields Architecture/HVType/VMMode).
std::string canonical_arch(const std::string& name) {
  std::string n = lower(name);
  if (n == "i386" || n == "i486" || n == "i586" || n == "x86_32" || n == "x86_32p") return "i686";
  if (n == "amd64") return "x86_64";
  return n;
}

std::string canonical_hv_type(const std::string& name) {
  std::string n = lower(name);
  return n == "xapi" ? "xen" : n;
}

std::string canonical_vm_mode(const std::string& name) {
  std::string n = lower(name);
  if (n == "pv") return "xen";
  if (n == "hv" || n == "baremetal") return "hvm";
  return n;
}

// The image property `key`, or its legacy name when `key` is unset.
std::string property(const sdk::ImageMeta& image, const char* key, const char* legacy_key) {
  std::string v = image.property(key);
  return v.empty() ? image.property(legacy_key) : v;
}

// What the filter needs from the request, computed once per request.
struct ImageRequirements {
  std::string arch;
  std::string hv_type;
  std::string vm_mode;
  std::string version_requirement;
  std::int64_t ram_mb = 0;   // 0: the image sets no minimum
  std::int64_t disk_mb = 0;  // 0: the image sets no minimum

  explicit ImageRequirements(const sdk::RequestSpec& spec)
      : arch(canonical_arch(property(spec.image, "hw_architecture", "architecture"))),
        hv_type(canonical_hv_type(property(spec.image, "img_hv_type", "hypervisor_type"))),
        vm_mode(canonical_vm_mode(property(spec.image, "hw_vm_mode", "vm_mode"))),
        version_requirement(property(spec.image, "img_hv_requested_version", "hypervisor_version_requires")) {
    if (spec.image.min_ram_mb > 0) ram_mb = std::max(spec.flavor.memory_mb, spec.image.min_ram_mb);
    if (spec.image.min_disk_gb > 0) disk_mb = detail::requested_disk_mb(spec.flavor, spec.image.min_disk_gb);
  }

  bool supported_by(const sdk::SupportedInstance& si) const {
    return (arch.empty() || arch == canonical_arch(si.arch)) &&
           (hv_type.empty() || hv_type == canonical_hv_type(si.hv_type)) &&
           (vm_mode.empty() || vm_mode == canonical_vm_mode(si.vm_mode));
  }

  bool passes(const sdk::HostState& host) const {
    if (ram_mb > 0 && !detail::ram_fits(host, ram_mb)) return false;
    if (disk_mb > 0 && !detail::disk_fits(host, disk_mb)) return false;
    if (!version_requirement.empty()) {
      // A host that does not report its version cannot show that it qualifies;
      // neither can a requirement that does not parse.
      if (host.hypervisor_version <= 0) return false;
      if (!detail::version_satisfies(host.hypervisor_version, version_requirement).value_or(false)) return false;
    }
    if (arch.empty() && hv_type.empty() && vm_mode.empty()) return true;
    return std::any_of(host.supported_instances.begin(), host.supported_instances.end(),
                       [this](const sdk::SupportedInstance& si) { return supported_by(si); });
  }
};

class ImagePropertiesFilter final : public sdk::SchedulerFilter {
 public:
  bool host_passes(const sdk::HostState& host, const sdk::RequestSpec& spec) const override {
    return ImageRequirements(spec).passes(host);
  }

  // Reads and canonicalises the image once for all hosts.
  std::vector<const sdk::HostState*> filter_all(const std::vector<const sdk::HostState*>& hosts,
                                                const sdk::RequestSpec& spec) const override {
    const ImageRequirements requirements(spec);
    std::vector<const sdk::HostState*> out;
    out.reserve(hosts.size());
    for (const sdk::HostState* h : hosts) {
      if (h != nullptr && requirements.passes(*h)) out.push_back(h);
    }
    return out;
  }
};

}  // namespace

FilterResult make_image_properties_filter(const sdk::PluginConfig& config) {
  return detail::make_without_config<ImagePropertiesFilter>(config);
}

}  // namespace stratus::plugins::filters
