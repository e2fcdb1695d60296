// How a list of roles is kept in one TEXT column (a token's roles, an
// application credential's): "id:name,id:name". Role ids are hex and role
// names are checked by the identity layer, so neither holds ',' or ':'.
#pragma once

#include <string>
#include <vector>

#include "core/db/role_repository.h"

namespace stratus::core::db {

std::string encode_roles(const std::vector<RoleRecord>& roles);
// Entries without a ':' are skipped.
std::vector<RoleRecord> decode_roles(const std::string& text);

// "a,b,c" and back; empty items are dropped.
std::string join_list(const std::vector<std::string>& items);
std::vector<std::string> split_list(const std::string& text);

}  // namespace stratus::core::db
