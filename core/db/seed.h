// Seeding: what a fresh cloud needs so a server can be created at once
// (`stratus aio` first start). Every helper is idempotent: it creates what is
// missing and leaves what exists (even if an admin changed it) alone.
#pragma once

#include <string>

#include "core/db/database.h"
#include "stratus/sdk/status.h"

namespace stratus::core::db {

// Nova's classic flavors, ids "1".."5": m1.tiny 1 vCPU/512 MB/1 GB,
// m1.small 1/2048/20, m1.medium 2/4096/40, m1.large 4/8192/80, m1.xlarge 8/16384/160.
sdk::Status seed_default_flavors(Database& db);

// A shared network "private" with one subnet "private-subnet", 10.0.0.0/24,
// gateway 10.0.0.1, both with fixed uuids.
inline constexpr const char* kDefaultNetworkUuid = "5d4c6a1b-7e0f-4a29-9b38-2c1d0e6f7a81";
inline constexpr const char* kDefaultSubnetUuid = "9a3e1f52-0b6c-4d87-a1e4-6f2b8c0d3e95";
sdk::Status seed_default_network(Database& db);

// A small public placeholder image "cirros-0.6.2-x86_64-disk" with a fixed uuid.
inline constexpr const char* kDefaultImageUuid = "155d900f-4e14-4e4c-a73d-069cbf4541e6";
sdk::Status seed_default_image(Database& db);

// All of the above.
sdk::Status seed_defaults(Database& db);

}  // namespace stratus::core::db
