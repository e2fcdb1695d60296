// FaultSpec: a scripted fault for one operation of the fake driver.
//
// Tests and scale runs make a fake host misbehave on purpose (as OpenNebula's
// dummy driver and CloudStack's simulator do): fail an operation, make it slow,
// or make it hang, for every call or only for the first N calls. A spec is a
// short string so that it fits in a config file and in instance metadata:
//
//   spec   := "none" | action [ "*" times ]
//   action := "fail" [ ":" code ]      the call fails with `code` (default internal)
//           | "delay:" ms              the call waits ms (0..86400000), then works
//           | "hang" [ ":" ms ]        the call blocks for ms (1..86400000; default
//                                      the driver's hang_timeout_ms), then fails
//                                      with kTimeout without doing anything
//   code   := not_found | already_exists | invalid_state | not_supported |
//             conflict | unavailable | timeout | internal | invalid_argument
//   times  := 1..1000000000            how many calls the fault hits; without it,
//                                      every call
//
// Examples: "fail", "fail:unavailable*2", "delay:250", "delay:250*3",
// "hang", "hang:5000*1". Surrounding whitespace is ignored; nothing else is.
// A delay or hang ends early, with kUnavailable, when the driver is cleaned up
// or destroyed, so no injected fault can block a caller for ever.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::drivers::fake {

// The operations a fault can be attached to. The names (operation_name) are
// the ones used in config keys ("fault.power_off") and metadata keys
// ("stratus:fake_fault:power_off").
enum class FakeOperation : std::uint8_t {
  kSpawn,
  kDestroy,
  kReboot,
  kPowerOff,
  kPowerOn,
  kPause,
  kUnpause,
  kSuspend,
  kResume,
  kRebuild,
  kGetInfo,
  kListInstances,
  kGetAvailableResource,
  kGetConsoleOutput,
  kGetDiagnostics,
  kApplySecurityGroups,
  kSnapshot,
  kAttachInterface,
  kDetachInterface,
  kTriggerCrashDump,
  kRescue,
  kUnrescue,
};

inline constexpr std::size_t kFakeOperationCount = 22;

// "spawn", "power_off", ...
std::string_view operation_name(FakeOperation op) noexcept;

// The operation called `name`, or nullopt.
std::optional<FakeOperation> parse_operation(std::string_view name) noexcept;

// Every operation, in declaration order (for listing in messages and docs).
const std::vector<FakeOperation>& all_operations();

struct FaultSpec {
  enum class Action : std::uint8_t { kNone, kFail, kDelay, kHang };

  Action action = Action::kNone;
  sdk::StatusCode code = sdk::StatusCode::kInternal;  // kFail only
  // kDelay: how long; kHang: how long, or nullopt for the driver's default.
  std::optional<std::chrono::milliseconds> duration;
  // How many calls the fault hits, or nullopt for every call.
  std::optional<std::uint64_t> times;

  // Parses the grammar above. On error, kInvalidArgument whose message says
  // what is wrong with `text` (the caller adds which key it came from).
  static sdk::Result<FaultSpec> parse(std::string_view text);

  // The canonical text, e.g. "fail:unavailable*2"; parse(to_string()) == *this.
  std::string to_string() const;

  bool operator==(const FaultSpec&) const = default;
};

}  // namespace stratus::drivers::fake
