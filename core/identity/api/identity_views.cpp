#include "core/identity/api/identity_views.h"

#include "core/identity/token_service.h"

namespace stratus::core::identity {

using nlohmann::json;

json extra_object(const std::string& stored) {
  json j = json::parse(stored, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

json domain_ref_json(db::Database& db, const std::string& id) {
  auto d = db::DomainRepository(db).get(id);
  return {{"id", id}, {"name", d.ok() ? d->name : id}};
}

json domain_json(const std::string& base, const db::DomainRecord& d) {
  json out = extra_object(d.extra);
  json tags = out.contains("tags") && out["tags"].is_array() ? out["tags"] : json::array();
  out["id"] = d.id;
  out["name"] = d.name;
  out["description"] = d.description;
  out["enabled"] = d.enabled;
  out["tags"] = tags;
  out["options"] = json::object();
  out["links"] = {{"self", base + "/identity/v3/domains/" + d.id}};
  return out;
}

json project_json(const std::string& base, const db::ProjectRecord& p) {
  json out = extra_object(p.extra);
  json tags = out.contains("tags") && out["tags"].is_array() ? out["tags"] : json::array();
  out["id"] = p.id;
  out["name"] = p.name;
  out["domain_id"] = p.domain_id;
  out["description"] = p.description;
  out["enabled"] = p.enabled;
  out["is_domain"] = false;
  out["parent_id"] = p.domain_id;
  out["tags"] = tags;
  out["options"] = json::object();
  out["links"] = {{"self", base + "/identity/v3/projects/" + p.id}};
  return out;
}

json user_json(const std::string& base, const db::UserRecord& u) {
  json out = extra_object(u.extra);
  out["id"] = u.id;
  out["name"] = u.name;
  out["domain_id"] = u.domain_id;
  out["enabled"] = u.enabled;
  out["password_expires_at"] = nullptr;
  out["options"] = json::object();
  if (u.default_project_id) out["default_project_id"] = *u.default_project_id;
  out["links"] = {{"self", base + "/identity/v3/users/" + u.id}};
  return out;
}

bool role_is_immutable(const db::RoleRecord& r) { return r.name == "admin" || r.name == "member" || r.name == "reader"; }

json role_json(const std::string& base, const db::RoleRecord& r) {
  json options = json::object();
  if (role_is_immutable(r)) options["immutable"] = true;
  return {{"id", r.id},
          {"name", r.name},
          {"domain_id", nullptr},
          {"description", r.description ? json(*r.description) : json(nullptr)},
          {"options", options},
          {"links", {{"self", base + "/identity/v3/roles/" + r.id}}}};
}

}  // namespace stratus::core::identity
