#include "core/config/config.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <functional>
#include <set>
#include <sstream>
#include <system_error>

#include <toml++/toml.h>

namespace stratus::core {

namespace fs = std::filesystem;
using sdk::Result;
using sdk::Status;

namespace {

std::string origin_of(const toml::source_region& src) {
  std::string file = src.path ? *src.path : std::string("<config>");
  return file + ":" + std::to_string(src.begin.line);
}

std::string hostname() {
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) != 0) return "localhost";
  return buf.data();
}

const char* toml_type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    default: return "date/time";
  }
}

// The config table that holds the plugins of a kind: [driver.fake], [filter.ram].
const char* plugin_section_name(sdk::PluginKind kind) {
  switch (kind) {
    case sdk::PluginKind::kVirtDriver: return "driver";
    case sdk::PluginKind::kSchedulerFilter: return "filter";
    case sdk::PluginKind::kSchedulerWeigher: return "weigher";
  }
  return "plugin";
}

// "1" or "1.3": digits, at most one dot between digits, each part at most 9 digits.
bool is_version(const std::string& text) {
  const auto dot = text.find('.');
  auto digits = [](std::string_view part) {
    return !part.empty() && part.size() <= 9 &&
           std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (dot == std::string::npos) return digits(text);
  return digits(std::string_view(text).substr(0, dot)) && digits(std::string_view(text).substr(dot + 1));
}

// "HOST:PORT": a non-empty host, a colon, a decimal port in 0..65535.
bool is_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() || text.size() - colon - 1 > 5) return false;
  int port = 0;
  for (std::size_t i = colon + 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    port = port * 10 + (text[i] - '0');
  }
  return port <= 65535;
}

// Reads one table of the schema: each read() checks the type; finish() refuses
// any key that no read() asked for.
class SectionReader {
 public:
  SectionReader(const toml::table& table, std::string prefix) : table_(table), prefix_(std::move(prefix)) {}

  Status read(const std::string& key, std::string& out) {
    return read_with(key, "a string", [&](const toml::node& n) {
      if (!n.is_string()) return false;
      out = n.as_string()->get();
      return true;
    });
  }

  Status read(const std::string& key, std::int64_t& out) {
    return read_with(key, "an integer", [&](const toml::node& n) {
      if (!n.is_integer()) return false;
      out = n.as_integer()->get();
      return true;
    });
  }

  // Integers are taken as well: "interval = 10" means 10.0.
  Status read(const std::string& key, double& out) {
    return read_with(key, "a number", [&](const toml::node& n) {
      if (n.is_integer()) {
        out = static_cast<double>(n.as_integer()->get());
        return true;
      }
      if (!n.is_floating_point()) return false;
      out = n.as_floating_point()->get();
      return true;
    });
  }

  Status read(const std::string& key, bool& out) {
    return read_with(key, "a boolean", [&](const toml::node& n) {
      if (!n.is_boolean()) return false;
      out = n.as_boolean()->get();
      return true;
    });
  }

  // A number that must lie in [min, max]; the error names the key and its line.
  Status read_in_range(const std::string& key, double& out, double min, double max) {
    if (Status s = read(key, out); !s.ok()) return s;
    if (out < min || out > max) return range_error(key, min, max);
    return Status::OK();
  }
  Status read_in_range(const std::string& key, std::int64_t& out, std::int64_t min, std::int64_t max) {
    if (Status s = read(key, out); !s.ok()) return s;
    if (out < min || out > max) return range_error(key, static_cast<double>(min), static_cast<double>(max));
    return Status::OK();
  }

  Status read(const std::string& key, std::vector<std::string>& out) {
    const toml::array* arr = nullptr;
    Status s = read_with(key, "an array of strings", [&](const toml::node& n) {
      arr = n.as_array();
      return arr != nullptr;
    });
    if (!s.ok() || arr == nullptr) return s;
    std::vector<std::string> values;
    for (const auto& item : *arr) {
      if (!item.is_string()) {
        return Status::InvalidArgument(origin_of(item.source()) + ": key '" + full(key) +
                                       "' must be an array of strings, but holds a " + toml_type_name(item));
      }
      values.push_back(item.as_string()->get());
    }
    out = std::move(values);
    return Status::OK();
  }

