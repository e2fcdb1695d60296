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
  // With is_public true: also the private flavors this project was given
  // access to (what a member may see, as Nova lists them).
  std::optional<std::string> or_accessible_to;
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

  // Sets (or clears, nullopt) the description (microversion 2.55). kNotFound.
  sdk::Result<FlavorRecord> set_description(const std::string& flavorid, const std::optional<std::string>& description);

  // Private flavors' access list (flavor_projects). add: kAlreadyExists when
  // the project has it already; remove: kNotFound when it has not.
  sdk::Result<std::vector<std::string>> access_projects(const std::string& flavorid);
  sdk::Status add_access(const std::string& flavorid, const std::string& project_id);
  sdk::Status remove_access(const std::string& flavorid, const std::string& project_id);
  // Whether `project_id` may use the flavor: it is public or the project is listed.
  sdk::Result<bool> accessible(const std::string& flavorid, const std::string& project_id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
