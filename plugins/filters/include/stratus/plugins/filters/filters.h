// The built-in scheduler filters, one factory per filter.
//
// Each factory takes the plugin's own config table ([plugin.<name>]) and
// returns a filter, or kInvalidArgument naming the key when the table holds a
// key the filter does not know or a value of the wrong type or range. The
// plugin library (libstratus_filters.so) exports each of them under the name
// given below; tests and the core may also call the factories directly.
//
// Semantics follow Nova's filters of the same purpose (nova/scheduler/filters);
// docs/scheduler.md lists every choice where Stratus differs or Nova is silent.
//
// Thread-safety: the returned filters are immutable; host_passes() and
// filter_all() may be called from any number of threads at once. They never
// block and never throw.
#pragma once

#include <memory>

#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/scheduler_filter.h"

namespace stratus::plugins::filters {

using FilterResult = sdk::Result<std::unique_ptr<sdk::SchedulerFilter>>;

// "compute": the host's service is up and not disabled (Nova ComputeFilter).
// No config keys.
FilterResult make_compute_filter(const sdk::PluginConfig& config);

// "ram": total_usable_ram_mb * ram_allocation_ratio - (total - free) must be
// at least flavor.memory_mb (Nova RamFilter). No config keys.
FilterResult make_ram_filter(const sdk::PluginConfig& config);

// "core": vcpus_total * cpu_allocation_ratio - vcpus_used must be at least
// flavor.vcpus, and flavor.vcpus may not exceed vcpus_total (an instance may
// overcommit against others, never against itself). A host reporting
// vcpus_total 0 passes: its CPU count is unknown (Nova CoreFilter). No keys.
FilterResult make_core_filter(const sdk::PluginConfig& config);

// "disk": 1024 * (root_gb + ephemeral_gb) + swap_mb must fit in
// total_usable_disk_gb * 1024 * disk_allocation_ratio - (total - free)
// (Nova DiskFilter). No config keys.
FilterResult make_disk_filter(const sdk::PluginConfig& config);

// "availability_zone": a request without a zone passes every host; otherwise
// the host's zone must equal it exactly. No config keys.
FilterResult make_availability_zone_filter(const sdk::PluginConfig& config);

// "image_properties": the image's architecture (hw_architecture or
// architecture), hypervisor type (img_hv_type or hypervisor_type) and vm mode
// (hw_vm_mode or vm_mode), where set, must all be matched by one entry of the
// host's supported_instances (names canonicalised as Nova does: lower case,
// "amd64" -> "x86_64", "i386" -> "i686", "xapi" -> "xen", "pv" -> "xen",
// "hv" -> "hvm"). img_hv_requested_version, e.g. ">=6000" or ">=2.11, <3.0",
// must be met by hypervisor_version. An image min_ram_mb / min_disk_gb makes
// the host fit max(flavor, image minimum) of RAM / root disk, with the host's
// allocation ratios. No config keys.
FilterResult make_image_properties_filter(const sdk::PluginConfig& config);

// "same_host": with the hint same_host = [uuid, ...], the host must hold at
// least one of those instances; without the hint every host passes.
FilterResult make_same_host_filter(const sdk::PluginConfig& config);

// "different_host": with the hint different_host = [uuid, ...], the host must
// hold none of those instances; without the hint every host passes.
FilterResult make_different_host_filter(const sdk::PluginConfig& config);

// "server_group_affinity": for a group with policy "affinity" that already
// has hosts, the host must be one of them. Any other case passes.
FilterResult make_server_group_affinity_filter(const sdk::PluginConfig& config);

// "server_group_anti_affinity": for a group with policy "anti-affinity", the
// members already on the host must be fewer than max_server_per_host. The
// instance being scheduled passes its own host (a move may stay put).
FilterResult make_server_group_anti_affinity_filter(const sdk::PluginConfig& config);

// "num_instances": num_instances < max_instances_per_host.
// Config: max_instances_per_host (integer >= 1, default 50).
FilterResult make_num_instances_filter(const sdk::PluginConfig& config);

// "aggregate_instance_extra_specs": each flavor extra spec that is unscoped or
// scoped "aggregate_instance_extra_specs:" must be matched (extra_specs_ops.h)
// by one of the values the host's aggregates give that key; keys of any other
// scope are ignored. No config keys.
FilterResult make_aggregate_instance_extra_specs_filter(const sdk::PluginConfig& config);

// "aggregate_multitenancy_isolation": a host in aggregates with
// "filter_tenant_id*" metadata (comma-separated project ids) passes only
// requests of those projects; hosts without such metadata pass all. No
// config keys.
FilterResult make_aggregate_multitenancy_isolation_filter(const sdk::PluginConfig& config);

}  // namespace stratus::plugins::filters
