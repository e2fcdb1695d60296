// FlavorRepository: server sizes (Nova's flavors and flavor_extra_specs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/flavor.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct FlavorRecord {
  sdk::Flavor flavor;     // flavor.id is Nova's flavorid (a string); empty on create: a uuid
  bool disabled = false;
  std::optional<std::string> description;
  std::string created_at;
  std::string updated_at;
};

struct FlavorFilter {
  std::optional<bool> is_public;       // nullopt: both (admins)
  std::optional<std::int64_t> min_ram; // memory_mb >= min_ram
  std::optional<std::int64_t> min_disk;// root_gb >= min_disk
};

class FlavorRepository {
 public:
  explicit FlavorRepository(Scope db) : db_(db) {}

  // kAlreadyExists naming the id or name in use; kInvalidArgument for an empty
  // name, vcpus/memory_mb < 1 or negative disk sizes.
  sdk::Result<FlavorRecord> create(FlavorRecord record);
  sdk::Result<FlavorRecord> get(const std::string& flavorid);
  sdk::Result<FlavorRecord> get_by_name(const std::string& name);
  // Smallest first (memory_mb, then flavorid), as the API lists them.
  sdk::Result<std::vector<FlavorRecord>> list(const FlavorFilter& filter = {});
  // Removes the flavor; instances keep their snapshot. kNotFound.
  sdk::Status remove(const std::string& flavorid);

  // Merges `specs` into the flavor's extra specs; removes one (kNotFound).
  sdk::Status set_extra_specs(const std::string& flavorid, const std::map<std::string, std::string>& specs);
  sdk::Status delete_extra_spec(const std::string& flavorid, const std::string& key);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
