// PluginConfig: the plugin's own table from the operator's config file.
//
// The core hands each plugin the table of its kind, `[driver.<name>]`,
// `[filter.<name>]` or `[weigher.<name>]` (nested tables flattened to dotted
// keys, e.g. "fault.spawn"), plus where each key came from
// so that a plugin's error can name the file and line. Getters return a Result
// whose message names the key and its origin; check_known_keys() lets a factory
// refuse keys it does not know, as the core does for its own sections.
//
// Thread-safety: immutable after construction; safe to read from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::sdk {

using ConfigValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;

inline const char* config_value_type_name(const ConfigValue& v) {
  switch (v.index()) {
    case 0: return "boolean";
    case 1: return "integer";
    case 2: return "float";
    case 3: return "string";
    case 4: return "array of strings";
  }
  return "unknown";
}

class PluginConfig {
 public:
  PluginConfig() = default;
  // `section` names the table in messages, e.g. "[driver.fake]".
  explicit PluginConfig(std::string section) : section_(std::move(section)) {}

  // Sets a key; `origin` is where it came from, e.g. "/etc/stratus.toml:12".
  void set(const std::string& key, ConfigValue value, std::string origin = {}) {
    values_[key] = Entry{std::move(value), std::move(origin)};
  }

  bool has(const std::string& key) const { return values_.count(key) != 0; }
  const std::string& section() const { return section_; }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : values_) out.push_back(k);
    return out;
  }

  // Where `key` was set, as "file:line", or "" if unknown or unset.
  std::string origin(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? std::string() : it->second.origin;
  }

  Result<bool> get_bool(const std::string& key, bool fallback) const { return get<bool>(key, fallback); }
  Result<std::int64_t> get_int(const std::string& key, std::int64_t fallback) const {
    return get<std::int64_t>(key, fallback);
  }
  // Integers are accepted where a float is expected ("ratio = 2").
  Result<double> get_double(const std::string& key, double fallback) const {
    auto it = values_.find(key);
    if (it != values_.end()) {
      if (auto* i = std::get_if<std::int64_t>(&it->second.value)) return static_cast<double>(*i);
    }
    return get<double>(key, fallback);
  }
  Result<std::string> get_string(const std::string& key, std::string fallback) const {
    return get<std::string>(key, std::move(fallback));
  }
  Result<std::vector<std::string>> get_string_list(const std::string& key,
                                                   std::vector<std::string> fallback) const {
    return get<std::vector<std::string>>(key, std::move(fallback));
  }

  // kInvalidArgument naming the first key that is neither in `known` nor
  // starts with one of `known_prefixes` (e.g. "fault."), else OK.
  Status check_known_keys(const std::set<std::string>& known,
                          const std::set<std::string>& known_prefixes = {}) const {
    for (const auto& [key, entry] : values_) {
      if (known.count(key)) continue;
      bool prefixed = false;
      for (const auto& p : known_prefixes) prefixed = prefixed || key.rfind(p, 0) == 0;
      if (prefixed) continue;
      return Status::InvalidArgument(describe(key) + ": unknown key");
    }
    return Status::OK();
  }

  // "key 'x' in [driver.fake] (file:12)": how messages name a key.
  std::string describe(const std::string& key) const {
    std::string out = "key '" + key + "'";
    if (!section_.empty()) out += " in " + section_;
    auto o = origin(key);
    if (!o.empty()) out += " (" + o + ")";
    return out;
  }

 private:
  struct Entry {
    ConfigValue value;
    std::string origin;
  };

  template <typename T>
  Result<T> get(const std::string& key, T fallback) const {
    auto it = values_.find(key);
    if (it == values_.end()) return fallback;
    if (const T* v = std::get_if<T>(&it->second.value)) return *v;
    ConfigValue wanted{T{}};
    return Status::InvalidArgument(describe(key) + ": expected " + config_value_type_name(wanted) + ", got " +
                                   config_value_type_name(it->second.value));
  }

  std::string section_;
  std::map<std::string, Entry> values_;
};

}  // namespace stratus::sdk
