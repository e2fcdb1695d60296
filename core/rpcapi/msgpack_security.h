// msgpack adaptors for the SDK types of ABI 4 that travel over RPC: the
// security-group rules a compute host enforces (security_group_rule.h) and
// the diagnostics it answers with (diagnostics.h). Same encoding as
// msgpack_sdk.h: positional arrays, fields in declaration order, new fields
// only appended.
#pragma once

#include "core/rpcapi/msgpack_sdk.h"
#include "stratus/sdk/diagnostics.h"
#include "stratus/sdk/security_group_rule.h"

STRATUS_MSGPACK_ADAPT(stratus::sdk::SecurityGroupRule, v.id, v.direction, v.ethertype, v.protocol, v.port_range_min,
                      v.port_range_max, v.remote_ip_prefix)
STRATUS_MSGPACK_ADAPT(stratus::sdk::PortSecurity, v.port_id, v.mac_address, v.fixed_ips, v.port_security_enabled,
                      v.rules)
STRATUS_MSGPACK_ADAPT(stratus::sdk::CpuDiagnostics, v.id, v.time_ns, v.utilisation)
STRATUS_MSGPACK_ADAPT(stratus::sdk::NicDiagnostics, v.mac_address, v.rx_octets, v.rx_errors, v.rx_drop, v.rx_packets,
                      v.rx_rate, v.tx_octets, v.tx_errors, v.tx_drop, v.tx_packets, v.tx_rate)
STRATUS_MSGPACK_ADAPT(stratus::sdk::DiskDiagnostics, v.read_bytes, v.read_requests, v.write_bytes, v.write_requests,
                      v.errors_count)
STRATUS_MSGPACK_ADAPT(stratus::sdk::Diagnostics, v.state, v.driver, v.hypervisor, v.hypervisor_os, v.uptime_s,
                      v.config_drive, v.memory_max_mb, v.memory_used_mb, v.cpus, v.nics, v.disks)
