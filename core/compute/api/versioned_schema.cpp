#include "core/compute/api/versioned_schema.h"

#include <arpa/inet.h>

#include <stdexcept>

namespace stratus::core::api {

VersionedSchema::VersionedSchema(const std::vector<std::pair<Microversion, nlohmann::json>>& steps) {
  for (const auto& [version, schema] : steps) {
    auto compiled = JsonSchemaValidator::compile(schema);
    if (!compiled.ok()) throw std::runtime_error("schema for " + version.to_string() + ": " + compiled.status().message());
    steps_.emplace_back(version, std::move(compiled.value()));
  }
}

sdk::Status VersionedSchema::validate(const ApiRequest& req) const {
  const JsonSchemaValidator* chosen = nullptr;
  for (const auto& [version, validator] : steps_) {
    if (version <= req.microversion) chosen = validator.get();
  }
  if (chosen == nullptr) return sdk::Status::InvalidArgument("no request schema for " + req.microversion.to_string());
  return chosen->validate(req.body);
}

nlohmann::json with_properties(nlohmann::json schema, const char* key, const nlohmann::json& properties) {
  auto& props = schema["properties"][key]["properties"];
  for (const auto& [name, value] : properties.items()) props[name] = value;
  return schema;
}

sdk::Status check_access_ips(const nlohmann::json& object) {
  for (auto [field, family, name] : {std::tuple{"accessIPv4", AF_INET, "ipv4"}, std::tuple{"accessIPv6", AF_INET6, "ipv6"}}) {
    if (!object.is_object() || !object.contains(field) || !object[field].is_string()) continue;
    const std::string value = object[field].get<std::string>();
    unsigned char buf[16];
    if (inet_pton(family, value.c_str(), buf) != 1) {
      return sdk::Status::InvalidArgument("Invalid input for field/attribute " + std::string(field) + ". Value: " +
                                          value + ". '" + value + "' is not a '" + name + "'");
    }
  }
  return sdk::Status::OK();
}

std::string canonical_ip(const std::string& address) {
  const int family = address.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  unsigned char buf[16];
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(family, address.c_str(), buf) != 1) return address;
  if (inet_ntop(family, buf, text, sizeof text) == nullptr) return address;
  return text;
}

}  // namespace stratus::core::api
