// RouterRepository: Neutron's routers, recorded without a data plane. A
// router has an owner, a name, an admin state and optionally an external
// gateway network; its interfaces and gateway are ports whose device_id is
// the router's uuid (device_owner network:router_interface and
// network:router_gateway, port_repository.h), so a router's addresses are
// allocated and freed like any other port's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

inline constexpr const char* kRouterInterfaceOwner = "network:router_interface";
inline constexpr const char* kRouterGatewayOwner = "network:router_gateway";

struct RouterRecord {
  std::string uuid;  // empty on create: generated
  std::string project_id;
  std::string name;
  std::string description;
  bool admin_state_up = true;
  std::string gateway_network_uuid;  // "" : no external gateway
  std::int64_t revision_number = 1;
  std::string created_at;
  std::string updated_at;
};

// What PUT /routers/{id} may change; nullopt leaves it.
struct RouterUpdate {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<bool> admin_state_up;
  std::optional<std::string> gateway_network_uuid;  // "" clears it
};

class RouterRepository {
 public:
  explicit RouterRepository(Scope db) : db_(db) {}

  // kNotFound for an unknown gateway network.
  sdk::Result<RouterRecord> create(RouterRecord record);
  sdk::Result<RouterRecord> get(const std::string& uuid);
  // Oldest first; one project's, or all with nullopt.
  sdk::Result<std::vector<RouterRecord>> list(const std::optional<std::string>& project_id = std::nullopt);
  // Bumps revision_number. kNotFound (router or gateway network).
  sdk::Result<RouterRecord> update(const std::string& uuid, const RouterUpdate& update);
  // Deletes the router and its gateway port. kNotFound; kInvalidState
  // while it has an interface.
  sdk::Status remove(const std::string& uuid);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
