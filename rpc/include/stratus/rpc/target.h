// Target and Version: where a message goes and at which method version.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "stratus/rpc/error.h"

namespace stratus::rpc {

// A method version "major.minor" (oslo.messaging style). A server serving a
// method at 1.3 accepts calls at 1.0 .. 1.3 and refuses 1.4 and 2.x.
struct Version {
  std::uint32_t major = 1;
  std::uint32_t minor = 0;

  // Parses "1", "1.3". Errc::invalid_argument on anything else.
  static Result<Version> parse(std::string_view text);
  std::string to_string() const;
  // True if a server serving `served` can serve a request at *this.
  bool servable_by(const Version& served) const noexcept {
    return major == served.major && minor <= served.minor;
  }
  auto operator<=>(const Version&) const = default;
};

// Where a message goes (oslo.messaging's Target).
//  - topic only:       one server of the topic, round robin over live servers
//  - topic + server:   that server ("compute.host1")
//  - fanout = true:    every server of the topic (casts only)
// `version` is the version the message is sent at ("" means "1.0");
// `ns` is the method namespace ("" is the default namespace).
struct Target {
  std::string topic{};
  std::string server{};
  bool fanout = false;
  std::string version{};
  std::string ns{};

  // "topic", "topic.server" or "topic (fanout)" for logs.
  std::string to_string() const;
};

}  // namespace stratus::rpc
