// libstratus_filters: exports every built-in scheduler filter.
#include "stratus/plugins/filters/filters.h"
#include "stratus/sdk/plugin_export.h"

using stratus::sdk::SchedulerFilter;
namespace f = stratus::plugins::filters;

STRATUS_PLUGIN(SchedulerFilter, compute, "1.0.0", "Passes hosts whose compute service is up and enabled",
               f::make_compute_filter)
STRATUS_PLUGIN(SchedulerFilter, ram, "1.0.0", "Passes hosts with enough RAM, allocation ratio included",
               f::make_ram_filter)
STRATUS_PLUGIN(SchedulerFilter, core, "1.0.0", "Passes hosts with enough vCPUs, allocation ratio included",
               f::make_core_filter)
STRATUS_PLUGIN(SchedulerFilter, disk, "1.0.0", "Passes hosts with enough local disk for root, ephemeral and swap",
               f::make_disk_filter)
STRATUS_PLUGIN(SchedulerFilter, availability_zone, "1.0.0", "Passes hosts in the requested availability zone",
               f::make_availability_zone_filter)
STRATUS_PLUGIN(SchedulerFilter, image_properties, "1.0.0",
               "Passes hosts that support the image's architecture, hypervisor, vm mode, version and minimums",
               f::make_image_properties_filter)
STRATUS_PLUGIN(SchedulerFilter, same_host, "1.0.0", "Passes hosts running one of the same_host hint's instances",
               f::make_same_host_filter)
STRATUS_PLUGIN(SchedulerFilter, different_host, "1.0.0",
               "Passes hosts running none of the different_host hint's instances", f::make_different_host_filter)
STRATUS_PLUGIN(SchedulerFilter, server_group_affinity, "1.0.0",
               "Keeps members of an affinity server group on the group's host", f::make_server_group_affinity_filter)
STRATUS_PLUGIN(SchedulerFilter, server_group_anti_affinity, "1.0.0",
               "Spreads members of an anti-affinity server group, max_server_per_host per host",
               f::make_server_group_anti_affinity_filter)
STRATUS_PLUGIN(SchedulerFilter, num_instances, "1.0.0", "Passes hosts with fewer than max_instances_per_host instances",
               f::make_num_instances_filter)
STRATUS_PLUGIN(SchedulerFilter, aggregate_instance_extra_specs, "1.0.0",
               "Matches flavor extra specs against the host's aggregate metadata",
               f::make_aggregate_instance_extra_specs_filter)
STRATUS_PLUGIN(SchedulerFilter, aggregate_multitenancy_isolation, "1.0.0",
               "Keeps hosts of aggregates with filter_tenant_id metadata for those projects",
               f::make_aggregate_multitenancy_isolation_filter)
