// The process_* metrics Prometheus' client libraries export, read from
// /proc at scrape time: process_start_time_seconds,
// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds; plus
// stratus_build_info{version} = 1.
#pragma once

#include "core/metrics/registry.h"

namespace stratus::core::metrics {

// Adds the collector to `registry`; it runs until the handle goes.
[[nodiscard]] CollectorHandle add_process_collector(Registry& registry);

// Registers it once on default_registry() for the life of the process
// (idempotent; every role calls it).
void ensure_process_metrics();

}  // namespace stratus::core::metrics
