#include "core/compute/api/instance_usage_audit_log_controller.h"

#include <cstdio>
#include <optional>
#include <set>
#include <string>

#include "core/common/time_util.h"
#include "core/db/service_repository.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

struct Date {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  long micros = 0;
  auto operator<=>(const Date&) const = default;
};

std::string python_str(const Date& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", d.year, d.month, d.day, d.hour, d.minute, d.second);
  return buf;
}

// Nova's show: "%Y-%m-%d %H:%M:%S" or, with a '.', "...%S.%f".
std::optional<Date> parse_before(const std::string& id) {
  Date d;
  int consumed = 0;
  const bool fraction = id.find('.') != std::string::npos;
  if (fraction) {
    char frac[16] = {0};
    if (std::sscanf(id.c_str(), "%4d-%2d-%2d %2d:%2d:%2d.%6[0-9]%n", &d.year, &d.month, &d.day, &d.hour, &d.minute,
                    &d.second, frac, &consumed) != 7) {
      return std::nullopt;
    }
  } else if (std::sscanf(id.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &d.year, &d.month, &d.day, &d.hour, &d.minute,
                         &d.second, &consumed) != 6) {
    return std::nullopt;
  }
  if (static_cast<std::size_t>(consumed) != id.size()) return std::nullopt;
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > kDays[d.month - 1] || d.hour > 23 || d.minute > 59 ||
      d.second > 59) {
    return std::nullopt;
  }
  if (d.month == 2 && d.day == 29 && !(d.year % 4 == 0 && (d.year % 100 != 0 || d.year % 400 == 0))) return std::nullopt;
  return d;
}

Date now() {
  const std::string stored = common::utc_now();  // "YYYY-MM-DDTHH:MM:SS.ffffff"
  Date d;
  std::sscanf(stored.c_str(), "%d-%d-%dT%d:%d:%d.%ld", &d.year, &d.month, &d.day, &d.hour, &d.minute, &d.second,
              &d.micros);
  return d;
}

Date month_before(const Date& d) {
  Date out;
  out.year = d.month == 1 ? d.year - 1 : d.year;
  out.month = d.month == 1 ? 12 : d.month - 1;
  return out;
}

// Nova's last_completed_audit_period for the "month" unit: the month that
// ended at the last first-of-month midnight before `at`.
std::pair<Date, Date> last_completed_month(const Date& at) {
  Date end;
  end.year = at.year;
  end.month = at.month;
  if (!(end < at)) end = month_before(end);
  return {month_before(end), end};
}

Result<json> audit_log(db::Database& db, const Date& before) {
  auto services = db::ServiceRepository(db).list();
  if (!services.ok()) return services.status();
  std::set<std::string> hosts;
  for (const auto& s : *services) {
    if (s.topic == "compute" || s.binary == "stratus-compute") hosts.insert(s.host);
  }
  const auto [begin, end] = last_completed_month(before);
  // No audit task logs: no host done, running or in error.
  const std::string overall =
      std::string(hosts.empty() ? "ALL" : "0 of " + std::to_string(hosts.size())) + " hosts done. 0 errors.";
  return json{{"period_beginning", python_str(begin)},
              {"period_ending", python_str(end)},
              {"num_hosts", hosts.size()},
              {"num_hosts_done", 0},
              {"num_hosts_running", 0},
              {"num_hosts_not_run", hosts.size()},
              {"hosts_not_run", json(std::vector<std::string>(hosts.begin(), hosts.end()))},
              {"total_instances", 0},
              {"total_errors", 0},
              {"overall_status", overall},
              {"log", json::object()}};
}

}  // namespace

void add_instance_usage_audit_log_routes(ApiServer& server, db::Database& db) {
  server.route("GET", R"(/v2\.1/os-instance_usage_audit_log)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-instance-usage-audit-log:list")) return *denied;
    auto log = audit_log(db, now());
    if (!log.ok()) return log.status();
    return ApiResponse{200, {{"instance_usage_audit_logs", *log}}, {}};
  });

  server.route("GET", R"(/v2\.1/os-instance_usage_audit_log/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-instance-usage-audit-log:show")) return *denied;
    const std::string& id = req.path_params[0];
    auto before = parse_before(id);
    if (!before) return Status::InvalidArgument("Invalid timestamp for date " + id);
    auto log = audit_log(db, *before);
    if (!log.ok()) return log.status();
    return ApiResponse{200, {{"instance_usage_audit_log", *log}}, {}};
  });
}

}  // namespace stratus::core::api
