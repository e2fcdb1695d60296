// Identifiers the database hands out: random UUIDs (version 4, as Nova's
// uuidutils) and Neutron-style MAC addresses. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stratus::core::common {

// "c5e938a8-60d6-4047-9bdd-7f2b29835345".
std::string random_uuid();

// True for a canonical 8-4-12 hex UUID (either case).
bool is_uuid(std::string_view id);

// "fa:16:3e:xx:xx:xx", OpenStack's default base MAC.
std::string random_mac();

// "instance-0000002a": Nova's instance_name_template for a database id.
std::string instance_name(std::int64_t id);

}  // namespace stratus::core::common
