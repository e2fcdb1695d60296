#include "core/identity/role_implications.h"

namespace stratus::core::identity {

std::vector<std::string> roles_implied_by(const std::string& role) {
  if (role == "admin") return {"member", "reader"};
  if (role == "member") return {"reader"};
  return {};
}

}  // namespace stratus::core::identity
