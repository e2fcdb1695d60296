// ProjectRepository: the identity service's projects (Keystone's project
// table; Nova's project_id on servers, key pairs and quotas is one of these
// ids), unique by name within a domain.
#pragma once

#include <string>
#include <vector>

#include "core/db/scope.h"
#include "stratus/sdk/result.h"

namespace stratus::core::db {

struct ProjectRecord {
  std::string id;  // 32 hex digits, as Keystone's
  std::string name;
  std::string domain_id = "default";
  std::string description;
  bool enabled = true;
  std::string created_at;
  std::string extra = "{}";  // a JSON object: attributes Keystone keeps unmodelled
};

class ProjectRepository {
 public:
  explicit ProjectRepository(Scope db) : db_(db) {}

  // kAlreadyExists "Project 'n' already exists." when the name is taken in
  // the domain; kInvalidArgument for an empty id or name.
  sdk::Result<ProjectRecord> create(const ProjectRecord& record);
  // kNotFound "Could not find project: <id>."
  sdk::Result<ProjectRecord> get(const std::string& id);
  // kNotFound "Could not find project: <name>."
  sdk::Result<ProjectRecord> find_by_name(const std::string& name, const std::string& domain_id = "default");
  // Every project, by name.
  sdk::Result<std::vector<ProjectRecord>> list();
  // Rewrites name, description, enabled and extra of the project `record.id`.
  // kNotFound if absent; kAlreadyExists as create() for a taken name.
  sdk::Result<ProjectRecord> update(const ProjectRecord& record);
  // Deletes the project with its role assignments and the tokens scoped to
  // it. kNotFound if absent.
  sdk::Status remove(const std::string& id);

 private:
  Scope db_;
};

}  // namespace stratus::core::db
