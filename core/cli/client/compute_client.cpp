#include "core/cli/client/compute_client.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include <httplib.h>

namespace stratus::core::client {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

namespace {

std::string reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "HTTP error";
  }
}

Status status_for_http(int http_status, std::string message) {
  switch (http_status) {
    case 404: return Status::NotFound(std::move(message));
    case 409: return Status::Conflict(std::move(message));
    case 400:
    case 413:
    case 422: return Status::InvalidArgument(std::move(message));
    case 406:
    case 501: return Status::NotSupported(std::move(message));
    case 503: return Status::Unavailable(std::move(message));
    case 401:
    case 403: return Status::InvalidState(std::move(message));
    default: return Status::Internal(std::move(message));
  }
}

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::string transport_error(httplib::Error error, const std::string& url) {
  switch (error) {
    case httplib::Error::Connection:
      return "cannot connect to " + url + ": connection refused or host unreachable (is the API running? set " +
             "--os-compute-url or $STRATUS_URL)";
    case httplib::Error::ConnectionTimeout: return "timed out connecting to " + url;
    case httplib::Error::Read: return "no answer from " + url + " (connection closed or read timed out)";
    case httplib::Error::Write: return "could not send the request to " + url;
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification: return "TLS failure talking to " + url;
    default: return "request to " + url + " failed: " + httplib::to_string(error);
  }
}

}  // namespace

std::string url_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

Result<ComputeUrl> parse_compute_url(const std::string& url) {
  static const std::regex re(R"(^(https?://[^/\s?#]+)(/[^\s?#]*)?$)", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(url, m, re)) {
    return Status::InvalidArgument("invalid compute URL '" + url + "': expected http(s)://host[:port][/path]");
  }
  ComputeUrl out{m[1].str(), m[2].matched ? m[2].str() : ""};
  while (!out.path_prefix.empty() && out.path_prefix.back() == '/') out.path_prefix.pop_back();
  return out;
}

std::string decode_nova_error(int http_status, const std::string& body) {
  const std::string prefix = std::to_string(http_status) + " ";
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    // {"itemNotFound": {"code": 404, "message": "..."}}: one member holding the fault.
    for (const auto& [name, fault] : parsed.items()) {
      if (fault.is_object() && fault.contains("message") && fault["message"].is_string()) {
        return prefix + fault["message"].get<std::string>();
      }
    }
    if (parsed.contains("message") && parsed["message"].is_string()) {
      return prefix + parsed["message"].get<std::string>();
    }
  }
  std::string text = trim(body);
  if (!text.empty() && !parsed.is_object()) {
    if (text.size() > 300) text = text.substr(0, 300) + "...";
    return prefix + text;
  }
  return prefix + reason_phrase(http_status);
}

ComputeClient::ComputeClient(ClientOptions options, ComputeUrl url)
    : options_(std::move(options)),
      url_(std::move(url)),
      http_(std::make_unique<httplib::Client>(url_.scheme_host_port)),
      request_timeout_(options_.timeout) {
  http_->set_keep_alive(true);
  set_request_timeout(options_.timeout);
}

ComputeClient::~ComputeClient() = default;

Result<std::unique_ptr<ComputeClient>> ComputeClient::create(ClientOptions options) {
  auto url = parse_compute_url(options.compute_url);
  if (!url.ok()) return url.status();
  if (options.timeout.count() <= 0) return Status::InvalidArgument("--timeout must be positive");
  const std::string text = options.compute_url;
  try {
    return std::unique_ptr<ComputeClient>(new ComputeClient(std::move(options), std::move(*url)));
  } catch (const std::exception& e) {
    return Status::InvalidArgument("cannot use compute URL '" + text + "': " + e.what());
  }
}

