// quota_settable: the range an os-quota-sets PUT may set a limit in (Nova's
// get_settable_quotas and _validate_quota_limit), as pure functions of the
// limits and usage the caller read.
//
// A project's limit may not go below what it uses now, nor below what it
// has handed out to its users as their own limits (their sum). A user's
// limit may not go below what the user uses in the project, nor above what
// the project has not handed out to other users: the project's limit, less
// the sum of its users' own limits, plus this user's own limit now. -1 is
// unlimited at both ends. "force" skips the check, as in Nova.
//
// Where Nova's arithmetic treats a negative remainder as unlimited (more
// handed out than the project's limit, after a forced update) we treat it as
// nothing left, and a user's own unlimited (-1) limit does not count in the
// sum handed out (Nova would add one to the remainder).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "stratus/sdk/status.h"

namespace stratus::core::api {

using QuotaLimits = std::map<std::string, std::int64_t>;

struct SettableRange {
  std::int64_t minimum = 0;
  std::int64_t maximum = -1;  // -1: no upper bound
};

// For each resource of `project_limits`. `usage` and `users_total` (the sum
// of the users' own finite limits) may omit a resource (0).
std::map<std::string, SettableRange> project_settable_ranges(const QuotaLimits& project_limits,
                                                             const QuotaLimits& usage,
                                                             const QuotaLimits& users_total);

// For each resource of `project_limits`, for one user: `user_own` is the
// user's own limits (only those set), `user_usage` what the user uses.
std::map<std::string, SettableRange> user_settable_ranges(const QuotaLimits& project_limits,
                                                          const QuotaLimits& users_total,
                                                          const QuotaLimits& user_own,
                                                          const QuotaLimits& user_usage);

// OK when `limit` is within `range`; otherwise kInvalidArgument with Nova's
// message ("Quota limit 3 for cores must be greater than or equal to already
// used and reserved 4." / "... must be less than or equal to 5.").
sdk::Status check_settable(const std::string& resource, std::int64_t limit, const SettableRange& range);

}  // namespace stratus::core::api
