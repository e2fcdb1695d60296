// Identifiers the database hands out: random UUIDs (version 4, as Nova's
// uuidutils) and Neutron-style MAC addresses. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace stratus::core::db {

// "c5e938a8-60d6-4047-9bdd-7f2b29835345".
std::string random_uuid();

// "fa:16:3e:xx:xx:xx", OpenStack's default base MAC.
std::string random_mac();

// "instance-0000002a": Nova's instance_name_template for a database id.
std::string instance_name(std::int64_t id);

}  // namespace stratus::core::db
