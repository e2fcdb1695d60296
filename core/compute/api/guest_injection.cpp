#include "core/compute/api/guest_injection.h"

#include <sodium.h>

#include "core/common/base64.h"

namespace stratus::core::api {

const nlohmann::json& personality_schema() {
  static const nlohmann::json schema = nlohmann::json::parse(R"({
    "type": "array",
    "items": {
      "type": "object",
      "properties": {
        "path": {"type": "string"},
        "contents": {"type": "string"}
      },
      "additionalProperties": false
    }
  })");
  return schema;
}

sdk::Result<rpcapi::GuestInjection> guest_injection_from(const ApiRequest& req, const nlohmann::json& in,
                                                         std::string_view object_name) {
  rpcapi::GuestInjection out;
  if (in.contains("personality")) {
    if (req.microversion > kLastPersonalityMicroversion) {
      // As Nova's 2.57 schema answers it: an unknown property.
      return sdk::Status::InvalidArgument("Invalid input for field/attribute " + std::string(object_name) +
                                          ". Additional properties are not allowed ('personality' was unexpected)");
    }
    for (const auto& file : in["personality"]) {
      const std::string path = file.value("path", std::string());
      const std::string contents = file.value("contents", std::string());
      auto decoded = common::base64_decode_strict(contents);
      if (!decoded) return sdk::Status::InvalidArgument("Personality content for " + path + " cannot be decoded");
      out.files.emplace_back(path, std::move(*decoded));
    }
  }
  out.admin_password = in.contains("adminPass") ? in["adminPass"].get<std::string>() : generate_admin_password();
  return out;
}

std::string generate_admin_password() {
  // Nova's generate_password alphabet: no 0/O, 1/l/I look-alikes.
  static constexpr char kChars[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  constexpr std::uint32_t kCount = sizeof kChars - 1;
  static const bool ready = sodium_init() >= 0;  // idempotent, thread-safe
  (void)ready;
  std::string out;
  for (int i = 0; i < 12; ++i) out += kChars[randombytes_uniform(kCount)];
  return out;
}

}  // namespace stratus::core::api
