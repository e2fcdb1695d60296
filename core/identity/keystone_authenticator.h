// The "keystone" auth strategy: X-Auth-Token must be a valid project-scoped
// token of the identity service. The caller is the token's user on its
// project, with the token's roles; admin when they include "admin".
// Unscoped, expired, revoked, unknown and malformed tokens are refused
// alike (the API answers 401).
#pragma once

#include <memory>

#include "core/http/authenticator.h"
#include "core/identity/token_service.h"

namespace stratus::core::identity {

// `tokens` must outlive the authenticator.
std::shared_ptr<api::Authenticator> make_keystone_authenticator(TokenService& tokens);

}  // namespace stratus::core::identity
