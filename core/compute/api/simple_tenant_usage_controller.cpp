#include "core/compute/api/simple_tenant_usage_controller.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/time_util.h"
#include "core/db/instance_repository.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

constexpr std::size_t kMaxLimit = 1000;  // Nova's [api] max_limit

// Microseconds since the epoch of a stored time ("YYYY-MM-DDTHH:MM:SS.ffffff").
std::int64_t micros_of(const std::string& stored) {
  int y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0;
  long us = 0;
  std::sscanf(stored.c_str(), "%d-%d-%dT%d:%d:%d.%ld", &y, &mo, &d, &h, &mi, &s, &us);
  // days_from_civil (Howard Hinnant's algorithm).
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
  return ((days * 24 + h) * 60 + mi) * 60 * 1000000LL + s * 1000000LL + us;
}

// Python's isoformat of a naive datetime: no fraction when it is zero.
std::string isoformat(const std::string& stored) {
  if (stored.size() > 19 && stored.substr(19) == ".000000") return stored.substr(0, 19);
  return stored;
}

// Nova's _parse_datetime: absent is now; else one of its three formats.
Result<std::string> period_time(const std::optional<std::string>& text) {
  if (!text || text->empty()) return common::utc_now();
  const std::string& t = *text;
  // "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f" or "%Y-%m-%d %H:%M:%S.%f".
  const bool shape = t.size() >= 19 && t[4] == '-' && t[7] == '-' && t[13] == ':' && t[16] == ':' &&
                     ((t[10] == 'T' && (t.size() == 19 || t[19] == '.')) || (t[10] == ' ' && t.size() > 19 && t[19] == '.'));
  auto parsed = shape ? common::parse_timestamp(t) : Result<std::string>(Status::InvalidArgument(""));
  if (!parsed.ok()) return Status::InvalidArgument("Invalid datetime string: Datetime is in invalid format");
  return parsed;
}

struct Period {
  std::string start, stop;  // stored form
  bool detailed = false;
};

Result<Period> period_of(const ApiRequest& req) {
  auto start = period_time(req.query_param("start"));
  if (!start.ok()) return start.status();
  auto stop = period_time(req.query_param("end"));
  if (!stop.ok()) return stop.status();
  if (!(micros_of(*start) < micros_of(*stop))) {
    return Status::InvalidArgument("Invalid start time. The start time cannot occur after the end time.");
  }
  Period p{*start, *stop, req.query_param("detailed").value_or("0") == "1"};
  // Nova: the period ends now at the latest.
  const std::string now = common::utc_now();
  if (micros_of(p.stop) > micros_of(now)) p.stop = now;
  return p;
}

struct Page {
  std::optional<std::size_t> limit;
  std::optional<std::string> marker;
};

Result<Page> page_of(const ApiRequest& req) {
  Page p;
  if (req.microversion < Microversion{2, 40}) return p;
  if (auto raw = req.query_param("limit")) {
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
    if (raw->empty() || ec != std::errc() || ptr != raw->data() + raw->size()) {
      return Status::InvalidArgument("limit param must be an integer");
    }
    if (v < 0) return Status::InvalidArgument("limit param must be positive");
    p.limit = static_cast<std::size_t>(v);
  }
  if (auto m = req.query_param("marker")) p.marker = *m;
  return p;
}

// Nova's _hours_for.
double hours_for(const db::InstanceRecord& i, std::int64_t start, std::int64_t stop) {
  if (!i.launched_at) return 0;
  const std::int64_t launched = micros_of(*i.launched_at);
  std::optional<std::int64_t> terminated;
  if (i.terminated_at) terminated = micros_of(*i.terminated_at);
  if (terminated && *terminated < start) return 0;
  if (launched > stop) return 0;
  const std::int64_t from = std::max(launched, start);
  const std::int64_t to = terminated ? std::min(stop, *terminated) : stop;
  return static_cast<double>(to - from) / 3600e6;
}

struct Usage {
  json tenants = json::array();      // in the order projects are first met
  std::vector<std::string> servers;  // instance uuids of the page, for the next link
};

