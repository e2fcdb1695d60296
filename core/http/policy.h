// Policy: who may call what, in one table, as Nova's policy file does.
//
// Authentication (authenticator.h) says who the caller is: a user, the project
// its token is scoped to, and the roles it holds there. Policy says what those
// roles allow. Roles nest: admin implies member implies reader. Every rule a
// controller checks is named as the OpenStack service names it
// ("os_compute_api:os-services:list", "get_images", ...) and listed in the
// table in policy.cpp with what it requires; a rule missing from the table is
// refused (and logged), so a new admin call cannot slip through open.
//
// Project scoping (a member sees only its own project's servers, keypairs and
// images) is not a rule here: the controllers filter by project and answer 404
// for another project's resources, as Nova does, so nothing leaks their
// existence. Policy covers what whole calls require.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/api_server.h"
#include "core/http/authenticator.h"

namespace stratus::core::api {

enum class PolicyRequirement {
  kAdmin,          // the admin role
  kMember,         // the member role (or admin): may create and change
  kReader,         // the reader role (or above): may look
  kAdminOrOwner,   // admin, or a member of the project the call targets
};

// Whether `auth` holds `role`, counting the nesting (admin > member > reader).
bool has_role(const AuthContext& auth, std::string_view role);

// The requirement the table lists for `rule`, if it lists it.
std::optional<PolicyRequirement> policy_requirement(std::string_view rule);

// Whether `auth` may perform `rule` on a resource of `target_project` (only
// read by kAdminOrOwner rules). Unknown rules are refused.
bool policy_allows(const AuthContext& auth, std::string_view rule, std::string_view target_project = {});

// The 403 reply for `rule` when `req`'s caller may not perform it (Nova's
// "Policy doesn't allow <rule> to be performed."), or nothing when it may.
std::optional<ApiResponse> policy_check(const ApiRequest& req, std::string_view rule,
                                        std::string_view target_project = {});

// Every rule in the table, sorted, for documentation and tests.
std::vector<std::pair<std::string, PolicyRequirement>> policy_rules();

}  // namespace stratus::core::api
