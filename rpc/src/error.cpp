#include "stratus/rpc/error.h"

namespace stratus::rpc {
namespace {
struct Names {
  std::string_view name;
  std::string_view type;
};
Names names(Errc c) {
  switch (c) {
    case Errc::ok: return {"ok", "Ok"};
    case Errc::timeout: return {"timeout", "Timeout"};
    case Errc::no_such_target: return {"no_such_target", "NoSuchTarget"};
    case Errc::remote: return {"remote", "RemoteError"};
    case Errc::unsupported_version: return {"unsupported_version", "UnsupportedVersion"};
    case Errc::no_such_method: return {"no_such_method", "NoSuchMethod"};
    case Errc::bad_message: return {"bad_message", "BadMessage"};
    case Errc::too_large: return {"too_large", "MessageTooLarge"};
    case Errc::unavailable: return {"unavailable", "Unavailable"};
    case Errc::forbidden: return {"forbidden", "Forbidden"};
    case Errc::internal: return {"internal", "InternalError"};
    case Errc::invalid_argument: return {"invalid_argument", "InvalidArgument"};
  }
  return {"unknown", "RemoteError"};
}
}  // namespace

std::string_view errc_name(Errc code) noexcept { return names(code).name; }

std::string Error::to_string() const { return type + ": " + message; }

Error make_error(Errc code, std::string message) {
  return Error{code, std::string(names(code).type), std::move(message)};
}

Error remote_error(std::string type, std::string message) {
  return Error{Errc::remote, std::move(type), std::move(message)};
}

}  // namespace stratus::rpc
