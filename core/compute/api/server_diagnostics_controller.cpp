#include "core/compute/api/server_diagnostics_controller.h"

#include <optional>
#include <string>

#include "core/compute/api/compute_request.h"
#include "core/http/policy.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;

json or_null(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }
json or_null(const std::optional<std::int32_t>& v) { return v ? json(*v) : json(nullptr); }
json or_null(const std::string& v) { return v.empty() ? json(nullptr) : json(v); }

json standard_view(const sdk::Diagnostics& d) {
  json cpus = json::array();
  for (const auto& c : d.cpus) cpus.push_back({{"id", c.id}, {"time", or_null(c.time_ns)}, {"utilisation", or_null(c.utilisation)}});
  json nics = json::array();
  for (const auto& n : d.nics) {
    nics.push_back({{"mac_address", or_null(n.mac_address)},
                    {"rx_octets", or_null(n.rx_octets)},
                    {"rx_errors", or_null(n.rx_errors)},
                    {"rx_drop", or_null(n.rx_drop)},
                    {"rx_packets", or_null(n.rx_packets)},
                    {"rx_rate", or_null(n.rx_rate)},
                    {"tx_octets", or_null(n.tx_octets)},
                    {"tx_errors", or_null(n.tx_errors)},
                    {"tx_drop", or_null(n.tx_drop)},
                    {"tx_packets", or_null(n.tx_packets)},
                    {"tx_rate", or_null(n.tx_rate)}});
  }
  json disks = json::array();
  for (const auto& k : d.disks) {
    disks.push_back({{"read_bytes", or_null(k.read_bytes)},
                     {"read_requests", or_null(k.read_requests)},
                     {"write_bytes", or_null(k.write_bytes)},
                     {"write_requests", or_null(k.write_requests)},
                     {"errors_count", or_null(k.errors_count)}});
  }
  return {{"state", d.state},
          {"driver", d.driver},
          {"hypervisor", or_null(d.hypervisor)},
          {"hypervisor_os", or_null(d.hypervisor_os)},
          {"uptime", or_null(d.uptime_s)},
          {"config_drive", d.config_drive},
          {"num_cpus", d.cpus.size()},
          {"num_nics", d.nics.size()},
          {"num_disks", d.disks.size()},
          {"memory_details", {{"maximum", or_null(d.memory_max_mb)}, {"used", or_null(d.memory_used_mb)}}},
          {"cpu_details", cpus},
          {"nic_details", nics},
          {"disk_details", disks}};
}

// Nova's libvirt driver's legacy keys. Disks are named as the guest sees
// them in order (vda, vdb, ...), interfaces by position (vnet0, ...): the
// standard view carries no device names.
json legacy_view(const sdk::Diagnostics& d) {
  json out = json::object();
  const auto put = [&out](const std::string& key, const std::optional<std::int64_t>& v) {
    if (v) out[key] = *v;
  };
  for (const auto& c : d.cpus) put("cpu" + std::to_string(c.id) + "_time", c.time_ns);
  if (d.memory_max_mb) out["memory"] = *d.memory_max_mb * 1024;  // KiB, as libvirt's maxMemory
  if (d.memory_used_mb) out["memory-actual"] = *d.memory_used_mb * 1024;
  for (std::size_t i = 0; i < d.disks.size(); ++i) {
    const auto& k = d.disks[i];
    const std::string dev = i < 26 ? std::string("vd") + static_cast<char>('a' + i) : "disk" + std::to_string(i);
    put(dev + "_read", k.read_bytes);
    put(dev + "_read_req", k.read_requests);
    put(dev + "_write", k.write_bytes);
    put(dev + "_write_req", k.write_requests);
    put(dev + "_errors", k.errors_count);
  }
  for (std::size_t i = 0; i < d.nics.size(); ++i) {
    const auto& n = d.nics[i];
    const std::string dev = "vnet" + std::to_string(i);
    put(dev + "_rx", n.rx_octets);
    put(dev + "_rx_packets", n.rx_packets);
    put(dev + "_rx_errors", n.rx_errors);
    put(dev + "_rx_drop", n.rx_drop);
    put(dev + "_tx", n.tx_octets);
    put(dev + "_tx_packets", n.tx_packets);
    put(dev + "_tx_errors", n.tx_errors);
    put(dev + "_tx_drop", n.tx_drop);
  }
  return out;
}

}  // namespace

json diagnostics_view(const sdk::Diagnostics& d, Microversion version) {
  return version >= kStandardDiagnosticsMicroversion ? standard_view(d) : legacy_view(d);
}

void add_server_diagnostics_routes(ApiServer& server, compute::ComputeAPI& compute) {
  server.route("GET", R"(/v2\.1/servers/([^/]+)/diagnostics)",
               [&compute](const ApiRequest& req) -> sdk::Result<ApiResponse> {
                 if (auto denied = policy_check(req, "os_compute_api:os-server-diagnostics")) return *denied;
                 auto d = compute.get_diagnostics(compute_context(req), req.path_params[0]);
                 if (!d.ok()) return d.status();
                 return ApiResponse{200, diagnostics_view(*d, req.microversion), {}};
               });
}

}  // namespace stratus::core::api
