// Encoding and strict decoding of the fake host's guests (guest_records.h).
#include "guest_records.h"

#include <exception>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

namespace stratus::drivers::fake {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "stratus-fake-guests";
constexpr std::int64_t kVersion = 1;

constexpr sdk::PowerState kStates[] = {sdk::PowerState::kNoState,  sdk::PowerState::kRunning,
                                       sdk::PowerState::kPaused,   sdk::PowerState::kShutdown,
                                       sdk::PowerState::kCrashed,  sdk::PowerState::kSuspended};

json encode_flavor(const sdk::Flavor& f) {
  return json{{"id", f.id},
              {"name", f.name},
              {"vcpus", f.vcpus},
              {"memory_mb", f.memory_mb},
              {"root_gb", f.root_gb},
              {"ephemeral_gb", f.ephemeral_gb},
              {"swap_mb", f.swap_mb},
              {"rxtx_factor", f.rxtx_factor},
              {"is_public", f.is_public},
              {"extra_specs", f.extra_specs}};
}

json encode_vif(const sdk::Vif& v) {
  return json{{"id", v.id},           {"address", v.address}, {"network_id", v.network_id},
              {"network_name", v.network_name}, {"bridge", v.bridge},   {"type", v.type},
              {"fixed_ips", v.fixed_ips}, {"mtu", v.mtu}};
}

json encode_guest(const GuestRecord& g) {
  json vifs = json::array();
  for (const sdk::Vif& v : g.info.network_info) vifs.push_back(encode_vif(v));
  return json{{"uuid", g.info.uuid},
              {"name", g.info.name},
              {"hostname", g.hostname},
              {"state", sdk::power_state_name(g.info.state)},
              {"image_id", g.info.image_id},
              {"flavor", encode_flavor(g.info.flavor)},
              {"boot_count", g.info.boot_count},
              {"rebuild_count", g.info.rebuild_count},
              {"injected_files", g.info.injected_files},
              {"config_drive", g.info.config_drive},
              {"network_info", std::move(vifs)},
              {"cpu_time_ns", g.cpu_time_ns},
              {"rescue_image_id", g.info.rescue_image_id}};
}

// Reads one member of `object` with a clear message when it is missing or of
// the wrong type; `where` says whose member it is ("guest 3").
class Reader {
 public:
  Reader(const json& object, std::string where) : object_(object), where_(std::move(where)) {}

  sdk::Status error() const { return error_; }

  const json* member(const char* key, json::value_t type, const char* type_name) {
    if (!error_.ok()) return nullptr;
    auto it = object_.find(key);
    if (it == object_.end()) {
      error_ = sdk::Status::InvalidArgument(where_ + ": '" + key + "' is missing");
      return nullptr;
    }
    const bool number_ok = type == json::value_t::number_float && it->is_number();
    const bool unsigned_ok = type == json::value_t::number_integer && it->is_number_unsigned();
    if (it->type() != type && !number_ok && !unsigned_ok) {
      error_ = sdk::Status::InvalidArgument(where_ + ": '" + key + "' is not " + type_name);
      return nullptr;
    }
    return &*it;
  }

  void string(const char* key, std::string& out) {
    if (const json* v = member(key, json::value_t::string, "a string")) out = v->get<std::string>();
  }
  void boolean(const char* key, bool& out) {
    if (const json* v = member(key, json::value_t::boolean, "a boolean")) out = v->get<bool>();
  }
  void number(const char* key, double& out) {
    if (const json* v = member(key, json::value_t::number_float, "a number")) out = v->get<double>();
  }
  // An integer within [lo, hi].
  template <typename T>
  void integer(const char* key, T& out, std::int64_t lo, std::int64_t hi) {
    const json* v = member(key, json::value_t::number_integer, "an integer");
    if (v == nullptr) return;
    const bool fits = v->is_number_unsigned() ? v->get<std::uint64_t>() <= static_cast<std::uint64_t>(hi)
                                              : (v->get<std::int64_t>() >= lo && v->get<std::int64_t>() <= hi);
    if (!fits) {
      error_ = sdk::Status::InvalidArgument(where_ + ": '" + key + "' is out of range");
      return;
    }
    out = static_cast<T>(v->is_number_unsigned() ? static_cast<std::int64_t>(v->get<std::uint64_t>())
                                                  : v->get<std::int64_t>());
  }
  void strings(const char* key, std::vector<std::string>& out) {
    const json* v = member(key, json::value_t::array, "an array");
    if (v == nullptr) return;
    for (const json& item : *v) {
      if (!item.is_string()) {
        error_ = sdk::Status::InvalidArgument(where_ + ": '" + key + "' has an item that is not a string");
        return;
      }
      out.push_back(item.get<std::string>());
    }
  }
  void string_map(const char* key, std::map<std::string, std::string>& out) {
    const json* v = member(key, json::value_t::object, "an object");
    if (v == nullptr) return;
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (!it->is_string()) {
        error_ = sdk::Status::InvalidArgument(where_ + ": '" + key + "." + it.key() + "' is not a string");
        return;
      }
      out[it.key()] = it->get<std::string>();
    }
  }
  void power_state(const char* key, sdk::PowerState& out) {
    std::string name;
    string(key, name);
    if (!error_.ok()) return;
    for (sdk::PowerState s : kStates) {
      if (sdk::power_state_name(s) == name) {
        out = s;
        return;
      }
    }
    error_ = sdk::Status::InvalidArgument(where_ + ": '" + key + "' is '" + name + "', not a power state");
  }
  // A nested object, read by `read(Reader&)`.
  template <typename F>
  void object(const char* key, F&& read) {
    const json* v = member(key, json::value_t::object, "an object");
    if (v == nullptr) return;
    Reader inner(*v, where_ + " " + key);
    read(inner);
    if (!inner.error().ok()) error_ = inner.error();
  }