  // An [upgrade_levels] value: "auto" or "MAJOR.MINOR" (digits), as
  // oslo.messaging writes versions.
  Status read_version_cap(const std::string& key, std::string& out) {
    if (Status s = read(key, out); !s.ok()) return s;
    if (out.empty() || out == "auto" || is_version(out)) return Status::OK();
    const toml::node* n = table_.get(key);
    return Status::InvalidArgument((n ? origin_of(n->source()) + ": " : std::string()) + "key '" + full(key) +
                                   "' must be \"auto\" or a version MAJOR.MINOR such as \"1.0\", got '" + out + "'");
  }

  // Hands a sub-table to `fn`; a non-table value is a type error.
  Status read_table(const std::string& key, const std::function<Status(const toml::table&, const std::string&)>& fn) {
    seen_.insert(key);
    const toml::node* n = table_.get(key);
    if (n == nullptr) return Status::OK();
    if (!n->is_table()) return type_error(key, "a table", *n);
    return fn(*n->as_table(), full(key));
  }

  Status finish() const {
    for (const auto& [k, v] : table_) {
      if (seen_.count(std::string(k.str())) == 0) {
        return Status::InvalidArgument(origin_of(k.source()) + ": unknown key '" + full(std::string(k.str())) + "'");
      }
    }
    return Status::OK();
  }

 private:
  std::string full(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  Status range_error(const std::string& key, double min, double max) const {
    const toml::node* n = table_.get(key);
    std::ostringstream out;
    out.precision(15);  // 31536000, not 3.1536e+07
    out << (n ? origin_of(n->source()) + ": " : std::string()) << "key '" << full(key) << "' must be between " << min
        << " and " << max;
    return Status::InvalidArgument(out.str());
  }

  Status type_error(const std::string& key, const char* wanted, const toml::node& n) const {
    return Status::InvalidArgument(origin_of(n.source()) + ": key '" + full(key) + "' must be " + wanted + ", got " +
                                   toml_type_name(n));
  }

  Status read_with(const std::string& key, const char* wanted, const std::function<bool(const toml::node&)>& take) {
    seen_.insert(key);
    const toml::node* n = table_.get(key);
    if (n == nullptr) return Status::OK();
    if (!take(*n)) return type_error(key, wanted, *n);
    return Status::OK();
  }

  const toml::table& table_;
  std::string prefix_;
  std::set<std::string> seen_;
};

// Flattens a [driver.<name>] (or filter, weigher) table into a PluginConfig with dotted keys.
Status flatten_plugin_table(const toml::table& table, const std::string& prefix, const std::string& display_prefix,
                            sdk::PluginConfig& out) {
  for (const auto& [k, node] : table) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const std::string where = origin_of(node.source());
    if (const toml::table* sub = node.as_table()) {
      if (Status s = flatten_plugin_table(*sub, key, display_prefix, out); !s.ok()) return s;
    } else if (node.is_boolean()) {
      out.set(key, node.as_boolean()->get(), where);
    } else if (node.is_integer()) {
      out.set(key, node.as_integer()->get(), where);
    } else if (node.is_floating_point()) {
      out.set(key, node.as_floating_point()->get(), where);
    } else if (node.is_string()) {
      out.set(key, node.as_string()->get(), where);
    } else if (const toml::array* arr = node.as_array()) {
      std::vector<std::string> values;
      for (const auto& item : *arr) {
        if (!item.is_string()) {
          return Status::InvalidArgument(where + ": key '" + display_prefix + "." + key +
                                         "': plugin arrays may only hold strings");
        }
        values.push_back(item.as_string()->get());
      }
      out.set(key, std::move(values), where);
    } else {
      return Status::InvalidArgument(where + ": key '" + display_prefix + "." + key + "' has an unsupported type " +
                                     toml_type_name(node));
    }
  }
  return Status::OK();
}

// Moves `from` into `into`, table by table, so an override of one key keeps
// the rest of its section. Moving (not copying) keeps each node's source
// region, so errors about an override still point at "command line".
void merge_into(toml::table& into, toml::table&& from) {
  for (auto&& [k, node] : from) {
    toml::node* existing = into.get(k.str());
    if (existing != nullptr && existing->is_table() && node.is_table()) {
      merge_into(*existing->as_table(), std::move(*node.as_table()));
    } else {
      into.insert_or_assign(k, std::move(node));
    }
  }
}

