// Logging in to Keystone v3 as every OpenStack client does: POST
// {auth_url}/v3/auth/tokens with a password (scoped to the project) or an
// application credential (its own scope), the token from the
// X-Subject-Token header, and the compute endpoint from the token's catalog
// (type "compute", the asked interface, the asked region or any).
// Errors are what a user should read: Keystone's own message for a 401
// ("401 The request you have made requires authentication."), the URL when
// Keystone cannot be reached, and what the catalog lacks when it has no
// compute endpoint. No call throws. Internal to core/cli/client.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "core/cli/client/cloud_config.h"
#include "stratus/sdk/result.h"

namespace stratus::core::client {

struct KeystoneSession {
  std::string token;        // X-Auth-Token for the other services
  std::string compute_url;  // from the catalog
};

// The request body POST /v3/auth/tokens takes for `auth`.
nlohmann::json keystone_auth_body(const CloudAuth& auth);

// ".../v3/auth/tokens" for an auth_url given with or without "/v3".
std::string keystone_tokens_url(const std::string& auth_url);

// The URL of the `type` endpoint on `interface` in `region` (empty: any)
// in a v3 catalog; kNotFound naming what the catalog has otherwise.
sdk::Result<std::string> catalog_endpoint(const nlohmann::json& catalog, const std::string& type,
                                          const std::string& interface, const std::string& region);

sdk::Result<KeystoneSession> keystone_login(const CloudAuth& auth, std::chrono::milliseconds timeout);

}  // namespace stratus::core::client
