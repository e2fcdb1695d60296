// The fake host's guests as a JSON document: what a state file holds
// ([driver.fake] state_file), so a restarted compute finds the guests its
// hypervisor kept running.
//
// Kept per guest: what list_instances, get_info, get_available_resource,
// get_diagnostics and the power sync read (uuid, name, hostname, power state,
// image, flavor, counters, config drive, vifs, cpu time). Not kept: the
// admin password and injected file contents (secrets stay out of a file on
// disk), the console log, and security group rules (a restarted compute
// applies them again).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stratus/drivers/fake/fake_driver.h"
#include "stratus/sdk/result.h"

namespace stratus::drivers::fake {

struct GuestRecord {
  FakeGuest info;              // files and admin_password are left empty
  std::string hostname;
  std::uint64_t cpu_time_ns = 0;  // accumulated when the record was taken
};

// {"format": "stratus-fake-guests", "version": 1, "host": ..., "guests": [...]}.
// Never throws: a name that is not UTF-8 is written with U+FFFD in its place.
std::string encode_guest_records(const std::string& host, const std::vector<GuestRecord>& guests);

// Parses encode_guest_records' output. Errors: kInvalidArgument saying what
// is wrong and where (JSON syntax with its byte offset, a missing or mistyped
// field with the guest's index, an unknown power state, a uuid twice).
sdk::Result<std::vector<GuestRecord>> decode_guest_records(const std::string& text);

}  // namespace stratus::drivers::fake
