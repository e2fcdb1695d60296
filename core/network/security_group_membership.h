// Which security groups servers' ports are in, for the Compute API: the
// groups a new server's ports go in, and the names a server shows.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/db/transaction.h"
#include "stratus/sdk/result.h"

namespace stratus::core::network {

// Server create: the groups (names or ids, Nova's `security_groups`) of
// `project_id` a new server's ports go in; none asked: the project's
// "default" (made if missing). kInvalidArgument "Security group X not
// found." (Nova's 400), kConflict for a name several groups have.
sdk::Result<std::vector<std::string>> resolve_server_security_groups(db::Transaction& tx, const std::string& project_id,
                                                                     const std::vector<std::string>& names);

// The names of the security groups of each instance's ports, in order,
// without repeats (the server view's "security_groups").
sdk::Result<std::map<std::string, std::vector<std::string>>> security_group_names_of(
    db::Transaction& tx, const std::vector<std::string>& instance_uuids);

}  // namespace stratus::core::network
