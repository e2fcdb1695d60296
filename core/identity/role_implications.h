// Keystone's default role implications, fixed in Stratus: admin implies
// member, member implies reader. Tokens carry the implied roles and the
// effective role assignment list shows them.
#pragma once

#include <string>
#include <vector>

namespace stratus::core::identity {

// Every role `role` implies, directly or through another ("admin": member,
// reader); empty for a role implying none.
std::vector<std::string> roles_implied_by(const std::string& role);

}  // namespace stratus::core::identity