// Nova's _tenant_usages_for_period over get_active_by_window_joined: the
// instances (deleted ones too) launched before the period's end and not
// terminated before its start, oldest first.
Result<Usage> usages(db::Database& db, const Period& period, const std::optional<std::string>& project, bool detailed,
                     const Page& page) {
  db::InstanceFilter filter;
  filter.project_id = project;
  filter.deleted = db::DeletedFilter::kInclude;
  db::InstanceListOptions options;
  options.sort = {{db::InstanceSortKey::kCreatedAt, true}};
  auto all = db::InstanceRepository(db).list(filter, options);
  if (!all.ok()) return all.status();
  const std::int64_t start = micros_of(period.start);
  const std::int64_t stop = micros_of(period.stop);
  std::vector<const db::InstanceRecord*> window;
  for (const auto& i : *all) {
    if (!i.launched_at || micros_of(*i.launched_at) >= stop) continue;
    if (i.terminated_at && micros_of(*i.terminated_at) <= start) continue;
    window.push_back(&i);
  }
  std::size_t first = 0;
  if (page.marker) {
    auto it = std::find_if(window.begin(), window.end(), [&](const auto* i) { return i->uuid == *page.marker; });
    if (it == window.end()) return Status::InvalidArgument("Marker " + *page.marker + " could not be found.");
    first = static_cast<std::size_t>(it - window.begin()) + 1;
  }
  const std::size_t limit = std::min(page.limit.value_or(kMaxLimit), kMaxLimit);

  Usage out;
  std::map<std::string, std::size_t> index;  // project -> position in out.tenants
  const std::int64_t now = micros_of(common::utc_now());
  for (std::size_t n = first; n < window.size() && out.servers.size() < limit; ++n) {
    const db::InstanceRecord& i = *window[n];
    const double hours = hours_for(i, start, stop);
    const std::int64_t local_gb = i.flavor.root_gb + i.flavor.ephemeral_gb;
    const bool ended = i.terminated_at.has_value();
    const std::int64_t uptime_us = (ended ? micros_of(*i.terminated_at) : now) - micros_of(*i.launched_at);
    json server = {{"hours", hours},
                   {"flavor", i.flavor.name},
                   {"instance_id", i.uuid},
                   {"name", i.display_name},
                   {"tenant_id", i.project_id},
                   {"memory_mb", i.flavor.memory_mb},
                   {"local_gb", local_gb},
                   {"vcpus", i.flavor.vcpus},
                   {"started_at", isoformat(*i.launched_at)},
                   {"ended_at", ended ? json(isoformat(*i.terminated_at)) : json(nullptr)},
                   {"state", ended ? std::string("terminated") : i.vm_state},
                   {"uptime", uptime_us / 1000000}};
    auto [it, fresh] = index.try_emplace(i.project_id, out.tenants.size());
    if (fresh) {
      json summary = {{"tenant_id", i.project_id},
                      {"total_local_gb_usage", 0.0},
                      {"total_vcpus_usage", 0.0},
                      {"total_memory_mb_usage", 0.0},
                      {"total_hours", 0.0},
                      {"start", isoformat(period.start)},
                      {"stop", isoformat(period.stop)}};
      if (detailed) summary["server_usages"] = json::array();
      out.tenants.push_back(std::move(summary));
    }
    json& summary = out.tenants[it->second];
    summary["total_local_gb_usage"] = summary["total_local_gb_usage"].get<double>() + local_gb * hours;
    summary["total_vcpus_usage"] = summary["total_vcpus_usage"].get<double>() + i.flavor.vcpus * hours;
    summary["total_memory_mb_usage"] = summary["total_memory_mb_usage"].get<double>() + i.flavor.memory_mb * hours;
    summary["total_hours"] = summary["total_hours"].get<double>() + hours;
    if (detailed) summary["server_usages"].push_back(std::move(server));
    out.servers.push_back(i.uuid);
  }
  if (!page.limit || out.servers.size() < limit) out.servers.clear();  // no next page to link
  return out;
}

// Nova's _get_collection_links: the request's query with the page's last
// instance as marker.
json next_links(const ApiRequest& req, const std::string& marker) {
  std::string query;
  for (const auto& [k, v] : req.query) {
    if (k == "marker") continue;
    query += (query.empty() ? "" : "&") + k + "=" + v;
  }
  query += (query.empty() ? "" : "&") + std::string("marker=") + marker;
  return json::array({{{"href", req.base_url + req.path + "?" + query}, {"rel", "next"}}});
}

}  // namespace

void add_simple_tenant_usage_routes(ApiServer& server, db::Database& db) {
  server.route("GET", R"(/v2\.1/os-simple-tenant-usage)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    if (auto denied = policy_check(req, "os_compute_api:os-simple-tenant-usage:list")) return *denied;
    auto period = period_of(req);
    if (!period.ok()) return period.status();
    auto page = page_of(req);
    if (!page.ok()) return page.status();
    auto u = usages(db, *period, std::nullopt, period->detailed, *page);
    if (!u.ok()) return u.status();
    json body = {{"tenant_usages", u->tenants}};
    if (!u->servers.empty()) body["tenant_usages_links"] = next_links(req, u->servers.back());
    return ApiResponse{200, body, {}};
  });

  server.route("GET", R"(/v2\.1/os-simple-tenant-usage/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    const std::string& project = req.path_params[0];
    if (auto denied = policy_check(req, "os_compute_api:os-simple-tenant-usage:show", project)) return *denied;
    auto period = period_of(req);
    if (!period.ok()) return period.status();
    auto page = page_of(req);
    if (!page.ok()) return page.status();
    auto u = usages(db, *period, project, true, *page);
    if (!u.ok()) return u.status();
    json body = {{"tenant_usage", u->tenants.empty() ? json::object() : u->tenants[0]}};
    if (!u->servers.empty()) body["tenant_usage_links"] = next_links(req, u->servers.back());
    return ApiResponse{200, body, {}};
  });
}

}  // namespace stratus::core::api
