// Where plugins are looked for, in order: the directories the config names,
// then $STRATUS_PLUGIN_PATH (colon-separated), then the default beside the
// binary (<bin>/../lib/stratus/plugins), which is right both in a build tree
// and in an install. Duplicates are dropped, keeping the first.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace stratus::core {

std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::string>& configured,
                                                      const char* env_value,
                                                      const std::filesystem::path& executable);

// The default directory for an executable at `executable`.
std::filesystem::path default_plugin_dir(const std::filesystem::path& executable);

// The running executable (from /proc/self/exe).
std::filesystem::path current_executable();

// "dir1:dir2" for messages.
std::string describe_search_path(const std::vector<std::filesystem::path>& dirs);

}  // namespace stratus::core
