// /v2.1/servers/{id}/os-interface (Nova's os-attach-interfaces) and the
// pre-2.44 multinic actions addFixedIp / removeFixedIp.
//
//   GET    .../os-interface            {"interfaceAttachments": [...]}   reader
//   GET    .../os-interface/{port_id}  {"interfaceAttachment": {...}}    reader
//   POST   .../os-interface            200, the new attachment           member
//   DELETE .../os-interface/{port_id}  202                               member
//   POST   .../action {"addFixedIp": {"networkId": N}}       202 (2.1-2.43)
//   POST   .../action {"removeFixedIp": {"address": A}}      202 (2.1-2.43)
//
// An attachment is Nova's view of a port: port_state, fixed_ips
// ([{ip_address, subnet_id}]), mac_addr, net_id, port_id, and from 2.70 tag
// (always null: no driver here tags devices, so a tagged attach is 400).
// The work and its errors are ComputeAPI's (compute_api.h).
#pragma once

#include <nlohmann/json.hpp>

#include "core/compute/api/compute_api.h"
#include "core/compute/api/server_action_table.h"
#include "core/db/port_repository.h"
#include "core/http/api_server.h"

namespace stratus::core::api {

// The attachment view of `port` at `version` (pure; for tests).
nlohmann::json interface_attachment_view(const db::PortRecord& port, Microversion version);

void add_interface_attachment_routes(ApiServer& server, compute::ComputeAPI& compute);
// addFixedIp and removeFixedIp.
void add_multinic_actions(ServerActionTable& table, compute::ComputeAPI& compute);

}  // namespace stratus::core::api