 private:
  const json& object_;
  std::string where_;
  sdk::Status error_ = sdk::Status::OK();
};

constexpr std::int64_t kBig = std::int64_t{1} << 50;
constexpr std::int64_t kInt32Max = 2147483647;

void read_flavor(Reader& r, sdk::Flavor& f) {
  r.string("id", f.id);
  r.string("name", f.name);
  r.integer("vcpus", f.vcpus, 0, kInt32Max);
  r.integer("memory_mb", f.memory_mb, 0, kBig);
  r.integer("root_gb", f.root_gb, 0, kBig);
  r.integer("ephemeral_gb", f.ephemeral_gb, 0, kBig);
  r.integer("swap_mb", f.swap_mb, 0, kBig);
  r.number("rxtx_factor", f.rxtx_factor);
  r.boolean("is_public", f.is_public);
  r.string_map("extra_specs", f.extra_specs);
}

void read_vif(Reader& r, sdk::Vif& v) {
  r.string("id", v.id);
  r.string("address", v.address);
  r.string("network_id", v.network_id);
  r.string("network_name", v.network_name);
  r.string("bridge", v.bridge);
  r.string("type", v.type);
  r.strings("fixed_ips", v.fixed_ips);
  r.integer("mtu", v.mtu, 0, kInt32Max);
}

sdk::Status read_guest(const json& item, std::size_t index, GuestRecord& g) {
  const std::string where = "guest " + std::to_string(index);
  if (!item.is_object()) return sdk::Status::InvalidArgument(where + ": not an object");
  Reader r(item, where);
  r.string("uuid", g.info.uuid);
  r.string("name", g.info.name);
  r.string("hostname", g.hostname);
  r.power_state("state", g.info.state);
  r.string("image_id", g.info.image_id);
  r.object("flavor", [&](Reader& f) { read_flavor(f, g.info.flavor); });
  r.integer("boot_count", g.info.boot_count, 0, 4294967295);
  r.integer("rebuild_count", g.info.rebuild_count, 0, 4294967295);
  r.integer("injected_files", g.info.injected_files, 0, kBig);
  r.boolean("config_drive", g.info.config_drive);
  if (const json* vifs = r.member("network_info", json::value_t::array, "an array")) {
    for (std::size_t i = 0; i < vifs->size(); ++i) {
      const json& v = (*vifs)[i];
      if (!v.is_object()) return sdk::Status::InvalidArgument(where + ": network_info " + std::to_string(i) + " is not an object");
      Reader vr(v, where + " network_info " + std::to_string(i));
      read_vif(vr, g.info.network_info.emplace_back());
      if (!vr.error().ok()) return vr.error();
    }
  }
  r.integer("cpu_time_ns", g.cpu_time_ns, 0, std::numeric_limits<std::int64_t>::max());
  // Files written before rescue existed have no such member: not rescued.
  if (item.contains("rescue_image_id")) r.string("rescue_image_id", g.info.rescue_image_id);
  if (!r.error().ok()) return r.error();
  if (g.info.uuid.empty()) return sdk::Status::InvalidArgument(where + ": 'uuid' is empty");
  return sdk::Status::OK();
}

}  // namespace

std::string encode_guest_records(const std::string& host, const std::vector<GuestRecord>& guests) {
  json list = json::array();
  for (const GuestRecord& g : guests) list.push_back(encode_guest(g));
  const json doc{{"format", kFormat}, {"version", kVersion}, {"host", host}, {"guests", std::move(list)}};
  return doc.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

sdk::Result<std::vector<GuestRecord>> decode_guest_records(const std::string& text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const std::exception& e) {
    return sdk::Status::InvalidArgument(std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) return sdk::Status::InvalidArgument("not a JSON object");
  std::string format;
  std::int64_t version = 0;
  Reader r(doc, "document");
  r.string("format", format);
  r.integer("version", version, 0, kBig);
  if (!r.error().ok()) return r.error();
  if (format != kFormat) return sdk::Status::InvalidArgument("format is '" + format + "', not '" + kFormat + "'");
  if (version != kVersion) {
    return sdk::Status::InvalidArgument("version " + std::to_string(version) + " is not the supported " +
                                        std::to_string(kVersion));
  }
  const json* list = r.member("guests", json::value_t::array, "an array");
  if (list == nullptr) return r.error();
  std::vector<GuestRecord> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list->size(); ++i) {
    GuestRecord g;
    if (sdk::Status s = read_guest((*list)[i], i, g); !s.ok()) return s;
    if (!seen.insert(g.info.uuid).second) {
      return sdk::Status::InvalidArgument("guest " + std::to_string(i) + ": uuid " + g.info.uuid + " is listed twice");
    }
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace stratus::drivers::fake
