// Nova's _check_injected_file_quota: the personality files of a create or
// rebuild against the project's injected_files, injected_file_path_bytes
// and injected_file_content_bytes limits (-1: unlimited). Content is counted
// in decoded bytes. A file over a limit is refused with Nova's wording as
// 403 (OverQuota); nothing is created.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/rpcapi/messages.h"
#include "stratus/sdk/status.h"

namespace stratus::core::compute {

sdk::Status check_injected_file_quota(const std::map<std::string, std::int64_t>& limits,
                                      const rpcapi::GuestInjection& injection);

}  // namespace stratus::core::compute
