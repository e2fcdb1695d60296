#include "stratus/rpc/dispatcher.h"

#include <exception>
#include <tuple>

namespace stratus::rpc {
namespace {

// (namespace, method) by reference: looked up in methods_ (ordered by
// std::less<>, which is transparent) without building two strings per
// message (method names over 15 characters would each cost an allocation).
struct NsMethod {
  std::string_view ns;
  std::string_view method;
};
using Key = std::pair<std::string, std::string>;
bool operator<(const Key& a, const NsMethod& b) {
  return std::tie(a.first, a.second) < std::tuple<std::string_view, std::string_view>(b.ns, b.method);
}
bool operator<(const NsMethod& a, const Key& b) {
  return std::tuple<std::string_view, std::string_view>(a.ns, a.method) < std::tie(b.first, b.second);
}

}  // namespace

Status Dispatcher::add(std::string method, std::string_view version, Handler handler, std::string ns) {
  if (method.empty()) return make_error(Errc::invalid_argument, "method name must not be empty");
  if (!handler) return make_error(Errc::invalid_argument, "method '" + method + "' has no handler");
  auto v = Version::parse(version);
  if (!v) return v.error();
  auto key = std::make_pair(std::move(ns), std::move(method));
  if (methods_.count(key) != 0) {
    return make_error(Errc::invalid_argument,
                      "method '" + key.second + "' already registered in namespace '" + key.first + "'");
  }
  methods_.emplace(std::move(key), Entry{v.value(), std::move(handler)});
  return {};
}

Result<Payload> Dispatcher::dispatch(const CallInfo& info, const Payload& args) const noexcept {
  try {
    auto it = methods_.find(NsMethod{info.ns, info.method});
    if (it == methods_.end()) {
      std::string where = info.ns.empty() ? std::string() : " in namespace '" + std::string(info.ns) + "'";
      return make_error(Errc::no_such_method,
                        "no method '" + std::string(info.method) + "'" + where + " on topic '" +
                            std::string(info.topic) + "'");
    }
    const Entry& e = it->second;
    if (!info.version.servable_by(e.version)) {
      return make_error(Errc::unsupported_version, "method '" + std::string(info.method) + "' requested at version " +
                                                       info.version.to_string() + "; this server serves up to " +
                                                       e.version.to_string());
    }
    return e.handler(info, args);
  } catch (const std::exception& ex) {
    return remote_error("UnexpectedError", ex.what());
  } catch (...) {
    return remote_error("UnexpectedError", "unknown exception");
  }
}

}  // namespace stratus::rpc
