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

// The external network floating IPs come from: "public" (router:external,
// owned by the cloud) with one subnet "public-subnet", 172.24.4.0/24 (as
// devstack's), both with fixed uuids. Nothing routes it: its addresses only
// name floating IPs.
inline constexpr const char* kPublicNetworkUuid = "0c1e7d2a-3b4f-4a5e-8d6c-7f9a1b2c3d4e";
inline constexpr const char* kPublicSubnetUuid = "6e2f8a1b-9c0d-4e3f-a5b6-c7d8e9f0a1b2";
sdk::Status seed_public_network(Database& db);

// A small public placeholder image "cirros-0.6.2-x86_64-disk" with a fixed uuid.
inline constexpr const char* kDefaultImageUuid = "155d900f-4e14-4e4c-a73d-069cbf4541e6";
sdk::Status seed_default_image(Database& db);

// All of the above.
sdk::Status seed_defaults(Database& db);

}  // namespace stratus::core::db
