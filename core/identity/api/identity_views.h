// The bodies of Keystone v3 resources as Stratus holds them: domains,
// projects, users and roles, each with its "links.self".
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/db/database.h"
#include "core/db/domain_repository.h"
#include "core/db/project_repository.h"
#include "core/db/role_repository.h"
#include "core/db/user_repository.h"

namespace stratus::core::identity {

// {"id", "name"} of the domain `id`: what tokens and include_names show (the
// name is the id if the domain is gone).
nlohmann::json domain_ref_json(db::Database& db, const std::string& id);
// Keystone's domain body (GET /v3/domains/{id}): tags from extra.
nlohmann::json domain_json(const std::string& base, const db::DomainRecord& d);
// Keystone's project body: extra attributes first, then the modelled ones
// (tags are kept in extra).
nlohmann::json project_json(const std::string& base, const db::ProjectRecord& p);
// Keystone's user body: extra attributes (email, description...) first, then
// the modelled ones; never the password or its hash.
nlohmann::json user_json(const std::string& base, const db::UserRecord& u);
// Keystone's role body; the built-in roles carry options.immutable.
nlohmann::json role_json(const std::string& base, const db::RoleRecord& r);
// admin, member and reader: Stratus's policy and role implications name
// them, so they cannot be renamed or deleted (Keystone's immutable option,
// which `keystone-manage bootstrap` sets on them).
bool role_is_immutable(const db::RoleRecord& r);

// The stored "extra" text as a JSON object ({} if unreadable).
nlohmann::json extra_object(const std::string& stored);

}  // namespace stratus::core::identity
