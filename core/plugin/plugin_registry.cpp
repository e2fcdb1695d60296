#include "core/plugin/plugin_registry.h"

#include <algorithm>
#include <exception>
#include <system_error>
#include <utility>

#include <boost/dll/library_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <spdlog/spdlog.h>

#include "core/plugin/descriptor_check.h"
#include "core/plugin/plugin_logger.h"

namespace stratus::core {

namespace fs = std::filesystem;
using sdk::PluginKind;
using sdk::Result;
using sdk::Status;

std::string PluginRefusal::to_string() const {
  std::string out = path.string();
  if (!plugin.empty()) out += ": plugin '" + plugin + "'";
  return out + ": " + reason;
}

// The core calls every method of the current ABI, so it must see all of them.
static_assert(sdk::kTargetAbiVersion == sdk::kAbiVersion, "the core is built for the SDK's own ABI");

namespace {

// The first ABI whose interfaces have set_logger.
constexpr std::uint32_t kLoggerAbi = 5;

std::string kind_name(PluginKind kind) { return std::string(sdk::plugin_kind_name(kind)); }

PluginInfo info_from(const sdk::PluginDescriptor& d, const fs::path& file) {
  PluginInfo info;
  info.name = d.name;
  info.kind = static_cast<PluginKind>(d.kind);
  info.version = d.version;
  info.description = d.description;
  info.abi_version = d.abi_version;
  info.sdk_version = d.sdk_version;
  info.stdlib_tag = d.stdlib_tag;
  info.compiler_tag = d.compiler_tag;
  info.path = file;
  return info;
}

// The names of the plugins a library file exports, read from its symbol table
// without loading it.
Result<std::vector<std::string>> exported_plugin_names(const fs::path& file) {
  std::vector<std::string> symbols;
  try {
    boost::dll::library_info lib_info(boost::dll::fs::path(file.string()));
    symbols = lib_info.symbols();
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("not a shared library: ") + e.what());
  }
  std::vector<std::string> names;
  const std::string_view prefix = sdk::kDescriptorSymbolPrefix;
  for (const auto& symbol : symbols) {
    if (symbol.size() > prefix.size() && symbol.compare(0, prefix.size(), prefix) == 0) {
      names.push_back(symbol.substr(prefix.size()));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

template <typename Interface>
FactoryFunction<Interface> library_factory(const boost::dll::shared_library& lib, const std::string& symbol) {
  sdk::PluginFactory<Interface> fn = lib.get_alias<std::remove_pointer_t<sdk::PluginFactory<Interface>>>(symbol);
  return FactoryFunction<Interface>(fn);
}

// Calls `factory` so that no exception escapes, and ties the object's life to
// `library` (which may be null for an in-process factory).
template <typename Interface>
Result<std::shared_ptr<Interface>> invoke_factory(const PluginInfo& info, const FactoryFunction<Interface>& factory,
                                                  std::shared_ptr<boost::dll::shared_library> library,
                                                  const sdk::PluginConfig& config) {
  const std::string where =
      "plugin '" + info.name + "'" + (info.path.empty() ? std::string() : " (" + info.path.string() + ")");
  Result<std::unique_ptr<Interface>> created = Status::Internal("factory not called");
  try {
    created = factory(config);
  } catch (const std::exception& e) {
    return Status::Internal(where + ": factory threw: " + e.what());
  } catch (...) {
    return Status::Internal(where + ": factory threw a non-standard exception");
  }
  if (!created.ok()) {
    return Status(created.status().code(), where + ": factory failed: " + created.status().to_string());
  }
  if (created.value() == nullptr) return Status::Internal(where + ": factory returned no object");
  // A plugin built for an older ABI has no set_logger in its vtable: never call it there.
  if (info.abi_version >= kLoggerAbi) {
    try {
      created.value()->set_logger(make_plugin_logger(info.kind, info.name));
    } catch (...) {
      return Status::Internal(where + ": set_logger threw");
    }
  }
  // The deleter owns a reference to the library: the object's destructor runs
  // while its code is still mapped, and the library goes only after it.
  Interface* raw = created.value().release();
  return std::shared_ptr<Interface>(raw, [library = std::move(library)](Interface* p) mutable {
    delete p;
    library.reset();
  });
}

}  // namespace

PluginRegistry::PluginRegistry() = default;
PluginRegistry::~PluginRegistry() = default;

void PluginRegistry::set_search_description(std::string description) {
  std::lock_guard lock(mu_);
  search_description_ = std::move(description);
}

Status PluginRegistry::add(Entry entry) {
  if (!is_valid_plugin_name(entry.info.name)) {
    return Status::InvalidArgument("invalid plugin name '" + entry.info.name + "' (want [a-z0-9_]+)");
  }
  std::lock_guard lock(mu_);
  Key key{entry.info.kind, entry.info.name};
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    const auto& other = it->second.info.path;
    return Status::AlreadyExists("duplicate " + kind_name(entry.info.kind) + " name '" + entry.info.name +
                                 "': already registered from " +
                                 (other.empty() ? std::string("this process") : other.string()));
  }
  entries_.emplace(std::move(key), std::move(entry));
  return Status::OK();
}

std::optional<PluginRegistry::Entry> PluginRegistry::replace(Entry entry) {
  std::lock_guard lock(mu_);
  Key key{entry.info.kind, entry.info.name};
  std::optional<Entry> previous;
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    previous = std::move(it->second);
    it->second = std::move(entry);
  } else {
    entries_.emplace(std::move(key), std::move(entry));
  }
  return previous;
}

void PluginRegistry::restore(const Key& key, std::optional<Entry> previous) {
  std::lock_guard lock(mu_);
  if (previous.has_value()) {
    entries_.insert_or_assign(key, std::move(*previous));
  } else {
    entries_.erase(key);
  }
}

std::vector<PluginRefusal> PluginRegistry::load_library(const fs::path& file) {
  std::vector<PluginRefusal> refusals;
  auto refuse_file = [&](std::string reason) {
    refusals.push_back({file, {}, std::move(reason)});
    return refusals;
  };
  std::error_code ec;
  if (!fs::exists(file, ec)) return refuse_file("no such file");
  if (!fs::is_regular_file(file, ec)) return refuse_file("not a regular file");

  auto names = exported_plugin_names(file);
  if (!names.ok()) return refuse_file(names.status().message());
  if (names->empty()) {
    return refuse_file("not a Stratus plugin: it exports no " + std::string(sdk::kDescriptorSymbolPrefix) +
                       "* symbol (was it built with STRATUS_PLUGIN?)");
  }

  auto library = std::make_shared<boost::dll::shared_library>();
  try {
    library->load(boost::dll::fs::path(file.string()),
                  boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    refuse_file(std::string("cannot load: ") + e.what());
    // Each plugin the file exports was refused for that reason, by name.
    std::vector<PluginRefusal> named;
    for (const auto& name : *names) named.push_back({file, name, refusals.back().reason});
    remember_refusals(named);
    return refusals;
  }

  for (const auto& name : *names) {
    const std::string descriptor_symbol = std::string(sdk::kDescriptorSymbolPrefix) + name;
    const std::string factory_symbol = std::string(sdk::kFactorySymbolPrefix) + name;
    auto refuse = [&](std::string reason) { refusals.push_back({file, name, std::move(reason)}); };

    const sdk::PluginDescriptor* descriptor = nullptr;
    try {
      descriptor = &library->get_alias<const sdk::PluginDescriptor>(descriptor_symbol);
    } catch (const std::exception& e) {
      refuse(std::string("not a Stratus plugin: cannot read ") + descriptor_symbol + ": " + e.what());
      continue;
    }
    if (Status s = check_descriptor(*descriptor, name); !s.ok()) {
      refuse(s.message());
      continue;
    }
    if (!library->has(factory_symbol)) {
      refuse("not a Stratus plugin: descriptor without factory symbol " + factory_symbol);
      continue;
    }
    Entry entry{info_from(*descriptor, file), library, {}};
    switch (entry.info.kind) {
      case PluginKind::kVirtDriver:
        entry.factory = library_factory<sdk::VirtDriver>(*library, factory_symbol);
        break;
      case PluginKind::kSchedulerFilter:
        entry.factory = library_factory<sdk::SchedulerFilter>(*library, factory_symbol);
        break;
      case PluginKind::kSchedulerWeigher:
        entry.factory = library_factory<sdk::SchedulerWeigher>(*library, factory_symbol);
        break;
    }
    if (Status s = add(std::move(entry)); !s.ok()) {
      refuse(s.message());
      continue;
    }
    spdlog::debug("plugin loaded: {} {} {} from {}", kind_name(static_cast<PluginKind>(descriptor->kind)), name,
                  descriptor->version, file.string());
  }
  remember_refusals(refusals);
  return refusals;
}

void PluginRegistry::remember_refusals(const std::vector<PluginRefusal>& refusals) {
  std::lock_guard lock(mu_);
  for (const auto& r : refusals) {
    if (!r.plugin.empty()) refused_[r.plugin] = r.to_string();
  }
}

std::vector<PluginRefusal> PluginRegistry::load_directories(const std::vector<fs::path>& dirs) {
  std::vector<PluginRefusal> refusals;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& item : fs::directory_iterator(dir, ec)) {
      if (item.path().extension() == ".so") files.push_back(item.path());
    }
    if (ec) {
      refusals.push_back({dir, {}, "cannot list directory: " + ec.message()});
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      auto more = load_library(file);
      refusals.insert(refusals.end(), more.begin(), more.end());
    }
  }
  return refusals;
}

