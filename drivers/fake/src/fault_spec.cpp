// Parsing and printing of fault specs (grammar in fault_spec.h).
#include "stratus/drivers/fake/fault_spec.h"

#include <array>
#include <charconv>
#include <utility>

namespace stratus::drivers::fake {
namespace {

constexpr std::array<std::string_view, kFakeOperationCount> kOperationNames = {
    "spawn",   "destroy", "reboot",   "power_off", "power_on",      "pause",
    "unpause", "suspend", "resume",   "rebuild",   "get_info",      "list_instances",
    "get_available_resource", "get_console_output", "get_diagnostics", "apply_security_groups",
    "snapshot", "attach_interface", "detach_interface", "trigger_crash_dump", "rescue", "unrescue",
};

constexpr std::int64_t kMaxMilliseconds = 86'400'000;  // one day: bounded on purpose
constexpr std::uint64_t kMaxTimes = 1'000'000'000;

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A decimal integer in [lo, hi], the whole of `text`.
std::optional<std::int64_t> parse_number(std::string_view text, std::int64_t lo, std::int64_t hi) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value < lo || value > hi) return std::nullopt;
  return value;
}

std::optional<sdk::StatusCode> parse_code(std::string_view name) {
  for (auto code : {sdk::StatusCode::kNotFound, sdk::StatusCode::kAlreadyExists, sdk::StatusCode::kInvalidState,
                    sdk::StatusCode::kNotSupported, sdk::StatusCode::kConflict, sdk::StatusCode::kUnavailable,
                    sdk::StatusCode::kTimeout, sdk::StatusCode::kInternal, sdk::StatusCode::kInvalidArgument}) {
    if (sdk::status_code_name(code) == name) return code;
  }
  return std::nullopt;
}

sdk::Status bad(std::string_view text, const std::string& why) {
  return sdk::Status::InvalidArgument("bad fault spec '" + std::string(text) + "': " + why +
                                      " (expected none, fail[:code], delay:ms or hang[:ms], optionally *times)");
}

}  // namespace

std::string_view operation_name(FakeOperation op) noexcept {
  const auto index = static_cast<std::size_t>(op);
  return index < kOperationNames.size() ? kOperationNames[index] : std::string_view("unknown");
}

std::optional<FakeOperation> parse_operation(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kOperationNames.size(); ++i) {
    if (kOperationNames[i] == name) return static_cast<FakeOperation>(i);
  }
  return std::nullopt;
}

const std::vector<FakeOperation>& all_operations() {
  static const std::vector<FakeOperation> ops = [] {
    std::vector<FakeOperation> out;
    for (std::size_t i = 0; i < kFakeOperationCount; ++i) out.push_back(static_cast<FakeOperation>(i));
    return out;
  }();
  return ops;
}

sdk::Result<FaultSpec> FaultSpec::parse(std::string_view original) {
  std::string_view text = trim(original);
  if (text.empty()) return bad(original, "empty");
  FaultSpec spec;

  // The repeat count is the part after the last '*'.
  if (auto star = text.find('*'); star != std::string_view::npos) {
    auto times = parse_number(text.substr(star + 1), 1, static_cast<std::int64_t>(kMaxTimes));
    if (!times) return bad(original, "times after '*' must be an integer from 1 to 1000000000");
    spec.times = static_cast<std::uint64_t>(*times);
    text = text.substr(0, star);
  }

  std::string_view verb = text;
  std::optional<std::string_view> argument;
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    verb = text.substr(0, colon);
    argument = text.substr(colon + 1);
  }

  if (verb == "none") {
    if (argument || spec.times) return bad(original, "'none' takes no argument and no count");
    return spec;
  }
  if (verb == "fail") {
    spec.action = Action::kFail;
    if (argument) {
      auto code = parse_code(*argument);
      if (!code) {
        return bad(original, "unknown status code '" + std::string(*argument) +
                                 "' (not_found, already_exists, invalid_state, not_supported, conflict, "
                                 "unavailable, timeout, internal, invalid_argument)");
      }
      spec.code = *code;
    }
    return spec;
  }
  if (verb == "delay") {
    spec.action = Action::kDelay;
    if (!argument) return bad(original, "'delay' needs a duration in milliseconds, e.g. delay:250");
    auto ms = parse_number(*argument, 0, kMaxMilliseconds);
    if (!ms) return bad(original, "delay must be an integer number of milliseconds from 0 to 86400000");
    spec.duration = std::chrono::milliseconds(*ms);
    return spec;
  }
  if (verb == "hang") {
    spec.action = Action::kHang;
    if (argument) {
      auto ms = parse_number(*argument, 1, kMaxMilliseconds);
      if (!ms) return bad(original, "hang must be an integer number of milliseconds from 1 to 86400000");
      spec.duration = std::chrono::milliseconds(*ms);
    }
    return spec;
  }
  return bad(original, "unknown action '" + std::string(verb) + "'");
}

std::string FaultSpec::to_string() const {
  std::string out;
  switch (action) {
    case Action::kNone: return "none";
    case Action::kFail:
      out = "fail";
      if (code != sdk::StatusCode::kInternal) out += ":" + std::string(sdk::status_code_name(code));
      break;
    case Action::kDelay:
      out = "delay:" + std::to_string(duration.value_or(std::chrono::milliseconds(0)).count());
      break;
    case Action::kHang:
      out = "hang";
      if (duration) out += ":" + std::to_string(duration->count());
      break;
  }
  if (times) out += "*" + std::to_string(*times);
  return out;
}

}  // namespace stratus::drivers::fake
