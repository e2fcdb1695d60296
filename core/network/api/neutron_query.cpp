#include "core/network/api/neutron_query.h"

#include <algorithm>
#include <map>
#include <optional>

#include "core/network/api/neutron_error.h"
#include "core/http/url_encoding.h"

namespace stratus::core::api::network {

namespace {

using nlohmann::json;

const std::set<std::string>& not_filters() {
  static const std::set<std::string> kNames = {"fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse"};
  return kNames;
}

std::optional<bool> parse_bool(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return std::nullopt;
}

// Whether `attribute` of a view matches one filter value; nullopt when the
// value cannot be compared (a boolean filter given "banana").
std::optional<bool> matches(const std::string& key, const json& attribute, const std::string& value) {
  if (attribute.is_string()) return attribute.get<std::string>() == value;
  if (attribute.is_boolean()) {
    auto b = parse_bool(value);
    if (!b) return std::nullopt;
    return attribute.get<bool>() == *b;
  }
  if (attribute.is_number()) return attribute.dump() == value;
  if (attribute.is_null()) return value.empty();
  if (attribute.is_array()) {
    if (key == "fixed_ips") {
      // "ip_address=10.0.0.3" or "subnet_id=<uuid>"
      auto eq = value.find('=');
      if (eq == std::string::npos) return std::nullopt;
      const std::string field = value.substr(0, eq);
      const std::string want = value.substr(eq + 1);
      if (field != "ip_address" && field != "subnet_id") return std::nullopt;
      return std::any_of(attribute.begin(), attribute.end(), [&](const json& ip) {
        return ip.value(field, std::string()) == want;
      });
    }
    return std::any_of(attribute.begin(), attribute.end(),
                       [&](const json& item) { return item.is_string() && item.get<std::string>() == value; });
  }
  return std::nullopt;
}

json select_fields(const ApiRequest& req, const json& view) {
  auto range = req.query.equal_range("fields");
  if (range.first == range.second) return view;
  json out = json::object();
  for (auto it = range.first; it != range.second; ++it) {
    if (view.contains(it->second)) out[it->second] = view[it->second];
  }
  return out;
}

}  // namespace

std::set<std::string> attribute_names(const nlohmann::json& view) {
  std::set<std::string> out;
  for (const auto& [k, v] : view.items()) out.insert(k);
  return out;
}

ApiResponse list_reply(const ApiRequest& req, const std::string& collection, const std::string& resource,
                       const std::set<std::string>& attributes, const std::vector<nlohmann::json>& views) {
  std::map<std::string, std::vector<std::string>> filters;
  for (const auto& [k, v] : req.query) {
    if (not_filters().count(k) != 0) continue;
    if (attributes.count(k) == 0) return bad_request("['" + k + "'] is invalid attribute for filtering");
    filters[k].push_back(v);
  }

  std::optional<std::size_t> limit;
  if (auto text = req.query_param("limit")) {
    if (text->empty() || text->size() > 9 || text->find_first_not_of("0123456789") != std::string::npos) {
      return bad_request("Invalid input for limit. Reason: '" + *text + "' is not a non-negative integer.");
    }
    // Neutron treats limit=0 as no limit.
    if (std::stoul(*text) > 0) limit = std::stoul(*text);
  }

  std::vector<json> kept;
  for (const auto& view : views) {
    bool keep = true;
    for (const auto& [key, values] : filters) {
      bool any = false;
      for (const auto& value : values) {
        auto m = matches(key, view.contains(key) ? view[key] : json(), value);
        if (!m) {
          return bad_request("Invalid input for " + key + ". Reason: '" + value + "' is not a valid value for it.");
        }
        any = any || *m;
      }
      keep = keep && any;
    }
    if (keep) kept.push_back(view);
  }

  std::size_t begin = 0;
  if (auto marker = req.query_param("marker")) {
    auto at = std::find_if(kept.begin(), kept.end(), [&](const json& v) { return v.value("id", "") == *marker; });
    if (at == kept.end()) return not_found(resource, *marker);
    begin = static_cast<std::size_t>(at - kept.begin()) + 1;
  }
  std::size_t end = kept.size();
  if (limit) end = std::min(end, begin + *limit);

  json items = json::array();
  for (std::size_t i = begin; i < end; ++i) items.push_back(select_fields(req, kept[i]));
  json body = {{collection, std::move(items)}};
  if (limit && end - begin == *limit && end > begin) {
    // The same query with the marker moved on, as Neutron links it.
    std::string query;
    for (const auto& [k, v] : req.query) {
      if (k == "marker") continue;
      query += (query.empty() ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
    }
    query += (query.empty() ? "?" : "&") + std::string("marker=") + url_encode(kept[end - 1].value("id", ""));
    body[collection + "_links"] = json::array({{{"href", req.base_url + req.path + query}, {"rel", "next"}}});
  }
  return ApiResponse{200, std::move(body), {}};
}

ApiResponse show_reply(const ApiRequest& req, const std::string& member, const nlohmann::json& view,
                       int http_status) {
  return ApiResponse{http_status, {{member, select_fields(req, view)}}, {}};
}

}  // namespace stratus::core::api::network
