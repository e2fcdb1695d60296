// Building a config drive (contract in config_drive.h).
#include "config_drive.h"

#include <cctype>
#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "process.h"

namespace stratus::drivers::libvirt {

namespace fs = std::filesystem;
using sdk::Status;

namespace {

// The metadata versions the drive carries: "latest" for current readers, and
// Nova's first config drive version for old cloud-init releases that look for it.
constexpr const char* kVersions[] = {"latest", "2012-08-10"};

// Removes the staging directory on every path out of make_config_drive.
struct StagingDir {
  fs::path path;
  ~StagingDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

std::string config_drive_hostname(const sdk::Instance& instance) {
  std::string out;
  for (char c : instance.display_name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '_') {
      out += '-';
    } else if (std::isalnum(u) != 0 && u < 0x80) {
      out += static_cast<char>(std::tolower(u));
    } else if (c == '.' || c == '-') {
      out += c;
    }
  }
  const auto first = out.find_first_not_of(".-");
  out = first == std::string::npos ? std::string() : out.substr(first);
  if (out.size() > 63) out.resize(63);
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  return out.empty() ? "server-" + instance.uuid : out;
}

// "/content/0000": where Nova puts the n-th personality file.
std::string content_path(std::size_t n) {
  std::string digits = std::to_string(n);
  if (digits.size() < 4) digits.insert(0, 4 - digits.size(), '0');
  return "/content/" + digits;
}

std::string config_drive_meta_data(const sdk::Instance& instance, const ConfigDriveInjection& injection) {
  nlohmann::json meta = {
      {"uuid", instance.uuid},
      {"name", instance.display_name},
      {"hostname", config_drive_hostname(instance)},
      {"launch_index", 0},
      {"availability_zone", instance.availability_zone},
      {"project_id", instance.project_id},
      {"meta", instance.metadata},
  };
  if (!instance.key_name.empty() && !instance.key_data.empty()) {
    meta["public_keys"] = {{instance.key_name, instance.key_data}};
  }
  if (!injection.admin_password.empty()) meta["admin_pass"] = injection.admin_password;
  if (!injection.files.empty()) {
    nlohmann::json files = nlohmann::json::array();
    for (std::size_t i = 0; i < injection.files.size(); ++i) {
      files.push_back({{"path", injection.files[i].first}, {"content_path", content_path(i)}});
    }
    meta["files"] = std::move(files);
  }
  // Invalid UTF-8 in a name or metadata value becomes U+FFFD rather than an
  // exception: the drive still describes the server.
  return meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::map<std::string, std::string> config_drive_files(const sdk::Instance& instance,
                                                      const ConfigDriveInjection& injection) {
  std::map<std::string, std::string> files;
  const std::string meta = config_drive_meta_data(instance, injection);
  for (std::size_t i = 0; i < injection.files.size(); ++i) {
    files["openstack" + content_path(i)] = injection.files[i].second;
  }
  for (const char* version : kVersions) {
    const std::string dir = std::string("openstack/") + version + "/";
    files[dir + "meta_data.json"] = meta;
    if (!instance.user_data.empty()) files[dir + "user_data"] = instance.user_data;
  }
  if (!injection.network_data.empty()) files["openstack/latest/network_data.json"] = injection.network_data;
  return files;
}

Status make_config_drive(const sdk::Instance& instance, const fs::path& iso, const std::string& genisoimage,
                         std::chrono::milliseconds timeout, const ConfigDriveInjection& injection) {
  StagingDir staging{fs::path(iso.string() + ".d")};
  std::error_code ec;
  fs::remove_all(staging.path, ec);
  for (const auto& [name, contents] : config_drive_files(instance, injection)) {
    const fs::path file = staging.path / name;
    fs::create_directories(file.parent_path(), ec);
    if (ec) {
      return Status::Internal("config drive of instance " + instance.uuid + ": cannot create " +
                              file.parent_path().string() + ": " + ec.message());
    }
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    if (!out) return Status::Internal("config drive of instance " + instance.uuid + ": cannot write " + file.string());
  }
  // Nova's options: Rock Ridge and Joliet names (cloud-init reads either),
  // lower case and dots kept as they are, no version suffixes.
  auto ran = run_program({genisoimage, "-o", iso.string(), "-ldots", "-allow-lowercase", "-allow-multidot", "-l",
                          "-publisher", "Stratus", "-quiet", "-J", "-r", "-V", kConfigDriveLabel,
                          staging.path.string()},
                         timeout);
  if (!ran.ok()) {
    fs::remove(iso, ec);
    // A missing program is the host's problem, not a missing instance: a
    // kNotFound from spawn would read as "no such server".
    const sdk::StatusCode code =
        ran.status().is(sdk::StatusCode::kNotFound) ? sdk::StatusCode::kInternal : ran.status().code();
    return Status(code, "config drive of instance " + instance.uuid + ": " + ran.status().message() +
                            (ran.status().is(sdk::StatusCode::kNotFound)
                                 ? "; or set genisoimage in [driver.libvirt] to its path"
                                 : ""));
  }
  return Status::OK();
}

}  // namespace stratus::drivers::libvirt
