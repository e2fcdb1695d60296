// spec_from_record: the scheduler's request for one instance, rebuilt from
// what the database keeps of it, for a build whose original request is gone
// (a lost build_instances cast, a build taken from a host that went down or
// restarted). The API's RequestSpec is not stored: scheduler hints, a forced
// host and injected files are not kept, so such a retry goes without them.
#pragma once

#include "core/db/database.h"
#include "core/db/instance_repository.h"
#include "stratus/sdk/request_spec.h"

namespace stratus::core::conductor {

// Flavor, image (the stored one, or its id alone when it was deleted), zone
// and server group of `r`, one instance.
sdk::RequestSpec spec_from_record(db::Database& db, const db::InstanceRecord& r);

}  // namespace stratus::core::conductor
