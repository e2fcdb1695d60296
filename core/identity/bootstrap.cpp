#include "core/identity/bootstrap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include <spdlog/spdlog.h>

#include "core/db/user_repository.h"
#include "core/identity/identity_admin.h"
#include "core/identity/token_codec.h"

namespace stratus::core::identity {

namespace {

namespace fs = std::filesystem;
using sdk::Result;
using sdk::Status;

constexpr const char* kAdmin = "admin";

std::string random_password() { return random_urlsafe(24); }

// A YAML double-quoted scalar.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string unquoted(const std::string& text) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return text;
  std::string out;
  for (std::size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] == '\\' && i + 2 < text.size()) ++i;
    out += text[i];
  }
  return out;
}

// The value of the first "<key>: value" line in a clouds.yaml we wrote.
std::optional<std::string> read_key(const fs::path& file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.compare(start, key.size() + 2, key + ": ") != 0) continue;
    return unquoted(line.substr(start + key.size() + 2));
  }
  return std::nullopt;
}

// Writes `text` to `file` with mode 0600 from the start (never readable by
// others, not even briefly), through a temporary file and a rename.
Status write_private(const fs::path& file, const std::string& text) {
  const fs::path tmp = file.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot write " + tmp.string() + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;
  std::size_t done = 0;
  while (ok && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false; else done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) {
    const std::string reason = std::strerror(ok ? errno : saved);
    ::unlink(tmp.c_str());
    return Status::Unavailable("cannot write " + file.string() + ": " + reason);
  }
  return Status::OK();
}

}  // namespace

std::string clouds_yaml_text(const std::string& auth_url, const std::string& username, const std::string& password,
                             const std::string& project_name) {
  std::ostringstream out;
  out << "# Written by `stratus aio` (docs/identity.md). Keep it private: it holds a password.\n"
      << "clouds:\n"
      << "  stratus:\n"
      << "    auth:\n"
      << "      auth_url: " << quoted(auth_url) << "\n"
      << "      username: " << quoted(username) << "\n"
      << "      password: " << quoted(password) << "\n"
      << "      project_name: " << quoted(project_name) << "\n"
      << "      user_domain_name: \"Default\"\n"
      << "      project_domain_name: \"Default\"\n"
      << "    region_name: \"RegionOne\"\n"
      << "    identity_api_version: 3\n"
      << "    interface: \"public\"\n";
  return out.str();
}

Result<BootstrapResult> bootstrap_identity(db::Database& db, const fs::path& data_dir, const std::string& auth_url) {
  BootstrapResult result;
  result.clouds_yaml = data_dir / "clouds.yaml";
  auto users = db::UserRepository(db).count();
  if (!users.ok()) return users.status();

  if (*users > 0) {
    // Later start: refresh the auth_url, keep the credentials as written.
    std::error_code ec;
    if (!fs::exists(result.clouds_yaml, ec)) return result;
    auto username = read_key(result.clouds_yaml, "username");
    auto password = read_key(result.clouds_yaml, "password");
    auto project = read_key(result.clouds_yaml, "project_name");
    if (!username || !password || !project) {
      spdlog::warn("identity bootstrap: {} is not as stratus wrote it; left unchanged", result.clouds_yaml.string());
      return result;
    }
    if (auto s = write_private(result.clouds_yaml, clouds_yaml_text(auth_url, *username, *password, *project));
        !s.ok()) {
      return s;
    }
    result.clouds_yaml_written = true;
    return result;
  }

  IdentityAdmin admin(db);
  const std::string password = random_password();
  // Find-or-create, so that a first start that died half-way is finished.
  auto ensure_project = [&](const std::string& name, const std::string& description) {
    auto found = admin.find_project(name);
    return found.ok() ? found : admin.create_project(name, description);
  };
  auto project = ensure_project(kAdmin, "Bootstrap project for the cloud's administrator");
  if (!project.ok()) return project.status();
  if (auto service = ensure_project("service", "Bootstrap project for service users"); !service.ok()) {
    return service.status();
  }
  auto user = admin.create_user(kAdmin, password);
  if (!user.ok()) return user.status();
  if (auto s = admin.add_role(user->id, project->id, "admin"); !s.ok()) return s;
  if (auto s = write_private(result.clouds_yaml, clouds_yaml_text(auth_url, kAdmin, password, kAdmin)); !s.ok()) {
    return s;
  }
  spdlog::info("identity bootstrap: created project admin, project service and user admin (role admin); "
               "credentials in {}", result.clouds_yaml.string());
  result.created_admin = true;
  result.clouds_yaml_written = true;
  return result;
}

}  // namespace stratus::core::identity
