// Logger: how a plugin writes to Stratus's log (ABI 5).
//
// The core gives every plugin built for ABI 5 or later a Logger through
// set_logger(), once, right after its factory returns and before any other
// call. Each line goes to the process's log with the plugin's name and, when
// the call has a RequestContext, its request id, so a plugin's lines sit among
// the core's lines of the same request:
//
//   [info] [req-3f2a...] driver example_memory: spawned instance 1b2c...
//
// Thread-safety: write() and enabled() may be called from any thread, at any
// time, also after the plugin's methods have returned (from its own threads).
// Neither throws nor blocks for long.
#pragma once

#include <cstdint>
#include <string_view>

#include "stratus/sdk/request_context.h"

namespace stratus::sdk {

// Values are part of the ABI: never changed, never reused.
enum class LogLevel : std::uint8_t {
  kTrace = 0,
  kDebug = 1,
  kInfo = 2,
  kWarn = 3,
  kError = 4,
};

class Logger {
 public:
  virtual ~Logger() = default;

  // Whether a line at `level` would be written; skip costly formatting when not.
  virtual bool enabled(LogLevel level) const noexcept = 0;

  // Writes one line. `request_id` is the RequestContext's ("" outside a request).
  virtual void write(LogLevel level, std::string_view request_id, std::string_view message) noexcept = 0;

  // Shorthands, compiled into the plugin: with a request, and without one.
  void debug(const RequestContext& ctx, std::string_view m) noexcept { write(LogLevel::kDebug, ctx.request_id, m); }
  void info(const RequestContext& ctx, std::string_view m) noexcept { write(LogLevel::kInfo, ctx.request_id, m); }
  void warn(const RequestContext& ctx, std::string_view m) noexcept { write(LogLevel::kWarn, ctx.request_id, m); }
  void error(const RequestContext& ctx, std::string_view m) noexcept { write(LogLevel::kError, ctx.request_id, m); }
  void debug(std::string_view m) noexcept { write(LogLevel::kDebug, {}, m); }
  void info(std::string_view m) noexcept { write(LogLevel::kInfo, {}, m); }
  void warn(std::string_view m) noexcept { write(LogLevel::kWarn, {}, m); }
  void error(std::string_view m) noexcept { write(LogLevel::kError, {}, m); }
};

// Writes nothing: what a plugin holds before set_logger (or when a host of an
// older ABI never calls it), so its code needs no null checks.
class NullLogger final : public Logger {
 public:
  bool enabled(LogLevel) const noexcept override { return false; }
  void write(LogLevel, std::string_view, std::string_view) noexcept override {}
};

}  // namespace stratus::sdk
