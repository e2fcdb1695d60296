#include "core/compute/api/service_binary_name.h"

#include <array>
#include <utility>

#include "core/rpcapi/topics.h"

namespace stratus::core::api {

namespace {

// {stored, Nova's}.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kNames = {{
    {rpcapi::kComputeBinary, "nova-compute"},
    {rpcapi::kSchedulerBinary, "nova-scheduler"},
    {rpcapi::kConductorBinary, "nova-conductor"},
}};

}  // namespace

std::string api_binary_name(std::string_view stored) {
  for (const auto& [ours, nova] : kNames) {
    if (stored == ours) return std::string(nova);
  }
  return std::string(stored);
}

std::string stored_binary_name(std::string_view requested) {
  for (const auto& [ours, nova] : kNames) {
    if (requested == nova) return std::string(ours);
  }
  return std::string(requested);
}

}  // namespace stratus::core::api
