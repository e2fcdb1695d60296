#include "core/plugin/plugin_search_path.h"

#include <algorithm>
#include <sstream>
#include <system_error>

namespace stratus::core {

namespace fs = std::filesystem;

fs::path default_plugin_dir(const fs::path& executable) {
  return (executable.parent_path() / ".." / "lib" / "stratus" / "plugins").lexically_normal();
}

fs::path current_executable() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe;
}

std::vector<fs::path> plugin_search_path(const std::vector<std::string>& configured, const char* env_value,
                                         const fs::path& executable) {
  std::vector<fs::path> candidates;
  for (const auto& dir : configured) candidates.emplace_back(dir);
  if (env_value != nullptr) {
    std::stringstream ss(env_value);
    std::string item;
    while (std::getline(ss, item, ':')) {
      if (!item.empty()) candidates.emplace_back(item);
    }
  }
  if (!executable.empty()) candidates.push_back(default_plugin_dir(executable));

  std::vector<fs::path> out;
  std::vector<fs::path> seen;
  for (const auto& dir : candidates) {
    std::error_code ec;
    fs::path key = fs::weakly_canonical(dir, ec);
    if (ec) key = dir.lexically_normal();
    if (!key.has_filename() && key.has_parent_path()) key = key.parent_path();  // "/a/" is "/a"
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    out.push_back(dir);
  }
  return out;
}

std::string describe_search_path(const std::vector<fs::path>& dirs) {
  std::string out;
  for (const auto& d : dirs) {
    if (!out.empty()) out += ":";
    out += d.string();
  }
  return out.empty() ? "no directories" : out;
}

}  // namespace stratus::core
