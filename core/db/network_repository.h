// NetworkRepository: tenant networks (an IPv4 CIDR each, Neutron-style) and
// the address arithmetic ports are allocated with (see port_repository.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/database.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

// An IPv4 network "10.0.0.0/24", normalised to its network address.
struct Ipv4Cidr {
  std::uint32_t network = 0;
  int prefix = 0;
  std::uint32_t broadcast() const { return prefix == 0 ? 0xFFFFFFFFu : network | (0xFFFFFFFFu >> prefix); }
  bool contains(std::uint32_t ip) const { return ip >= network && ip <= broadcast(); }
  std::string to_string() const;
};

// kInvalidArgument naming the text for anything that is not a.b.c.d/n with
// n <= 30 (a usable network has at least two host addresses).
sdk::Result<Ipv4Cidr> parse_ipv4_cidr(const std::string& text);
sdk::Result<std::uint32_t> parse_ipv4(const std::string& text);
std::string format_ipv4(std::uint32_t ip);

struct NetworkRecord {
  std::int64_t id = 0;
  std::string uuid;        // empty on create: generated
  std::string name;
  std::string cidr;        // normalised: "10.0.0.0/24"
  std::string gateway;     // empty on create: the first host address
  std::string project_id;  // owner; "" for a network of the cloud
  bool shared = false;     // usable by every project
  std::string created_at;
  std::string updated_at;
};

class NetworkRepository {
 public:
  explicit NetworkRepository(Database& db) : db_(db) {}

  // kInvalidArgument for a bad CIDR or a gateway outside it (or its network or
  // broadcast address); kAlreadyExists for a uuid in use.
  sdk::Result<NetworkRecord> create(NetworkRecord record);
  sdk::Result<NetworkRecord> get(const std::string& uuid);
  // Networks `project_id` may use (its own and shared ones); nullopt: all.
  sdk::Result<std::vector<NetworkRecord>> list(const std::optional<std::string>& project_id = std::nullopt);
  // kNotFound; kInvalidState while ports remain on it.
  sdk::Status remove(const std::string& uuid);

 private:
  Database& db_;
};

}  // namespace stratus::core::db
