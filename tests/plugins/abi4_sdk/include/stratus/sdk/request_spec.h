// RequestSpec: what the scheduler is asked to place (Nova's RequestSpec).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stratus/sdk/flavor.h"
#include "stratus/sdk/image_meta.h"

namespace stratus::sdk {

// A server group the instance belongs to, with where its members already run.
struct InstanceGroup {
  std::string uuid;
  std::string name;
  std::string policy;                 // "affinity", "anti-affinity", "soft-affinity", ...
  std::vector<std::string> members;   // instance uuids
  std::vector<std::string> hosts;     // hosts of members, one entry per member placed
  std::int32_t max_server_per_host = 1;  // anti-affinity rule (microversion 2.64)
};

struct RequestSpec {
  std::string instance_uuid;
  std::string project_id;
  std::string user_id;
  Flavor flavor;
  ImageMeta image;
  std::int32_t num_instances = 1;
  std::string availability_zone;      // "" means any zone
  // Scheduler hints as the user gave them, e.g. "same_host" -> {uuid, ...}.
  std::map<std::string, std::vector<std::string>> scheduler_hints;
  std::optional<InstanceGroup> instance_group;
  std::vector<std::string> force_hosts;   // from "zone:host"
  std::vector<std::string> ignore_hosts;  // hosts that already failed this request

  // The values of a hint, or an empty list.
  std::vector<std::string> hint(const std::string& key) const {
    auto it = scheduler_hints.find(key);
    return it == scheduler_hints.end() ? std::vector<std::string>{} : it->second;
  }
};

}  // namespace stratus::sdk
