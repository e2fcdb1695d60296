#include "core/http/static_files.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/http/api_server.h"

namespace stratus::core::http {

namespace fs = std::filesystem;

namespace {

constexpr const char* kIndex = "index.html";

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// True when `inner` is `outer` or lies below it (both canonical).
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto o = outer.begin();
  auto i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

StaticSite::StaticSite(fs::path root) {
  std::error_code ec;
  fs::path canonical = fs::canonical(root, ec);
  root_ = ec ? std::move(root) : std::move(canonical);
}

const char* StaticSite::content_security_policy() {
  return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
         "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
}

std::string StaticSite::mime_type(const fs::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},       {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},  {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},               {".svg", "image/svg+xml"},
      {".png", "image/png"},                       {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},       {".woff2", "font/woff2"},
      {".map", "application/json"}};
  auto it = kTypes.find(lower(file.extension().string()));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

StaticReply StaticSite::not_found() const {
  StaticReply reply;
  reply.status = 404;
  reply.content_type = "text/plain; charset=utf-8";
  reply.body = "Not found.\n";
  reply.headers["Cache-Control"] = "no-store";
  return reply;
}

StaticReply StaticSite::file_reply(const fs::path& file, const std::optional<std::string>& if_none_match) const {
  std::error_code ec;
  // Symbolic links inside the root are fine; one that leads out of it is not.
  const fs::path real = fs::canonical(file, ec);
  if (ec || !is_within(real, root_) || !fs::is_regular_file(real, ec)) return not_found();
  const auto size = fs::file_size(real, ec);
  if (ec) return not_found();
  const auto mtime = fs::last_write_time(real, ec);
  if (ec) return not_found();
  const auto ticks = std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
  std::ostringstream tag;
  tag << "\"" << std::hex << size << "-" << ticks << "\"";

  StaticReply reply;
  reply.content_type = mime_type(real);
  reply.headers["ETag"] = tag.str();
  reply.headers["Cache-Control"] = "no-cache";
  if (if_none_match && *if_none_match == tag.str()) {
    reply.status = 304;
    return reply;
  }
  std::ifstream in(real, std::ios::binary);
  if (!in) return not_found();
  std::ostringstream body;
  body << in.rdbuf();
  reply.body = body.str();
  return reply;
}

StaticReply StaticSite::serve(std::string_view path, const std::optional<std::string>& if_none_match) const {
  StaticReply reply = [&] {
    if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) return not_found();
    fs::path relative;
    std::string_view last;
    std::size_t start = 0;
    while (start <= path.size()) {
      std::size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      const std::string_view segment = path.substr(start, end - start);
      if (segment == "." || segment == "..") return not_found();
      if (!segment.empty()) {
        relative /= fs::path(std::string(segment));
        last = segment;
      }
      start = end + 1;
    }
    // The SPA's own routes (no file extension) all get the index page.
    if (last.find('.') == std::string_view::npos) return file_reply(root_ / kIndex, if_none_match);
    return file_reply(root_ / relative, if_none_match);
  }();
  reply.headers["Content-Security-Policy"] = content_security_policy();
  reply.headers["X-Content-Type-Options"] = "nosniff";
  reply.headers["Referrer-Policy"] = "no-referrer";
  reply.headers["X-Frame-Options"] = "DENY";
  return reply;
}

std::optional<fs::path> find_dashboard_root(const std::string& configured) {
  std::error_code ec;
  if (!configured.empty()) {
    if (fs::is_regular_file(fs::path(configured) / kIndex, ec)) return fs::path(configured);
    return std::nullopt;
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  const fs::path candidate = exe.parent_path().parent_path() / "share" / "stratus" / "web";
  if (fs::is_regular_file(candidate / kIndex, ec)) return candidate;
  return std::nullopt;
}

void add_static_site_routes(api::ApiServer& server, const std::string& prefix, std::shared_ptr<const StaticSite> site) {
  auto handler = [site, length = prefix.size()](const api::ApiRequest& req) -> sdk::Result<api::ApiResponse> {
    StaticReply reply = site->serve(std::string_view(req.path).substr(length), req.header("If-None-Match"));
    api::ApiResponse response{reply.status, nullptr, std::move(reply.headers)};
    if (reply.status != 304) {
      api::StreamedBody body;
      body.size = reply.body.size();
      body.content_type = reply.content_type;
      body.stream = std::make_shared<std::istringstream>(std::move(reply.body));
      response.file = std::move(body);
    }
    return response;
  };
  std::string escaped;
  for (char c : prefix) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) escaped += '\\';
    escaped += c;
  }
  server.route("GET", escaped + "(/.*)?", std::move(handler), /*is_public=*/true);
}

}  // namespace stratus::core::http
