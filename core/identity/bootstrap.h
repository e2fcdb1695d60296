// The identity bootstrap `stratus aio` runs (keystone-manage bootstrap's
// job): on a database without users it creates the projects "admin" and
// "service", the user "admin" with a random password and the admin role on
// project admin, and writes <data-dir>/clouds.yaml (mode 0600) with a cloud
// named "stratus" that logs in as that user. The password is kept nowhere
// else: not in the database (only its hash), not in a log.
//
// On later starts users are left alone; clouds.yaml gets the current
// auth_url (the port may have changed) and keeps its password.
#pragma once

#include <filesystem>
#include <string>

#include "core/db/database.h"
#include "stratus/sdk/result.h"

namespace stratus::core::identity {

struct BootstrapResult {
  bool created_admin = false;         // this start made the admin user
  bool clouds_yaml_written = false;   // false: users existed and there was no clouds.yaml to update
  std::filesystem::path clouds_yaml;  // <data-dir>/clouds.yaml
};

// `auth_url` is the identity endpoint clients use ("http://127.0.0.1:8774/identity/v3").
// Errors: the database's, or kUnavailable naming the file that could not be written.
sdk::Result<BootstrapResult> bootstrap_identity(db::Database& db, const std::filesystem::path& data_dir,
                                                const std::string& auth_url);

// The clouds.yaml text for one cloud "stratus" (exposed for tests).
std::string clouds_yaml_text(const std::string& auth_url, const std::string& username, const std::string& password,
                             const std::string& project_name);

}  // namespace stratus::core::identity
