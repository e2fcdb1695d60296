// Neutron's query parameters on list and show requests, applied to views a
// controller has already built and authorised:
//   - filters: any attribute of the resource, repeatable (name=a&name=b is
//     either); booleans as true/false; a list attribute matches when it
//     holds the value; fixed_ips=ip_address=X / fixed_ips=subnet_id=X on ports.
//     An attribute the resource does not have is a 400, as Neutron's filter
//     validation answers.
//   - fields=a&fields=b: only those attributes (unknown names are ignored).
//   - limit=N and marker=ID: a page after the item ID, with a
//     "<collection>_links" next link when the page is full.
//   - sort_key / sort_dir / page_reverse are accepted and ignored: lists are
//     in creation order.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/http/api_server.h"

namespace stratus::core::api::network {

// The reply to a list request: {"<collection>": [...]} after filters,
// marker, limit and fields, or a 400/404 in Neutron's format. `attributes`
// are the names a filter may use (the keys of the caller's view);
// `resource` names the marker's kind in a 404 ("Network").
ApiResponse list_reply(const ApiRequest& req, const std::string& collection, const std::string& resource,
                       const std::set<std::string>& attributes, const std::vector<nlohmann::json>& views);

// The reply to a show request: {"<member>": view} with fields= applied.
ApiResponse show_reply(const ApiRequest& req, const std::string& member, const nlohmann::json& view,
                       int http_status = 200);

// The keys of a JSON object.
std::set<std::string> attribute_names(const nlohmann::json& view);

}  // namespace stratus::core::api::network
