#include "core/db/capabilities_codec.h"

#include <utility>

#include <nlohmann/json.hpp>

namespace stratus::core::db {
namespace {

using Flag = bool sdk::DriverCapabilities::*;

// Every flag with its stored name; a flag appended to the SDK struct is added here.
constexpr std::pair<const char*, Flag> kFlags[] = {
    {"supports_reboot", &sdk::DriverCapabilities::supports_reboot},
    {"supports_power_off", &sdk::DriverCapabilities::supports_power_off},
    {"supports_pause", &sdk::DriverCapabilities::supports_pause},
    {"supports_suspend", &sdk::DriverCapabilities::supports_suspend},
    {"supports_rebuild", &sdk::DriverCapabilities::supports_rebuild},
    {"supports_console_output", &sdk::DriverCapabilities::supports_console_output},
    {"supports_config_drive", &sdk::DriverCapabilities::supports_config_drive},
    {"supports_direct_kernel_boot", &sdk::DriverCapabilities::supports_direct_kernel_boot},
};

constexpr const char* kFormats = "supported_image_formats";

}  // namespace

std::string capabilities_to_json(const sdk::DriverCapabilities& caps) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, flag] : kFlags) out[name] = caps.*flag;
  out[kFormats] = caps.supported_image_formats;
  return out.dump();
}

sdk::Result<sdk::DriverCapabilities> capabilities_from_json(const std::string& text) {
  const nlohmann::json in = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!in.is_object()) return sdk::Status::InvalidArgument("driver capabilities are not a JSON object: " + text);
  sdk::DriverCapabilities caps;
  for (const auto& [name, flag] : kFlags) {
    auto it = in.find(name);
    if (it == in.end()) continue;
    if (!it->is_boolean()) {
      return sdk::Status::InvalidArgument(std::string("driver capability ") + name + " is not a boolean");
    }
    caps.*flag = it->get<bool>();
  }
  if (auto it = in.find(kFormats); it != in.end()) {
    if (!it->is_array()) return sdk::Status::InvalidArgument(std::string(kFormats) + " is not a list");
    for (const auto& f : *it) {
      if (!f.is_string()) return sdk::Status::InvalidArgument(std::string(kFormats) + " holds a non-string");
      caps.supported_image_formats.push_back(f.get<std::string>());
    }
  }
  return caps;
}

std::string supported_instances_to_json(const std::vector<sdk::SupportedInstance>& instances) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& i : instances) out.push_back({i.arch, i.hv_type, i.vm_mode});
  return out.dump();
}

sdk::Result<std::vector<sdk::SupportedInstance>> supported_instances_from_json(const std::string& text) {
  const nlohmann::json in = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!in.is_array()) return sdk::Status::InvalidArgument("supported instances are not a JSON list: " + text);
  std::vector<sdk::SupportedInstance> out;
  for (const auto& t : in) {
    if (!t.is_array() || t.size() != 3 || !t[0].is_string() || !t[1].is_string() || !t[2].is_string()) {
      return sdk::Status::InvalidArgument("a supported instance is not [arch, hv_type, vm_mode]: " + t.dump());
    }
    out.push_back({t[0].get<std::string>(), t[1].get<std::string>(), t[2].get<std::string>()});
  }
  return out;
}

}  // namespace stratus::core::db