void ComputeClient::set_request_timeout(std::chrono::milliseconds timeout) {
  request_timeout_ = std::clamp(timeout, std::chrono::milliseconds(1), options_.timeout);
  const auto sec = static_cast<time_t>(request_timeout_.count() / 1000);
  const auto usec = static_cast<time_t>((request_timeout_.count() % 1000) * 1000);
  http_->set_connection_timeout(sec, usec);
  http_->set_read_timeout(sec, usec);
  http_->set_write_timeout(sec, usec);
}

Result<json> ComputeClient::get(const std::string& path, const Query& query) {
  return send("GET", path, query, nullptr, std::nullopt);
}

Result<json> ComputeClient::post(const std::string& path, const json& body,
                                 const std::optional<std::string>& microversion) {
  return send("POST", path, {}, &body, microversion);
}

Result<json> ComputeClient::del(const std::string& path) { return send("DELETE", path, {}, nullptr, std::nullopt); }

Result<json> ComputeClient::send(const std::string& method, const std::string& path, const Query& query,
                                 const json* body, const std::optional<std::string>& microversion) {
  std::string target = url_.path_prefix + path;
  for (size_t i = 0; i < query.size(); ++i) {
    target += (i == 0 ? "?" : "&") + url_encode(query[i].first) + "=" + url_encode(query[i].second);
  }
  const std::string version = microversion.value_or(options_.microversion);
  httplib::Headers headers = {{"Accept", "application/json"},
                              {"User-Agent", "stratus-cli/0.1.0"},
                              {"OpenStack-API-Version", "compute " + version},
                              {"X-OpenStack-Nova-API-Version", version}};
  if (options_.token && !options_.token->empty()) headers.emplace("X-Auth-Token", *options_.token);

  const auto call = [&]() -> httplib::Result {
    if (method == "GET") return http_->Get(target, headers);
    if (method == "POST") return http_->Post(target, headers, body ? body->dump() : std::string("{}"), "application/json");
    return http_->Delete(target, headers);
  };
  std::optional<httplib::Result> attempt;
  try {
    attempt.emplace(call());
  } catch (const std::exception& e) {
    return Status::Internal(method + " " + url_.scheme_host_port + target + " failed: " + e.what());
  }
  httplib::Result& res = *attempt;
  if (!res) {
    const auto error = res.error();
    const std::string message = transport_error(error, options_.compute_url);
    if (error == httplib::Error::ConnectionTimeout || error == httplib::Error::Read) return Status::Timeout(message);
    return Status::Unavailable(message);
  }
  if (res->status < 200 || res->status >= 300) {
    return status_for_http(res->status, decode_nova_error(res->status, res->body));
  }
  if (trim(res->body).empty()) return json(nullptr);
  json parsed = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status::Internal("the answer to " + method + " " + target + " is not JSON: " + res->body.substr(0, 200));
  }
  return parsed;
}

Result<std::vector<json>> ComputeClient::list_all(const std::string& path, const std::string& key, Query query,
                                                  int max_pages) {
  std::vector<json> items;
  for (int page = 0; page < max_pages; ++page) {
    auto reply = get(path, query);
    if (!reply.ok()) return reply.status();
    if (!reply->is_object() || !reply->contains(key) || !(*reply)[key].is_array()) {
      return Status::Internal("the answer to GET " + path + " has no '" + key + "' list");
    }
    const auto& page_items = (*reply)[key];
    for (const auto& item : page_items) items.push_back(item);
    bool has_next = false;
    const std::string links_key = key + "_links";
    if (reply->contains(links_key) && (*reply)[links_key].is_array()) {
      for (const auto& link : (*reply)[links_key]) {
        if (link.is_object() && link.value("rel", "") == "next") has_next = true;
      }
    }
    if (!has_next || page_items.empty() || !page_items.back().contains("id")) return items;
    const auto& last = page_items.back()["id"];
    const std::string marker = last.is_string() ? last.get<std::string>() : last.dump();
    std::erase_if(query, [](const auto& kv) { return kv.first == "marker"; });
    query.emplace_back("marker", marker);
  }
  return items;
}

}  // namespace stratus::core::client
