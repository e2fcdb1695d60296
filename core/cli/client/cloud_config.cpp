#include "core/cli/client/cloud_config.h"

#include <cstdlib>
#include <exception>
#include <system_error>

#include <yaml-cpp/yaml.h>

namespace stratus::core::client {

namespace fs = std::filesystem;
using sdk::Result;
using sdk::Status;

namespace {

// A scalar member of `node` as text ("" when absent, null or not a scalar).
std::string scalar(const YAML::Node& node, const char* key) {
  if (!node.IsMap()) return "";
  const YAML::Node value = node[key];
  if (!value || !value.IsScalar()) return "";
  return value.as<std::string>();
}

void take(std::string& into, const std::string& value) {
  if (!value.empty()) into = value;
}

// The keys of a cloud's auth: section, and where each goes (later keys of
// the same field win: tenant_* are the v2 names).
struct AuthKey {
  const char* key;
  std::string CloudAuth::*field;
};
constexpr AuthKey kAuthKeys[] = {
    {"auth_url", &CloudAuth::auth_url},
    {"username", &CloudAuth::username},
    {"user_id", &CloudAuth::user_id},
    {"password", &CloudAuth::password},
    {"user_domain_name", &CloudAuth::user_domain_name},
    {"user_domain_id", &CloudAuth::user_domain_id},
    {"project_name", &CloudAuth::project_name},
    {"tenant_name", &CloudAuth::project_name},
    {"project_id", &CloudAuth::project_id},
    {"tenant_id", &CloudAuth::project_id},
    {"project_domain_name", &CloudAuth::project_domain_name},
    {"project_domain_id", &CloudAuth::project_domain_id},
    {"application_credential_id", &CloudAuth::application_credential_id},
    {"application_credential_name", &CloudAuth::application_credential_name},
    {"application_credential_secret", &CloudAuth::application_credential_secret},
};

// Copies what a clouds.yaml cloud says into `auth`.
void read_cloud(const YAML::Node& cloud, CloudAuth& auth) {
  const YAML::Node a = cloud["auth"];
  take(auth.auth_type, scalar(cloud, "auth_type"));
  take(auth.region_name, scalar(cloud, "region_name"));
  take(auth.interface, scalar(cloud, "interface"));
  for (const AuthKey& k : kAuthKeys) take(auth.*k.field, scalar(a, k.key));
  // domain_name / domain_id stand for both, as keystoneauth reads them.
  const std::string domain_name = scalar(a, "domain_name"), domain_id = scalar(a, "domain_id");
  if (auth.user_domain_name.empty() && auth.user_domain_id.empty()) {
    take(auth.user_domain_name, domain_name);
    take(auth.user_domain_id, domain_id);
  }
  if (auth.project_domain_name.empty() && auth.project_domain_id.empty()) {
    take(auth.project_domain_name, domain_name);
    take(auth.project_domain_id, domain_id);
  }
}

// Flags and OS_* variables over what the cloud said.
void apply_settings(const AuthSettings& s, CloudAuth& auth) {
  take(auth.auth_type, s.auth_type);
  take(auth.auth_url, s.auth_url);
  take(auth.username, s.username);
  take(auth.user_id, s.user_id);
  take(auth.password, s.password);
  take(auth.user_domain_name, s.user_domain_name);
  take(auth.user_domain_id, s.user_domain_id);
  take(auth.project_name, s.project_name);
  take(auth.project_id, s.project_id);
  take(auth.project_domain_name, s.project_domain_name);
  take(auth.project_domain_id, s.project_domain_id);
  take(auth.application_credential_id, s.application_credential_id);
  take(auth.application_credential_name, s.application_credential_name);
  take(auth.application_credential_secret, s.application_credential_secret);
  take(auth.region_name, s.region_name);
  take(auth.interface, s.interface);
}

std::string joined(const std::vector<fs::path>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p.string();
  return out;
}

Status check_complete(const CloudAuth& auth) {
  const std::string where = auth.cloud.empty() ? "set OS_AUTH_URL / --os-auth-url"
                                               : "cloud '" + auth.cloud + "' in " + auth.source + " has no auth.auth_url";
  if (auth.auth_url.empty()) return Status::InvalidArgument("no Keystone URL: " + where);
  const std::string from = auth.cloud.empty() ? " (set the OS_* variable or flag)" : " in cloud '" + auth.cloud + "'";
  if (auth.auth_type == "v3applicationcredential") {
    if (auth.application_credential_secret.empty()) {
      return Status::InvalidArgument("no application_credential_secret" + from);
    }
    if (auth.application_credential_id.empty() &&
        (auth.application_credential_name.empty() || (auth.username.empty() && auth.user_id.empty()))) {
      return Status::InvalidArgument("an application credential needs application_credential_id, or "
                                     "application_credential_name with username or user_id" + from);
    }
    return Status::OK();
  }
  if (auth.username.empty() && auth.user_id.empty()) return Status::InvalidArgument("no username" + from);
  if (auth.password.empty()) return Status::InvalidArgument("no password" + from);
  return Status::OK();
}

}  // namespace

std::vector<fs::path> clouds_yaml_search_path() {
  std::vector<fs::path> dirs;
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (!ec) dirs.push_back(cwd);
  if (const char* home = std::getenv("HOME"); home && *home) dirs.push_back(fs::path(home) / ".config" / "openstack");
  dirs.emplace_back("/etc/openstack");
  std::vector<fs::path> out;
  if (const char* file = std::getenv("OS_CLIENT_CONFIG_FILE"); file && *file) out.emplace_back(file);
  for (const auto& dir : dirs) {
    out.push_back(dir / "clouds.yaml");
    out.push_back(dir / "clouds.yml");
  }
  return out;
}

Result<CloudAuth> resolve_cloud_auth(const AuthSettings& settings, const std::vector<fs::path>& search_path) {
  CloudAuth auth;
  auth.source = "OS_* variables";
  if (!settings.cloud.empty()) {
    auth.cloud = settings.cloud;
    std::optional<fs::path> file;
    for (const auto& candidate : search_path) {
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) {
        file = candidate;
        break;
      }
    }
    if (!file) {
      return Status::NotFound("cloud '" + settings.cloud + "' asked for, but no clouds.yaml found (looked in " +
                              joined(search_path) + ")");
    }
    auth.source = file->string();
    YAML::Node root;
    try {
      root = YAML::LoadFile(file->string());
    } catch (const std::exception& e) {
      return Status::InvalidArgument("cannot read " + file->string() + ": " + e.what());
    }
    const YAML::Node clouds = root.IsMap() ? root["clouds"] : YAML::Node();
    if (!clouds || !clouds.IsMap()) return Status::InvalidArgument(file->string() + " has no 'clouds' map");
    const YAML::Node cloud = clouds[settings.cloud];
    if (!cloud || !cloud.IsMap()) {
      std::string names;
      for (const auto& kv : clouds) names += (names.empty() ? "" : ", ") + kv.first.as<std::string>();
      return Status::NotFound("cloud '" + settings.cloud + "' not found in " + file->string() +
                              " (clouds there: " + (names.empty() ? "none" : names) + ")");
    }
    read_cloud(cloud, auth);
  }
  apply_settings(settings, auth);
  if (auth.auth_type.empty() || auth.auth_type == "v3password") auth.auth_type = "password";
  if (auth.auth_type != "password" && auth.auth_type != "v3applicationcredential") {
    return Status::InvalidArgument("auth_type '" + auth.auth_type +
                                   "' is not supported (password or v3applicationcredential)");
  }
  // keystoneauth also takes the v2 spellings publicURL / internalURL / adminURL.
  if (auth.interface.size() > 3 && auth.interface.ends_with("URL")) auth.interface.resize(auth.interface.size() - 3);
  if (auth.interface != "public" && auth.interface != "internal" && auth.interface != "admin") {
    return Status::InvalidArgument("interface '" + auth.interface + "' is not one of public, internal, admin");
  }
  if (auto st = check_complete(auth); !st.ok()) return st;
  return auth;
}

}  // namespace stratus::core::client
