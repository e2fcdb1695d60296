// CURVE security for stratus RPC: keys, the allow-list and the per-key policy.
//
// Key files (written by generate_keypair, read by load_keypair):
//   <dir>/<name>.pub      one line: "public-key = <Z85 public key>"
//   <dir>/<name>.secret   two lines: "public-key = ..." and "secret-key = <Z85>";
//                         mode 0600
// The router's allow-list is the set of *.pub files in its allowed-keys
// directory. Each .pub file may also carry policy lines:
//   serve = compute.host1, compute.host2    targets the key may register to serve
//   call  = conductor, scheduler, compute.*   targets the key may call or cast to
// A pattern is "topic", "topic.server", "topic.*" (any server of the topic) or "*".
// A key file without serve lines may serve nothing; without call lines, call nothing.
// Lines starting with '#' are comments (not trailing '#': Z85 keys contain it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stratus/rpc/error.h"

namespace stratus::rpc {

struct KeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters; empty for a public-only key
};

// Generates a CURVE key pair and writes <dir>/<name>.pub and <dir>/<name>.secret.
// Creates dir if needed. Errc::invalid_argument for a bad name,
// Errc::unavailable if CURVE is not compiled into libzmq, Errc::internal on I/O errors.
Result<KeyPair> generate_keypair(const std::string& dir, const std::string& name);
// Reads <dir>/<name>.secret (both keys) or, failing that, <dir>/<name>.pub
// (public key only).
Result<KeyPair> load_keypair(const std::string& dir, const std::string& name);

// What one key may do.
struct KeyPolicy {
  std::string name;        // the file name without .pub; shown in logs
  std::string public_key;  // Z85
  std::vector<std::string> serve;  // patterns
  std::vector<std::string> call;   // patterns

  bool may_serve(std::string_view topic, std::string_view server) const;
  bool may_call(std::string_view topic, std::string_view server) const;
};

// Reads every *.pub file of dir. Errc::invalid_argument names the file and
// line of a malformed entry.
Result<std::vector<KeyPolicy>> load_allow_list(const std::string& dir);

// True if libzmq was built with CURVE.
bool curve_available() noexcept;

}  // namespace stratus::rpc
