// VersionedSchema: a request body schema that microversions extend (Nova's
// stacked @validation.schema(..., '2.19', '2.25') decorators): the schema of
// the highest first version at or below the request's validates it.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/http/api_server.h"
#include "core/http/json_schema_validator.h"
#include "core/http/microversion.h"
#include "stratus/sdk/status.h"

namespace stratus::core::api {

class VersionedSchema {
 public:
  // `steps`: (first version, schema), in ascending version order, the first
  // at 2.1. Throws on a schema that does not compile (a bug in our own
  // schemas, found at start-up).
  explicit VersionedSchema(const std::vector<std::pair<Microversion, nlohmann::json>>& steps);

  // OK, or kInvalidArgument naming the wrong field, for the request's version.
  sdk::Status validate(const ApiRequest& req) const;

 private:
  std::vector<std::pair<Microversion, std::shared_ptr<const JsonSchemaValidator>>> steps_;
};

// `schema` with `properties` added to the object schema under `key`
// ({"properties": {key: {"properties": ...}}}), as Nova's copy.deepcopy +
// ['properties'].update steps do.
nlohmann::json with_properties(nlohmann::json schema, const char* key, const nlohmann::json& properties);

// Nova's format checks for accessIPv4 / accessIPv6 under body[key] (valijson
// does not check formats): kInvalidArgument "Invalid input for field/attribute
// accessIPv4. Value: x. 'x' is not a 'ipv4'".
sdk::Status check_access_ips(const nlohmann::json& object);

// The canonical text of an address check_access_ips accepted, as Nova stores
// it (netaddr): "0000:0000:0000:0000:0000:babe:220.12.22.2" -> "::babe:dc0c:1602".
std::string canonical_ip(const std::string& address);

}  // namespace stratus::core::api
