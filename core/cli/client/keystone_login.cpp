#include "core/cli/client/keystone_login.h"

#include <exception>
#include <optional>

#include <httplib.h>

#include "core/cli/client/compute_client.h"

namespace stratus::core::client {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

namespace {

// {"name": N, "domain": {...}} or {"id": I}: a user or project reference.
json named(const std::string& id, const std::string& name, const std::string& domain_id,
           const std::string& domain_name) {
  if (!id.empty()) return {{"id", id}};
  json ref = {{"name", name}};
  // Without a domain, openstackclient's default domain ("default").
  if (!domain_id.empty()) {
    ref["domain"] = {{"id", domain_id}};
  } else if (!domain_name.empty()) {
    ref["domain"] = {{"name", domain_name}};
  } else {
    ref["domain"] = {{"id", "default"}};
  }
  return ref;
}

}  // namespace

json keystone_auth_body(const CloudAuth& auth) {
  json identity;
  if (auth.auth_type == "v3applicationcredential") {
    json credential = {{"secret", auth.application_credential_secret}};
    if (!auth.application_credential_id.empty()) {
      credential["id"] = auth.application_credential_id;
    } else {
      credential["name"] = auth.application_credential_name;
      credential["user"] = named(auth.user_id, auth.username, auth.user_domain_id, auth.user_domain_name);
    }
    // An application credential carries its own project: no scope is sent.
    return {{"auth", {{"identity", {{"methods", {"application_credential"}}, {"application_credential", credential}}}}}};
  }
  json user = named(auth.user_id, auth.username, auth.user_domain_id, auth.user_domain_name);
  user["password"] = auth.password;
  json body = {{"auth", {{"identity", {{"methods", {"password"}}, {"password", {{"user", user}}}}}}}};
  if (!auth.project_id.empty() || !auth.project_name.empty()) {
    body["auth"]["scope"] = {{"project", named(auth.project_id, auth.project_name, auth.project_domain_id,
                                               auth.project_domain_name)}};
  }
  return body;
}

std::string keystone_tokens_url(const std::string& auth_url) {
  std::string base = auth_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!base.ends_with("/v3")) base += "/v3";
  return base + "/auth/tokens";
}

Result<std::string> catalog_endpoint(const json& catalog, const std::string& type, const std::string& interface,
                                     const std::string& region) {
  if (!catalog.is_array()) return Status::NotFound("the token has no service catalog");
  std::string seen;
  for (const auto& service : catalog) {
    if (!service.is_object() || service.value("type", "") != type) continue;
    for (const auto& endpoint : service.value("endpoints", json::array())) {
      if (!endpoint.is_object()) continue;
      const std::string iface = endpoint.value("interface", "");
      const std::string where = endpoint.contains("region_id") && endpoint["region_id"].is_string()
                                    ? endpoint["region_id"].get<std::string>()
                                    : endpoint.value("region", "");
      seen += (seen.empty() ? "" : ", ") + iface + "@" + (where.empty() ? "-" : where);
      if (iface == interface && (region.empty() || where == region) && endpoint.contains("url") &&
          endpoint["url"].is_string()) {
        return endpoint["url"].get<std::string>();
      }
    }
  }
  const std::string asked = "'" + type + "' endpoint on interface '" + interface + "'" +
                            (region.empty() ? "" : " in region '" + region + "'");
  if (seen.empty()) return Status::NotFound("no " + asked + " in the service catalog (it has no '" + type + "' service)");
  return Status::NotFound("no " + asked + " in the service catalog (it has " + seen + ")");
}

Result<KeystoneSession> keystone_login(const CloudAuth& auth, std::chrono::milliseconds timeout) {
  const std::string url = keystone_tokens_url(auth.auth_url);
  auto parsed = parse_compute_url(url);
  if (!parsed.ok()) return Status::InvalidArgument("invalid auth_url '" + auth.auth_url + "'");
  std::optional<httplib::Result> res;
  try {
    httplib::Client http(parsed->scheme_host_port);
    const auto sec = static_cast<time_t>(timeout.count() / 1000);
    const auto usec = static_cast<time_t>((timeout.count() % 1000) * 1000);
    http.set_connection_timeout(sec, usec);
    http.set_read_timeout(sec, usec);
    http.set_write_timeout(sec, usec);
    const httplib::Headers headers = {{"Accept", "application/json"}, {"User-Agent", "stratus-cli/0.1.0"}};
    res.emplace(http.Post(parsed->path_prefix, headers, keystone_auth_body(auth).dump(), "application/json"));
  } catch (const std::exception& e) {
    return Status::Unavailable("login at " + url + " failed: " + e.what());
  }
  if (!*res) {
    return Status::Unavailable("cannot log in: no answer from Keystone at " + url + " (" +
                               httplib::to_string(res->error()) + ")");
  }
  const auto& reply = **res;
  if (reply.status < 200 || reply.status >= 300) {
    const std::string message = "login failed: " + decode_nova_error(reply.status, reply.body);
    if (reply.status == 401 || reply.status == 403) return Status::InvalidState(message);
    if (reply.status == 404) return Status::NotFound(message + " (is " + auth.auth_url + " a Keystone URL?)");
    return Status::InvalidArgument(message);
  }
  KeystoneSession session;
  session.token = reply.get_header_value("X-Subject-Token");
  if (session.token.empty()) return Status::Internal("Keystone at " + url + " answered without X-Subject-Token");
  const json body = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  const json catalog = body.is_object() && body.contains("token") && body["token"].is_object()
                           ? body["token"].value("catalog", json())
                           : json();
  auto compute = catalog_endpoint(catalog, "compute", auth.interface, auth.region_name);
  if (!compute.ok()) return compute.status();
  session.compute_url = *compute;
  return session;
}

}  // namespace stratus::core::client
