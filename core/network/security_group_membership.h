// Which security groups servers' ports are in: the groups a new server's
// ports go in, the names a server shows, and the groups whose members change
// when a server's ports go.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/db/scope.h"
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

// The groups of `device_id`'s ports that PortRepository::remove_by_device
// deletes, each once (a user's port is only unbound: it stays a member).
// Those groups lose the ports' addresses when the device goes, so the
// instances whose rules name them as remote need a refresh.
sdk::Result<std::vector<std::string>> groups_left_by_device(db::Scope scope, const std::string& device_id);

// The groups `port_id` is in, each once (none for an unknown port).
sdk::Result<std::vector<std::string>> groups_of_port(db::Scope scope, const std::string& port_id);

}  // namespace stratus::core::network