std::vector<PluginInfo> PluginRegistry::list() const {
  std::vector<PluginInfo> out;
  std::lock_guard lock(mu_);
  for (const auto& [key, entry] : entries_) out.push_back(entry.info);  // map order: kind, then name
  return out;
}

Status PluginRegistry::not_found(PluginKind kind, std::string_view name) const {
  std::string msg = "no such " + kind_name(kind) + " plugin '" + std::string(name) + "'";
  // The likelier story when a plugin of that name was found but not taken:
  // say why, so the fatal line of a node that needed it names the reason.
  if (auto it = refused_.find(name); it != refused_.end()) {
    return Status::NotFound(msg + ": it was refused: " + it->second);
  }
  if (!search_description_.empty()) msg += " (searched " + search_description_ + ")";
  return Status::NotFound(msg);
}

Result<PluginInfo> PluginRegistry::find(PluginKind kind, std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(Key{kind, std::string(name)});
  if (it == entries_.end()) return not_found(kind, name);
  return it->second.info;
}

std::vector<PluginInfo> PluginRegistry::find_all(std::string_view name) const {
  std::vector<PluginInfo> out;
  std::lock_guard lock(mu_);
  for (const auto& [key, entry] : entries_) {
    if (key.second == name) out.push_back(entry.info);
  }
  return out;
}

