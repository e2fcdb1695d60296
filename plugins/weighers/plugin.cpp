// libstratus_weighers: exports every built-in scheduler weigher.
#include "stratus/plugins/weighers/weighers.h"
#include "stratus/sdk/plugin_export.h"

using stratus::sdk::SchedulerWeigher;
namespace w = stratus::plugins::weighers;

STRATUS_PLUGIN(SchedulerWeigher, ram, "1.0.0", "Weighs hosts by free RAM, allocation ratio included",
               w::make_ram_weigher)
STRATUS_PLUGIN(SchedulerWeigher, cpu, "1.0.0", "Weighs hosts by free vCPUs, allocation ratio included",
               w::make_cpu_weigher)
STRATUS_PLUGIN(SchedulerWeigher, disk, "1.0.0", "Weighs hosts by free local disk", w::make_disk_weigher)
STRATUS_PLUGIN(SchedulerWeigher, num_instances, "1.0.0", "Weighs hosts by their number of instances (off by default)",
               w::make_num_instances_weigher)
