#include "stratus/rpc/security.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <zmq.h>

namespace stratus::rpc {
namespace fs = std::filesystem;
namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool valid_name(const std::string& n) {
  return !n.empty() && n.size() < 128 && std::all_of(n.begin(), n.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
  }) && n.front() != '.';
}

// Parses "key = value" lines; a line starting with '#' is a comment.
Result<KeyPolicy> parse_key_file(const fs::path& path, bool want_secret, std::string* secret) {
  std::ifstream in(path);
  if (!in) return make_error(Errc::invalid_argument, "cannot read key file " + path.string());
  KeyPolicy k;
  k.name = path.stem().string();
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;  // Z85 keys may contain '#': comments are whole lines
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      return make_error(Errc::invalid_argument,
                        path.string() + ":" + std::to_string(lineno) + ": expected 'key = value'");
    }
    const std::string key = trim(line.substr(0, eq));
    const std::string value = trim(line.substr(eq + 1));
    if (key == "public-key" || key == "secret-key") {
      if (value.size() != 40) {
        return make_error(Errc::invalid_argument,
                          path.string() + ":" + std::to_string(lineno) + ": " + key + " must be 40 Z85 characters");
      }
      if (key == "public-key") k.public_key = value;
      if (key == "secret-key" && want_secret && secret) *secret = value;
    } else if (key == "serve" || key == "call") {
      std::stringstream ss(value);
      std::string item;
      while (std::getline(ss, item, ',')) {
        item = trim(item);
        if (!item.empty()) (key == "serve" ? k.serve : k.call).push_back(item);
      }
    } else {
      return make_error(Errc::invalid_argument,
                        path.string() + ":" + std::to_string(lineno) + ": unknown key '" + key + "'");
    }
  }
  if (k.public_key.empty()) return make_error(Errc::invalid_argument, path.string() + ": no public-key line");
  return k;
}

bool matches(const std::string& pattern, std::string_view topic, std::string_view server) {
  if (pattern == "*") return true;
  if (pattern.size() > 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0) {
    return std::string_view(pattern).substr(0, pattern.size() - 2) == topic;
  }
  if (pattern == topic) return true;  // a topic pattern covers all its servers
  if (server.empty()) return false;
  return pattern.size() == topic.size() + 1 + server.size() && pattern.compare(0, topic.size(), topic) == 0 &&
         pattern[topic.size()] == '.' && pattern.compare(topic.size() + 1, server.size(), server) == 0;
}

}  // namespace

bool curve_available() noexcept { return zmq_has("curve") != 0; }

bool KeyPolicy::may_serve(std::string_view topic, std::string_view server) const {
  return std::any_of(serve.begin(), serve.end(), [&](const std::string& p) { return matches(p, topic, server); });
}

bool KeyPolicy::may_call(std::string_view topic, std::string_view server) const {
  return std::any_of(call.begin(), call.end(), [&](const std::string& p) { return matches(p, topic, server); });
}

Result<KeyPair> generate_keypair(const std::string& dir, const std::string& name) {
  if (!valid_name(name)) return make_error(Errc::invalid_argument, "bad key name '" + name + "'");
  if (!curve_available()) return make_error(Errc::unavailable, "libzmq was built without CURVE");
  char pub[41] = {};
  char sec[41] = {};
  if (zmq_curve_keypair(pub, sec) != 0) return make_error(Errc::internal, "zmq_curve_keypair failed");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(Errc::internal, "cannot create " + dir + ": " + ec.message());
  const fs::path base = fs::path(dir) / name;
  {
    std::ofstream out(base.string() + ".pub");
    out << "# stratus rpc public key '" << name << "'\npublic-key = " << pub << "\n";
    if (!out) return make_error(Errc::internal, "cannot write " + base.string() + ".pub");
  }
  {
    // Created 0600 from the start (not chmod-ed after writing), so the secret
    // is never readable by others, not even for a moment.
    const std::string path = base.string() + ".secret";
    const std::string text = "# stratus rpc key pair '" + name + "': keep secret\npublic-key = " + pub +
                             "\nsecret-key = " + sec + "\n";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return make_error(Errc::internal, "cannot write " + path);
    bool written = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    written = (::close(fd) == 0) && written;
    if (!written) return make_error(Errc::internal, "cannot write " + path);
  }
  return KeyPair{pub, sec};
}

Result<KeyPair> load_keypair(const std::string& dir, const std::string& name) {
  if (!valid_name(name)) return make_error(Errc::invalid_argument, "bad key name '" + name + "'");
  const fs::path base = fs::path(dir) / name;
  std::string secret;
  if (fs::exists(base.string() + ".secret")) {
    auto k = parse_key_file(base.string() + ".secret", true, &secret);
    if (!k) return k.error();
    if (secret.empty()) return make_error(Errc::invalid_argument, base.string() + ".secret: no secret-key line");
    return KeyPair{k->public_key, secret};
  }
  auto k = parse_key_file(base.string() + ".pub", false, nullptr);
  if (!k) return k.error();
  return KeyPair{k->public_key, ""};
}

Result<std::vector<KeyPolicy>> load_allow_list(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return make_error(Errc::invalid_argument, "allowed keys directory '" + dir + "' not found");
  std::vector<KeyPolicy> out;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file() || e.path().extension() != ".pub") continue;
    auto k = parse_key_file(e.path(), false, nullptr);
    if (!k) return k.error();
    out.push_back(std::move(k.value()));
  }
  if (ec) return make_error(Errc::internal, "cannot list " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const KeyPolicy& a, const KeyPolicy& b) { return a.name < b.name; });
  return out;
}

}  // namespace stratus::rpc
