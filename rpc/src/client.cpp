#include "stratus/rpc/client.h"

namespace stratus::rpc {

Client::Client(Endpoint& endpoint, Target target, std::string version_cap)
    : endpoint_(&endpoint), target_(std::move(target)), cap_(std::move(version_cap)) {}

bool Client::can_send_version(std::string_view version) const {
  auto v = Version::parse(version);
  if (!v) return false;
  if (cap_.empty()) return true;
  auto cap = Version::parse(cap_);
  if (!cap) return false;
  return v.value() <= cap.value();
}

Client Client::prepare(std::string server, std::string version, bool fanout) const {
  Client c = *this;
  if (!server.empty()) c.target_.server = std::move(server);
  if (!version.empty()) c.target_.version = std::move(version);
  c.target_.fanout = fanout;
  return c;
}

Status Client::check_cap() const {
  const std::string v = target_.version.empty() ? "1.0" : target_.version;
  if (!Version::parse(v)) return Version::parse(v).error();
  if (!can_send_version(v)) {
    return make_error(Errc::unsupported_version,
                      "version " + v + " is above this client's cap " + cap_ + " for " + target_.to_string());
  }
  return {};
}

Result<Payload> Client::call(const RequestContext& ctx, std::string_view method, const Payload& args,
                             std::chrono::milliseconds timeout) const {
  if (auto s = check_cap(); !s) return s.error();
  return endpoint_->call(target_, method, args, ctx, timeout);
}

Status Client::cast(const RequestContext& ctx, std::string_view method, const Payload& args) const {
  if (auto s = check_cap(); !s) return s;
  return endpoint_->cast(target_, method, args, ctx);
}

}  // namespace stratus::rpc