Result<PluginRegistry::Entry> PluginRegistry::entry_for(std::string_view name, PluginKind wanted) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(Key{wanted, std::string(name)});
  if (it != entries_.end()) return it->second;
  // Only another kind has the name: say so, it is the likelier mistake.
  for (const auto& [key, entry] : entries_) {
    if (key.second != name) continue;
    return Status::InvalidArgument("plugin '" + entry.info.name + "'" +
                                   (entry.info.path.empty() ? "" : " (" + entry.info.path.string() + ")") + " is a " +
                                   kind_name(entry.info.kind) + ", not a " + kind_name(wanted));
  }
  return not_found(wanted, name);
}

template <typename Interface>
Result<std::shared_ptr<Interface>> PluginRegistry::create(std::string_view name,
                                                          const sdk::PluginConfig& config) const {
  auto entry = entry_for(name, sdk::PluginKindOf<Interface>::value);
  if (!entry.ok()) return entry.status();
  const auto& factory = std::get<FactoryFunction<Interface>>(entry->factory);
  return invoke_factory<Interface>(entry->info, factory, entry->library, config);
}

template Result<std::shared_ptr<sdk::VirtDriver>> PluginRegistry::create<sdk::VirtDriver>(
    std::string_view, const sdk::PluginConfig&) const;
template Result<std::shared_ptr<sdk::SchedulerFilter>> PluginRegistry::create<sdk::SchedulerFilter>(
    std::string_view, const sdk::PluginConfig&) const;
template Result<std::shared_ptr<sdk::SchedulerWeigher>> PluginRegistry::create<sdk::SchedulerWeigher>(
    std::string_view, const sdk::PluginConfig&) const;

}  // namespace stratus::core
