// The built-in scheduler weighers, one factory per weigher.
//
// Each weigher returns a raw weight per host; the scheduler normalises them to
// [0, 1] across the candidates and multiplies by multiplier(). Each factory
// takes the plugin's config table with one key, `multiplier` (a finite number;
// an integer is accepted), and refuses any other key or a value of the wrong
// type with kInvalidArgument naming the key. Defaults are Nova's.
//
// Thread-safety: the returned weighers are immutable; call them from any
// number of threads. They never block and never throw.
#pragma once

#include <memory>

#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/scheduler_weigher.h"

namespace stratus::plugins::weighers {

using WeigherResult = sdk::Result<std::unique_ptr<sdk::SchedulerWeigher>>;

// "ram": total_usable_ram_mb * ram_allocation_ratio - (total - free), the RAM
// the ram filter would still let in. Default multiplier 1.0: most free RAM
// wins, which spreads; a negative multiplier stacks.
WeigherResult make_ram_weigher(const sdk::PluginConfig& config);

// "cpu": vcpus_total * cpu_allocation_ratio - vcpus_used. Default 1.0 (spread).
WeigherResult make_cpu_weigher(const sdk::PluginConfig& config);

// "disk": free_disk_mb. Default 1.0 (spread).
WeigherResult make_disk_weigher(const sdk::PluginConfig& config);

// "num_instances": num_instances. Default 0.0, as in Nova: the weigher is off
// unless the operator turns it on, so enabling it changes nothing by itself.
// -1.0 prefers hosts with fewer instances (spread); 1.0 packs.
WeigherResult make_num_instances_weigher(const sdk::PluginConfig& config);

}  // namespace stratus::plugins::weighers
