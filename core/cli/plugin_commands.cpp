// `stratus plugin list` and `stratus plugin show NAME`.
#include <cstdio>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/cli/commands.h"
#include "core/plugin/plugin_search_path.h"

namespace stratus::core {

namespace {

nlohmann::json to_json(const PluginInfo& p) {
  return {{"name", p.name},
          {"kind", std::string(sdk::plugin_kind_name(p.kind))},
          {"version", p.version},
          {"description", p.description},
          {"abi_version", p.abi_version},
          {"sdk_version", p.sdk_version},
          {"stdlib", p.stdlib_tag},
          {"compiler", p.compiler_tag},
          {"path", p.path.string()}};
}

// Columns are at least `width` wide (the longest built-in plugin name,
// aggregate_multitenancy_isolation, is 32 characters).
std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

int list_plugins(const GlobalOptions& options, const std::string& format) {
  auto env = make_environment(options);
  if (!env.ok()) {
    std::cerr << "stratus: " << env.status().message() << "\n";
    return 2;
  }
  const auto plugins = (*env)->registry.list();
  if (format == "json") {
    nlohmann::json out = {{"plugins", nlohmann::json::array()}, {"refused", nlohmann::json::array()}};
    for (const auto& p : plugins) out["plugins"].push_back(to_json(p));
    for (const auto& r : (*env)->refusals) {
      out["refused"].push_back({{"path", r.path.string()}, {"plugin", r.plugin}, {"reason", r.reason}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << pad("KIND", 18) << pad("NAME", 34) << pad("VERSION", 9) << pad("ABI", 5) << "PATH\n";
  for (const auto& p : plugins) {
    std::cout << pad(std::string(sdk::plugin_kind_name(p.kind)), 18) << pad(p.name, 34) << pad(p.version, 9)
              << pad(std::to_string(p.abi_version), 5) << p.path.string() << "\n";
  }
  if (plugins.empty()) {
    std::cerr << "stratus: no plugins found in " << describe_search_path((*env)->search_path) << "\n";
  }
  return 0;
}

int show_plugin(const GlobalOptions& options, const std::string& name, const std::string& format) {
  auto env = make_environment(options);
  if (!env.ok()) {
    std::cerr << "stratus: " << env.status().message() << "\n";
    return 2;
  }
  // A filter and a weigher may share a name: show every plugin called `name`.
  const auto found = (*env)->registry.find_all(name);
  if (found.empty()) {
    // A plugin that was found but refused deserves its reason, not "no such plugin".
    bool refused = false;
    for (const auto& r : (*env)->refusals) {
      if (r.plugin == name) {
        std::cerr << "stratus: plugin '" << name << "' was refused: " << r.to_string() << "\n";
        refused = true;
      }
    }
    if (!refused) {
      std::cerr << "stratus: no such plugin '" << name << "' (searched " << describe_search_path((*env)->search_path)
                << ")\n";
    }
    return 1;
  }
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& info : found) out.push_back(to_json(info));
    std::cout << (out.size() == 1 ? out[0] : out).dump(2) << "\n";
    return 0;
  }
  for (size_t i = 0; i < found.size(); ++i) {
    if (i > 0) std::cout << "\n";
    const nlohmann::json j = to_json(found[i]);
    for (const char* key : {"name", "kind", "version", "description", "abi_version", "sdk_version", "stdlib",
                            "compiler", "path"}) {
      const auto& v = j.at(key);
      std::cout << pad(std::string(key) + ":", 14) << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
    }
  }
  return 0;
}

}  // namespace

void add_plugin_commands(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  CLI::App* plugin = app.add_subcommand("plugin", "Inspect the plugins this stratus finds");
  plugin->require_subcommand(1);

  static std::string list_format = "table";
  CLI::App* list = plugin->add_subcommand("list", "List every plugin in the plugin directories");
  list->add_option("-f,--format", list_format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list->callback([&options, &exit_code] { exit_code = list_plugins(options, list_format); });

  static std::string show_name;
  static std::string show_format = "table";
  CLI::App* show = plugin->add_subcommand("show", "Print one plugin's descriptor");
  show->add_option("name", show_name, "Plugin name")->required();
  show->add_option("-f,--format", show_format, "table or json")->check(CLI::IsMember({"table", "json"}));
  show->callback([&options, &exit_code] { exit_code = show_plugin(options, show_name, show_format); });
}

}  // namespace stratus::core
