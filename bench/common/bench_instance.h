// bench_instance: the instance record the benchmarks seed straight into the
// database: "vm-INDEX" of project and user "admin" (what a noauth caller
// lists), flavor m1.tiny, the default image, ACTIVE on `host`.
#pragma once

#include <string>

#include "core/db/instance_repository.h"
#include "core/db/seed.h"

namespace stratus::bench {

inline core::db::InstanceRecord bench_instance(int index, const std::string& host) {
  core::db::InstanceRecord r;
  r.display_name = "vm-" + std::to_string(index);
  r.project_id = "admin";
  r.user_id = "admin";
  r.flavor.id = "1";
  r.flavor.name = "m1.tiny";
  r.flavor.vcpus = 1;
  r.flavor.memory_mb = 512;
  r.flavor.root_gb = 1;
  r.image_ref = core::db::kDefaultImageUuid;
  r.vm_state = "active";
  r.host = host;
  r.node = host;
  return r;
}

}  // namespace stratus::bench