Result<toml::table> parse_override(const std::string& item) {
  auto eq = item.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument("override '" + item + "' is not key=value");
  }
  const std::string key = item.substr(0, eq);
  const std::string value = item.substr(eq + 1);
  try {
    return toml::parse(std::string_view(key + " = " + value), std::string_view("command line"));
  } catch (const toml::parse_error&) {
    // Not a TOML value: take it as a string, so `--set host=node-1` works.
    std::string quoted;
    for (char c : value) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    try {
      return toml::parse(std::string_view(key + " = \"" + quoted + "\""), std::string_view("command line"));
    } catch (const toml::parse_error& e) {
      return Status::InvalidArgument("override '" + item + "': " + std::string(e.description()));
    }
  }
}

Status build(const toml::table& root, Config& cfg) {
  SectionReader top(root, "");
  if (Status s = top.read("host", cfg.host); !s.ok()) return s;
  if (Status s = top.read("data_dir", cfg.data_dir); !s.ok()) return s;
  if (Status s = top.read("log_level", cfg.log_level); !s.ok()) return s;
  if (Status s = top.read_in_range("service_down_time", cfg.service_down_time, 0.01, 86400); !s.ok()) return s;
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (kLevels.count(cfg.log_level) == 0) {
    const toml::node* n = root.get("log_level");
    return Status::InvalidArgument((n ? origin_of(n->source()) + ": " : std::string()) + "key 'log_level' must be one of trace, debug, info, warn, error, critical, off; got '" +
                                   cfg.log_level + "'");
  }
  Status s = top.read_table("api", [&](const toml::table& t, const std::string& prefix) {
    SectionReader r(t, prefix);
    if (Status st = r.read("listen", cfg.api.listen); !st.ok()) return st;
    if (Status st = r.read("auth_strategy", cfg.api.auth_strategy); !st.ok()) return st;
    if (Status st = r.read("admin_token", cfg.api.admin_token); !st.ok()) return st;
    if (Status st = r.read("public_url", cfg.api.public_url); !st.ok()) return st;
    if (Status st = r.read("dashboard_dir", cfg.api.dashboard_dir); !st.ok()) return st;
    if (Status st = r.read_in_range("request_head_time", cfg.api.request_head_time, 0.1, 3600); !st.ok()) return st;
    if (Status st = r.read_in_range("body_min_rate", cfg.api.body_min_rate, 1, std::int64_t{1} << 30); !st.ok()) return st;
    if (cfg.api.auth_strategy != "keystone" && cfg.api.auth_strategy != "noauth" && cfg.api.auth_strategy != "token") {
      return Status::InvalidArgument(origin_of(t.get("auth_strategy")->source()) +
                                     ": key 'api.auth_strategy' must be \"keystone\", \"noauth\" or \"token\", got '" +
                                     cfg.api.auth_strategy + "'");
    }
    if (!cfg.api.public_url.empty() && cfg.api.public_url.rfind("http://", 0) != 0 &&
        cfg.api.public_url.rfind("https://", 0) != 0) {
      return Status::InvalidArgument(origin_of(t.get("public_url")->source()) +
                                     ": key 'api.public_url' must start with http:// or https://, got '" +
                                     cfg.api.public_url + "'");
    }
    if (cfg.api.auth_strategy == "token" && cfg.api.admin_token.empty()) {
      return Status::InvalidArgument(origin_of(t.source()) +
                                     ": api.auth_strategy = \"token\" needs a non-empty api.admin_token");
    }
    return r.finish();
  });
  if (!s.ok()) return s;
  s = top.read_table("identity", [&](const toml::table& t, const std::string& prefix) {
    SectionReader r(t, prefix);
    if (Status st = r.read_in_range("token_expiration", cfg.identity.token_expiration, 1, 31536000); !st.ok()) return st;
    return r.finish();
  });
  if (!s.ok()) return s;
  s = top.read_table("database", [&](const toml::table& t, const std::string& prefix) {
    SectionReader r(t, prefix);
    if (Status st = r.read("connection", cfg.database.connection); !st.ok()) return st;
    if (Status st = r.read_in_range("pool_size", cfg.database.pool_size, 1, 64); !st.ok()) return st;
    if (!cfg.database.connection.empty() && cfg.database.connection.rfind("postgresql://", 0) != 0 &&
        cfg.database.connection.rfind("postgres://", 0) != 0) {
      return Status::InvalidArgument(origin_of(t.get("connection")->source()) +
                                     ": key 'database.connection' must be empty (SQLite in data_dir) or a "
                                     "postgresql:// URL");
    }
    return r.finish();
  });
  if (!s.ok()) return s;
  s = top.read_table("plugins", [&](const toml::table& t, const std::string& prefix) {
    SectionReader r(t, prefix);
    if (Status st = r.read("paths", cfg.plugins.paths); !st.ok()) return st;
    return r.finish();
  });
  if (!s.ok()) return s;
  s = top.read_table("compute", [&](const toml::table& t, const std::string& prefix) {
    SectionReader r(t, prefix);
    if (Status st = r.read("driver", cfg.compute.driver); !st.ok()) return st;
    if (Status st = r.read_in_range("max_concurrent_builds", cfg.compute.max_concurrent_builds, 1, 10000); !st.ok()) return st;
    if (Status st = r.read_in_range("heartbeat_interval", cfg.compute.heartbeat_interval, 0.01, 3600); !st.ok()) return st;
    if (Status st = r.read_in_range("resource_report_interval", cfg.compute.resource_report_interval, 0.01, 86400); !st.ok()) return st;
    if (Status st = r.read_in_range("sync_power_state_interval", cfg.compute.sync_power_state_interval, 0, 86400); !st.ok()) return st;
    if (Status st = r.read_in_range("reclaim_instance_interval", cfg.compute.reclaim_instance_interval, 0, 31536000); !st.ok()) return st;
    if (Status st = r.read_in_range("shelved_offload_time", cfg.compute.shelved_offload_time, -1, 31536000); !st.ok()) return st;
    if (Status st = r.read("image_api_url", cfg.compute.image_api_url); !st.ok()) return st;
    if (Status st = r.read("image_download_path", cfg.compute.image_download_path); !st.ok()) return st;
    return r.finish();
  });
  if (!s.ok()) return s;
  s = top.read_table("image", [&](const toml::table& t, const std::string& prefix) {
    SectionReader r(t, prefix);
    if (Status st = r.read("store_path", cfg.image.store_path); !st.ok()) return st;
    if (Status st = r.read_in_range("max_image_size", cfg.image.max_image_size, 1, std::int64_t{1} << 50); !st.ok()) return st;
    return r.finish();
  });
  if (!s.ok()) return s;
  s = top.read_table("scheduler", [&](const toml::table& t, const std::string& prefix) {
    SectionReader r(t, prefix);
    if (Status st = r.read("enabled_filters", cfg.scheduler.enabled_filters); !st.ok()) return st;
    if (Status st = r.read("weighers", cfg.scheduler.weighers); !st.ok()) return st;
    if (Status st = r.read_in_range("host_subset_size", cfg.scheduler.host_subset_size, 1, 1000); !st.ok()) return st;
    if (Status st = r.read_in_range("max_attempts", cfg.scheduler.max_attempts, 1, 100); !st.ok()) return st;
    return r.finish();
  });
  if (!s.ok()) return s;
  s = top.read_table("upgrade_levels", [&](const toml::table& t, const std::string& prefix) {
    SectionReader r(t, prefix);
    for (auto [key, value] : {std::pair{"compute", &cfg.upgrade_levels.compute},
                              std::pair{"conductor", &cfg.upgrade_levels.conductor},
                              std::pair{"scheduler", &cfg.upgrade_levels.scheduler}}) {
      if (Status st = r.read_version_cap(key, *value); !st.ok()) return st;
    }
    return r.finish();
  });
  if (!s.ok()) return s;
  s = top.read_table("conductor", [&](const toml::table& t, const std::string& prefix) {
    SectionReader r(t, prefix);
    if (Status st = r.read_in_range("lost_build_timeout", cfg.conductor.lost_build_timeout, 0, 31536000); !st.ok()) return st;
    if (Status st = r.read_in_range("instance_build_timeout", cfg.conductor.instance_build_timeout, 0, 31536000); !st.ok()) return st;
    if (Status st = r.read_in_range("task_timeout", cfg.conductor.task_timeout, 0, 31536000); !st.ok()) return st;
    if (Status st = r.read_in_range("stuck_check_interval", cfg.conductor.stuck_check_interval, 0, 86400); !st.ok()) return st;
    if (Status st = r.read_in_range("max_build_resends", cfg.conductor.max_build_resends, 0, 100); !st.ok()) return st;
    return r.finish();
  });
  if (!s.ok()) return s;
  s = top.read_table("metrics", [&](const toml::table& t, const std::string& prefix) {
    SectionReader r(t, prefix);
    if (Status st = r.read("listen", cfg.metrics.listen); !st.ok()) return st;
    if (Status st = r.read("on_api_port", cfg.metrics.on_api_port); !st.ok()) return st;
    if (!cfg.metrics.listen.empty() && !is_host_port(cfg.metrics.listen)) {
      return Status::InvalidArgument(origin_of(t.get("listen")->source()) +
                                     ": key 'metrics.listen' must be HOST:PORT with a port from 0 to 65535 "
                                     "(0 picks a free one), got '" + cfg.metrics.listen + "'");
    }
    return r.finish();
  });
  if (!s.ok()) return s;
  s = top.read_table("rpc", [&](const toml::table& t, const std::string& prefix) {
    SectionReader r(t, prefix);
    if (Status st = r.read("router", cfg.rpc.router); !st.ok()) return st;
    if (Status st = r.read("bind", cfg.rpc.bind); !st.ok()) return st;
    if (Status st = r.read_in_range("call_timeout", cfg.rpc.call_timeout, 0.01, 3600); !st.ok()) return st;
    if (Status st = r.read_in_range("heartbeat_ms", cfg.rpc.heartbeat_ms, 10, 600000); !st.ok()) return st;
    if (Status st = r.read("keys_dir", cfg.rpc.keys_dir); !st.ok()) return st;
    return r.finish();
  });
  if (!s.ok()) return s;
  for (sdk::PluginKind kind : {sdk::PluginKind::kVirtDriver, sdk::PluginKind::kSchedulerFilter,
                               sdk::PluginKind::kSchedulerWeigher}) {
    s = top.read_table(plugin_section_name(kind), [&](const toml::table& t, const std::string& prefix) {
      for (const auto& [name, node] : t) {
        const std::string section = prefix + "." + std::string(name.str());
        if (!node.is_table()) {
          return Status::InvalidArgument(origin_of(node.source()) + ": key '" + section +
                                         "' must be a table, e.g. [" + section + "]");
        }
        sdk::PluginConfig pc("[" + section + "]");
        if (Status st = flatten_plugin_table(*node.as_table(), "", section, pc); !st.ok()) return st;
        cfg.plugin_tables[{kind, std::string(name.str())}] = std::move(pc);
      }
      return Status::OK();
    });
    if (!s.ok()) return s;
  }
  return top.finish();
}

}  // namespace

sdk::PluginConfig Config::plugin_config(sdk::PluginKind kind, const std::string& name) const {
  auto it = plugin_tables.find({kind, name});
  if (it != plugin_tables.end()) return it->second;
  return sdk::PluginConfig("[" + std::string(plugin_section_name(kind)) + "." + name + "]");
}

Result<Config> load_config(const std::optional<fs::path>& file, const std::vector<std::string>& overrides) {
  Config cfg;
  cfg.host = hostname();
  toml::table root;
  if (file.has_value()) {
    std::error_code ec;
    if (!fs::exists(*file, ec)) return Status::NotFound("config file " + file->string() + " does not exist");
    try {
      root = toml::parse_file(file->string());
    } catch (const toml::parse_error& e) {
      return Status::InvalidArgument(origin_of(e.source()) + ": " + std::string(e.description()));
    }
    cfg.source = file->string();
  }
  for (const auto& item : overrides) {
    auto parsed = parse_override(item);
    if (!parsed.ok()) return parsed.status();
    merge_into(root, std::move(parsed.value()));
  }
  if (Status s = build(root, cfg); !s.ok()) return s;
  return cfg;
}

}  // namespace stratus::core
