#include "core/scheduler/driver_requirements.h"

#include <algorithm>

namespace stratus::core::scheduler {

std::optional<std::string> unmet_driver_requirement(const sdk::DriverCapabilities& caps,
                                                    const sdk::RequestSpec& spec) {
  const sdk::ImageMeta& image = spec.image;
  const auto& formats = caps.supported_image_formats;
  if (!formats.empty() && !image.disk_format.empty() &&
      std::find(formats.begin(), formats.end(), image.disk_format) == formats.end()) {
    return "image disk format '" + image.disk_format + "'";
  }
  const bool kernel_boot = !image.property("kernel_id").empty() || !image.property("ramdisk_id").empty();
  if (kernel_boot && !caps.supports_direct_kernel_boot) return std::string("direct kernel boot");
  if (image.property("img_config_drive") == "mandatory" && !caps.supports_config_drive) {
    return std::string("config drive");
  }
  return std::nullopt;
}

}  // namespace stratus::core::scheduler
