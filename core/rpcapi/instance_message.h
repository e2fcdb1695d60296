// InstanceMsg from the database: the instance record plus its ports as the
// driver's network_info. Used by the API and the conductor, which own the
// database, before they send an instance to a compute host.
#pragma once

#include <string>
#include <vector>

#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "core/db/port_repository.h"
#include "core/rpcapi/messages.h"
#include "stratus/sdk/result.h"

namespace stratus::core::rpcapi {

// Pure conversion; user_data is decoded from the stored base64. `network_names` maps a network uuid to its name (missing: "").
InstanceMsg to_instance_msg(const db::InstanceRecord& record, const std::vector<db::PortRecord>& ports,
                            const std::map<std::string, std::string>& network_names = {});

// Reads the instance and its ports. kNotFound for an unknown (or, unless
// include_deleted, deleted) instance.
sdk::Result<InstanceMsg> load_instance_msg(db::Database& db, const std::string& instance_uuid,
                                           bool include_deleted = false);

// As above for a record already read (e.g. the one an update returned):
// reads only its ports and their networks' names.
sdk::Result<InstanceMsg> load_instance_msg(db::Database& db, const db::InstanceRecord& record);

}  // namespace stratus::core::rpcapi
