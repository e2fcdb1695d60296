// DomainRepository: the identity service's domains (Keystone's), each a
// namespace of users and projects (their domain_id). The "default" domain
// exists from migration 16 on. Unique by name.
#pragma once

#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct DomainRecord {
  std::string id;  // 32 hex digits, or "default"
  std::string name;
  std::string description;
  bool enabled = true;
  std::string extra = "{}";  // a JSON object: tags and attributes Keystone keeps unmodelled
};

class DomainRepository {
 public:
  explicit DomainRepository(Scope db) : db_(db) {}

  // kAlreadyExists "Domain 'n' already exists." when the name is taken;
  // kInvalidArgument for an empty id or name.
  sdk::Result<DomainRecord> create(const DomainRecord& record);
  // kNotFound "Could not find domain: <id>."
  sdk::Result<DomainRecord> get(const std::string& id);
  // kNotFound "Could not find domain: <name>."
  sdk::Result<DomainRecord> find_by_name(const std::string& name);
  // Every domain, by name.
  sdk::Result<std::vector<DomainRecord>> list();
  // Rewrites name, description, enabled and extra. kNotFound, kAlreadyExists as above.
  sdk::Result<DomainRecord> update(const DomainRecord& record);
  // Deletes the domain with its projects and users (and so their role
  // assignments, tokens and application credentials). kNotFound if absent.
  sdk::Status remove(const std::string& id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
