// Reading a Neutron create body: {"<member>": {attribute: value, ...}}, with
// the checks Neutron makes and its wording ("Invalid input for <attr>.
// Reason: ..."); every refusal is a 400 that names the attribute.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/http/api_server.h"

namespace stratus::core::api::network {

class RequestBody {
 public:
  // The object under `member`, or a 400 for a missing/!object body, a list
  // (bulk create, not supported) or an attribute not in `allowed`.
  static std::variant<RequestBody, ApiResponse> parse(const nlohmann::json& body, const std::string& member,
                                                      const std::set<std::string>& allowed);

  bool has(const std::string& key) const { return attrs_.contains(key); }
  bool is_null(const std::string& key) const { return has(key) && attrs_[key].is_null(); }
  // Each returns nullopt when absent; sets error() on a wrong type/length.
  std::optional<std::string> string(const std::string& key, std::size_t max_length = 255);
  std::optional<bool> boolean(const std::string& key);
  std::optional<long long> integer(const std::string& key, long long min, long long max);
  std::optional<std::vector<std::string>> strings(const std::string& key);
  const nlohmann::json& raw(const std::string& key) const { return attrs_[key]; }

  // The first error met by the getters, as a 400 reply.
  const std::optional<ApiResponse>& error() const { return error_; }
  void fail(const std::string& key, const std::string& reason);

 private:
  explicit RequestBody(nlohmann::json attrs) : attrs_(std::move(attrs)) {}
  nlohmann::json attrs_;
  std::optional<ApiResponse> error_;
};

// The project a new resource belongs to: project_id / tenant_id from the
// body (which must agree), else the caller's. A non-admin naming another
// project gets Neutron's 400.
std::variant<std::string, ApiResponse> owning_project(RequestBody& body, const AuthContext& auth);

}  // namespace stratus::core::api::network
