// Where an OpenStack client finds its credentials, done the way
// openstacksdk / openstackclient do it, so a user's existing clouds.yaml and
// OS_* variables work with `stratus` unchanged:
//   - a named cloud (--os-cloud / $OS_CLOUD) from the first clouds.yaml found
//     in $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/clouds.yaml,
//     /etc/openstack/clouds.yaml (.yml accepted as well, like openstacksdk);
//   - otherwise the OS_* variables (--os-auth-url, --os-username, ...).
// Flags given on the command line override a cloud's values.
// Auth types: password (also "v3password") and v3applicationcredential.
// Internal to core/cli/client.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "stratus/sdk/result.h"

namespace stratus::core::client {

// What a login needs, resolved from a cloud or the OS_* variables.
struct CloudAuth {
  std::string cloud;      // the cloud's name; empty when from OS_* variables
  std::string source;     // the clouds.yaml it came from, or "OS_* variables"
  std::string auth_type;  // "password" or "v3applicationcredential"
  std::string auth_url;   // Keystone, with or without /v3
  std::string username, user_id, password;
  std::string user_domain_name, user_domain_id;
  std::string project_name, project_id;
  std::string project_domain_name, project_domain_id;
  std::string application_credential_id, application_credential_name, application_credential_secret;
  std::string region_name;         // empty: any region
  std::string interface = "public";  // public, internal or admin
};

// The login options of every command (--os-cloud, --os-auth-url, ...), each
// read from its OS_* variable when not given. Empty means not set.
struct AuthSettings {
  std::string cloud;
  std::string auth_type;
  std::string auth_url;
  std::string username, user_id, password;
  std::string user_domain_name, user_domain_id;
  std::string project_name, project_id;
  std::string project_domain_name, project_domain_id;
  std::string application_credential_id, application_credential_name, application_credential_secret;
  std::string region_name;
  std::string interface;

  // True when the user asked to log in (a cloud or an auth URL is set).
  bool wants_login() const { return !cloud.empty() || !auth_url.empty(); }
};

// openstacksdk's search path: $OS_CLIENT_CONFIG_FILE first when set, then
// ./clouds.y(a)ml, ~/.config/openstack/clouds.y(a)ml, /etc/openstack/clouds.y(a)ml.
std::vector<std::filesystem::path> clouds_yaml_search_path();

// Resolves the credentials. With a cloud name: the first file of
// `search_path` that exists is read (YAML) and must hold clouds.<name>;
// errors name the files looked at, the clouds the file has, or what is
// missing (kNotFound for an unknown cloud or no file, kInvalidArgument for an
// unreadable file, a bad auth_type or a missing auth_url/username/password/
// secret). Without a cloud: the OS_* settings alone.
sdk::Result<CloudAuth> resolve_cloud_auth(const AuthSettings& settings,
                                          const std::vector<std::filesystem::path>& search_path);

}  // namespace stratus::core::client
