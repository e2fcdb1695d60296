// Dispatcher: the methods a server serves, by namespace, name and version.
//
// Build a Dispatcher, add methods, then hand it to Endpoint::serve(); from then
// on it is read-only and shared by the endpoint's worker threads.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "stratus/rpc/context.h"
#include "stratus/rpc/error.h"
#include "stratus/rpc/payload.h"
#include "stratus/rpc/target.h"

namespace stratus::rpc {

// What a method is told about the message it serves.
struct CallInfo {
  const RequestContext& context;  // the caller's context (request id, user, ...)
  std::string_view method;
  std::string_view ns;
  Version version;         // the version the caller sent
  std::string_view topic;  // the topic it arrived on
  bool wants_reply;        // true for call, false for cast and fanout
};

// A method. Runs on one of the endpoint's worker threads, possibly concurrently
// with itself; may block (it holds a worker while it does). Returns the result
// payload, or an Error: use remote_error("TypeName", "message") for
// application errors; the caller receives code Errc::remote with that type and
// message. An exception escaping a method is caught and returned to the caller
// as type "UnexpectedError". The result of a cast is discarded.
using Handler = std::function<Result<Payload>(const CallInfo& info, const Payload& args)>;

class Dispatcher {
 public:
  // Registers `method` in namespace `ns`, served at `version` ("major.minor"):
  // it accepts calls at the same major and a minor up to this one.
  // Errc::invalid_argument if the version does not parse, the name is empty or
  // the method is already registered in that namespace.
  Status add(std::string method, std::string_view version, Handler handler, std::string ns = "");

  // As add(), for a method taking a decoded Args (a msgpack-convertible type):
  //   d.add_typed<BuildRequest>("build", "1.2",
  //       [](const CallInfo& info, BuildRequest req) -> Result<Payload> { ... });
  // Arguments that do not decode into Args are answered Errc::bad_message
  // without calling f.
  template <class Args, class F>
  Status add_typed(std::string method, std::string_view version, F f, std::string ns = "") {
    return add(
        std::move(method), version,
        [f = std::move(f)](const CallInfo& info, const Payload& p) -> Result<Payload> {
          auto args = p.as<Args>();
          if (!args) return args.error();
          return f(info, std::move(args).value());
        },
        std::move(ns));
  }

  // Runs the method named by info (version checked). Errc::no_such_method or
  // Errc::unsupported_version when it cannot be served. Thread-safe (const).
  Result<Payload> dispatch(const CallInfo& info, const Payload& args) const noexcept;

  bool empty() const noexcept { return methods_.empty(); }

 private:
  struct Entry {
    Version version;
    Handler handler;
  };
  std::map<std::pair<std::string, std::string>, Entry, std::less<>> methods_;  // (ns, method)
};

}  // namespace stratus::rpc
