#include "core/cli/client/resource_lookup.h"

#include <cctype>
#include <string_view>
#include <vector>

namespace stratus::core::client {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

namespace {

std::string id_of(const json& item) {
  if (!item.is_object() || !item.contains("id")) return "";
  const auto& id = item["id"];
  return id.is_string() ? id.get<std::string>() : id.dump();
}

// Keeps the items named exactly `name`; 0 -> not found, >1 -> ambiguous.
Result<json> exactly_one(const std::vector<json>& items, const std::string& kind, const std::string& name) {
  std::vector<json> matches;
  for (const auto& item : items) {
    if (item.is_object() && item.value("name", json()).is_string() && item["name"].get<std::string>() == name) {
      matches.push_back(item);
    }
  }
  if (matches.empty()) return Status::NotFound("No " + kind + " with a name or ID of '" + name + "' exists.");
  if (matches.size() > 1) {
    std::string ids;
    for (const auto& m : matches) ids += (ids.empty() ? "" : ", ") + id_of(m);
    return Status::InvalidArgument("More than one " + kind + " exists with the name '" + name + "': " + ids);
  }
  return matches.front();
}

}  // namespace

bool is_uuid_like(const std::string& text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::string regex_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::string_view(R"(\^$.|?*+()[]{})").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

Result<std::string> resolve_server(ComputeClient& client, const std::string& name_or_id) {
  if (is_uuid_like(name_or_id)) {
    auto found = client.get("/servers/" + name_or_id);
    if (found.ok()) {
      if (found->is_object() && found->contains("server")) return id_of((*found)["server"]);
      return Status::Internal("the answer to GET /servers/" + name_or_id + " has no 'server'");
    }
    if (found.status().code() != sdk::StatusCode::kNotFound) return found.status();
  }
  auto listed = client.list_all("/servers", "servers", {{"name", "^" + regex_escape(name_or_id) + "$"}});
  if (!listed.ok()) return listed.status();
  auto one = exactly_one(*listed, "server", name_or_id);
  if (!one.ok()) return one.status();
  return id_of(*one);
}

Result<json> resolve_flavor(ComputeClient& client, const std::string& name_or_id) {
  auto found = client.get("/flavors/" + url_encode(name_or_id));
  if (found.ok() && found->is_object() && found->contains("flavor")) return (*found)["flavor"];
  if (!found.ok() && found.status().code() != sdk::StatusCode::kNotFound) return found.status();
  // As novaclient's find_resource: is_public=None, so an admin also finds
  // private flavors their project was not given (Nova lets an admin boot
  // them); for anyone else Nova ignores it and lists the public flavors and
  // the private ones their project may use.
  auto listed = client.list_all("/flavors/detail", "flavors", {{"is_public", "None"}});
  if (!listed.ok()) return listed.status();
  return exactly_one(*listed, "flavor", name_or_id);
}

Result<json> resolve_image(ComputeClient& client, const std::string& name_or_id) {
  if (is_uuid_like(name_or_id)) {
    auto found = client.get("/images/" + name_or_id);
    if (found.ok() && found->is_object() && found->contains("image")) return (*found)["image"];
    if (!found.ok() && found.status().code() != sdk::StatusCode::kNotFound) return found.status();
  }
  auto listed = client.list_all("/images/detail", "images");
  if (!listed.ok()) return listed.status();
  return exactly_one(*listed, "image", name_or_id);
}

}  // namespace stratus::core::client
