// StaticSite: serves a folder of static files (the dashboard, web/) under a
// URL prefix of the API server, for a single-page application.
//
//   /dashboard, /dashboard/        -> index.html
//   /dashboard/js/app.js           -> that file, or 404 when it is absent
//   /dashboard/instances/filter/x  -> index.html (a deep link of the SPA:
//                                     any path whose last segment has no '.')
//
// Every reply carries a Content-Security-Policy that allows only the site's
// own scripts (no inline script, no eval), X-Content-Type-Options: nosniff,
// and validation caching: Cache-Control: no-cache with an ETag (size and
// modification time), answered 304 on If-None-Match. There is no build step
// and so no content-hashed file names: a browser revalidates each file and
// sees a new version at once.
//
// A path with a "." or ".." segment, a backslash or a NUL is refused (404),
// and a file reached through a symbolic link that leaves the root is not
// served. Files are read whole: the site's files are small.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace stratus::core::api {
class ApiServer;
}

namespace stratus::core::http {

struct StaticReply {
  int status = 200;
  std::string content_type;
  std::string body;  // empty for 304
  std::map<std::string, std::string> headers;
};

class StaticSite {
 public:
  explicit StaticSite(std::filesystem::path root);

  // `path` is the part after the prefix, already percent-decoded ("" or
  // "/js/app.js"); `if_none_match` the request's If-None-Match header.
  StaticReply serve(std::string_view path, const std::optional<std::string>& if_none_match = std::nullopt) const;

  const std::filesystem::path& root() const { return root_; }

  // The Content-Security-Policy on every reply.
  static const char* content_security_policy();
  // The MIME type for a file name, by its extension (application/octet-stream
  // when unknown); text types carry charset=utf-8.
  static std::string mime_type(const std::filesystem::path& file);

 private:
  StaticReply file_reply(const std::filesystem::path& file, const std::optional<std::string>& if_none_match) const;
  StaticReply not_found() const;

  std::filesystem::path root_;  // canonical
};

// The dashboard's folder: `configured` when not empty, else the first that
// holds an index.html of <dir of the running binary>/../share/stratus/web
// (an installed tree: bin/ beside share/; the build tree has a link there to
// the source's web/). nullopt when there is none.
std::optional<std::filesystem::path> find_dashboard_root(const std::string& configured);

// Serves `site` on GET `prefix` and everything under it, without
// authentication (the pages hold no data; the APIs they call check tokens).
void add_static_site_routes(api::ApiServer& server, const std::string& prefix, std::shared_ptr<const StaticSite> site);

}  // namespace stratus::core::http
