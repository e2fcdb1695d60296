#include "core/network/api/request_body.h"

#include "core/network/api/neutron_error.h"

namespace stratus::core::api::network {

using nlohmann::json;

std::variant<RequestBody, ApiResponse> RequestBody::parse(const json& body, const std::string& member,
                                                          const std::set<std::string>& allowed) {
  if (!body.is_object() || !body.contains(member)) {
    if (body.is_object() && body.contains(member + "s")) {
      return bad_request("Bulk creation of " + member + "s is not supported");
    }
    return bad_request("Resource body required: {\"" + member + "\": {...}}");
  }
  const json& attrs = body[member];
  if (!attrs.is_object()) return bad_request("Invalid input: \"" + member + "\" must be an object");
  std::string unknown;
  for (const auto& [k, v] : attrs.items()) {
    if (allowed.count(k) == 0) unknown += (unknown.empty() ? "" : ", ") + k;
  }
  if (!unknown.empty()) return bad_request("Unrecognized attribute(s) '" + unknown + "'");
  return RequestBody(attrs);
}

void RequestBody::fail(const std::string& key, const std::string& reason) {
  if (!error_) error_ = bad_request("Invalid input for " + key + ". Reason: " + reason + ".");
}

std::optional<std::string> RequestBody::string(const std::string& key, std::size_t max_length) {
  if (!has(key)) return std::nullopt;
  const json& v = attrs_[key];
  if (!v.is_string()) {
    fail(key, "'" + v.dump() + "' is not a valid string");
    return std::nullopt;
  }
  auto s = v.get<std::string>();
  if (s.size() > max_length) {
    fail(key, "'" + s.substr(0, 40) + "...' exceeds maximum length of " + std::to_string(max_length));
    return std::nullopt;
  }
  return s;
}

std::optional<bool> RequestBody::boolean(const std::string& key) {
  if (!has(key)) return std::nullopt;
  const json& v = attrs_[key];
  if (v.is_boolean()) return v.get<bool>();
  // Neutron converts "true"/"false" strings too.
  if (v.is_string() && (v == "true" || v == "True")) return true;
  if (v.is_string() && (v == "false" || v == "False")) return false;
  fail(key, "'" + v.dump() + "' cannot be converted to boolean");
  return std::nullopt;
}

std::optional<long long> RequestBody::integer(const std::string& key, long long min, long long max) {
  if (!has(key)) return std::nullopt;
  const json& v = attrs_[key];
  if (!v.is_number_integer() || v.get<long long>() < min || v.get<long long>() > max) {
    fail(key, "'" + v.dump() + "' is not an integer between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return v.get<long long>();
}

std::optional<std::vector<std::string>> RequestBody::strings(const std::string& key) {
  if (!has(key)) return std::nullopt;
  const json& v = attrs_[key];
  std::vector<std::string> out;
  if (!v.is_array()) {
    fail(key, "'" + v.dump() + "' is not a list");
    return std::nullopt;
  }
  for (const auto& item : v) {
    if (!item.is_string()) {
      fail(key, "'" + item.dump() + "' is not a valid string");
      return std::nullopt;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::variant<std::string, ApiResponse> owning_project(RequestBody& body, const AuthContext& auth) {
  auto project = body.string("project_id");
  auto tenant = body.string("tenant_id");
  if (body.error()) return *body.error();
  if (project && tenant && *project != *tenant) return bad_request("'project_id' and 'tenant_id' do not match");
  std::string chosen = project ? *project : tenant ? *tenant : auth.project_id;
  if (chosen != auth.project_id && !auth.is_admin) {
    return bad_request(
        "Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin "
        "privileges");
  }
  return chosen;
}

}  // namespace stratus::core::api::network
