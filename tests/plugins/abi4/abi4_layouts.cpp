// Compiled with ABI 4's headers only. They are included inside namespace
// `abi4`, so their types (abi4::stratus::sdk::Instance, ...) never meet the
// current ones in one program under the same name; the standard headers they
// use are included first, outside it, so their guards keep them out of it.
#include "abi4_layouts.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/plugin/value_layout.h"

namespace abi4 {
#include "stratus/sdk/block_device_info.h"
#include "stratus/sdk/diagnostics.h"
#include "stratus/sdk/driver_capabilities.h"
#include "stratus/sdk/flavor.h"
#include "stratus/sdk/host_resources.h"
#include "stratus/sdk/host_state.h"
#include "stratus/sdk/image_meta.h"
#include "stratus/sdk/instance.h"
#include "stratus/sdk/instance_info.h"
#include "stratus/sdk/lifecycle_event.h"
#include "stratus/sdk/network_info.h"
#include "stratus/sdk/plugin_config.h"
#include "stratus/sdk/request_context.h"
#include "stratus/sdk/request_spec.h"
#include "stratus/sdk/result.h"
#include "stratus/sdk/security_group_rule.h"
#include "stratus/sdk/status.h"
}  // namespace abi4

namespace stratus::test {

std::map<std::string, std::uint64_t> abi4_value_layouts() {
  using namespace core::layout;
  namespace sdk = ::abi4::stratus::sdk;
  std::map<std::string, std::uint64_t> out;
#define ABI4_LAYOUT(TYPE) out[#TYPE] = layout_fingerprint<sdk::TYPE>();
  ABI4_LAYOUT(BlockDeviceInfo)
  ABI4_LAYOUT(EphemeralDisk)
  ABI4_LAYOUT(SwapDisk)
  ABI4_LAYOUT(VolumeAttachment)
  ABI4_LAYOUT(CpuDiagnostics)
  ABI4_LAYOUT(NicDiagnostics)
  ABI4_LAYOUT(DiskDiagnostics)
  ABI4_LAYOUT(Diagnostics)
  ABI4_LAYOUT(DriverCapabilities)
  ABI4_LAYOUT(Flavor)
  ABI4_LAYOUT(HostResources)
  ABI4_LAYOUT(SupportedInstance)
  ABI4_LAYOUT(Aggregate)
  ABI4_LAYOUT(HostState)
  ABI4_LAYOUT(ImageMeta)
  ABI4_LAYOUT(Instance)
  ABI4_LAYOUT(InstanceInfo)
  ABI4_LAYOUT(LifecycleEvent)
  ABI4_LAYOUT(Vif)
  ABI4_LAYOUT(PluginConfig)
  ABI4_LAYOUT(RequestContext)
  ABI4_LAYOUT(InstanceGroup)
  ABI4_LAYOUT(RequestSpec)
  ABI4_LAYOUT(Result<std::string>)
  ABI4_LAYOUT(SecurityGroupRule)
  ABI4_LAYOUT(PortSecurity)
  ABI4_LAYOUT(Status)
#undef ABI4_LAYOUT
  return out;
}

}  // namespace stratus::test
