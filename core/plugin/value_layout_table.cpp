// The layout of every SDK value type that crosses the plugin boundary, as the
// oldest ABI this build accepts (kMinSupportedAbiVersion) laid it out. A
// plugin built for any ABI in [min, current] reads these types by reference,
// so they must not change while the minimum stays: the build fails here when
// one does (docs/sdk.md, "Compatibility rules"). To change a value type, raise
// kMinSupportedAbiVersion (and kAbiVersion) in version.h, then give the table
// the values the compiler prints and the new minimum in its static_assert.
// DriverCapabilities is a value type too: a new capability flag changes its row.
//
// Fingerprints are of libstdc++'s 64-bit C++11-ABI layouts (what Debian builds
// and what version.h's stdlib tag demands of plugins); other standard
// libraries skip the check.
#include "core/plugin/value_layout_table.h"

#include <string>

#include "core/plugin/value_layout.h"
#include "stratus/sdk/sdk.h"

namespace stratus::core::layout {

#if defined(__GLIBCXX__) && _GLIBCXX_USE_CXX11_ABI && __SIZEOF_POINTER__ == 8
#define STRATUS_CHECKED_LAYOUTS 1

// The minimum ABI the table below describes: it must be the build's.
static_assert(sdk::kMinSupportedAbiVersion == 3,
              "kMinSupportedAbiVersion changed: record the value types' layouts of the new minimum below");

// ---- value types of ABI 3 and later (kMinSupportedAbiVersion 3) ----------------
#define STRATUS_VALUE_LAYOUTS(X) \
  X(BlockDeviceInfo, 0x76377f35856cd099ULL) \
  X(EphemeralDisk, 0xc752a04c634b8265ULL) \
  X(SwapDisk, 0x0479ee8eddb5a82bULL) \
  X(VolumeAttachment, 0x00e5eddf204fc58dULL) \
  X(CpuDiagnostics, 0x28013f0a1afed259ULL) \
  X(NicDiagnostics, 0xcc7df43e9a377c89ULL) \
  X(DiskDiagnostics, 0xf1c182cfa539cfc7ULL) \
  X(Diagnostics, 0xd68f3ffae87c1f00ULL) \
  X(DriverCapabilities, 0x45ca12c46c1051b3ULL) \
  X(Flavor, 0xbe4b6989922a2a97ULL) \
  X(HostResources, 0xc410704799b2f92fULL) \
  X(SupportedInstance, 0xb64c6f8dc09843a1ULL) \
  X(Aggregate, 0xf6f91ea63ba84d2fULL) \
  X(HostState, 0x7fc1b825d3190744ULL) \
  X(ImageMeta, 0x4a342402888960ffULL) \
  X(Instance, 0x65498b30c1f4294cULL) \
  X(InstanceInfo, 0x271748b1c56392a9ULL) \
  X(LifecycleEvent, 0x7a755696cfc1c12aULL) \
  X(Vif, 0xa7e9d94c09bc2d31ULL) \
  X(PluginConfig, 0x2f5d2687af1149bdULL) \
  X(PluginDescriptor, 0xe386276cd6d4b03dULL) \
  X(RequestContext, 0x7edf225652524c09ULL) \
  X(InstanceGroup, 0xde56220de597361fULL) \
  X(RequestSpec, 0x3b77237f34298e5cULL) \
  X(Result<std::string>, 0x2f5d2687af1149bdULL) \
  X(SecurityGroupRule, 0xb2ff812352390a6dULL) \
  X(PortSecurity, 0x4be5e3960fe79251ULL) \
  X(Status, 0x2877dcaf3f8acd45ULL) \

#define STRATUS_CHECK_LAYOUT(TYPE, FINGERPRINT) \
  static_assert(matches<sdk::TYPE, layout_fingerprint<sdk::TYPE>(), FINGERPRINT>());
STRATUS_VALUE_LAYOUTS(STRATUS_CHECK_LAYOUT)
#undef STRATUS_CHECK_LAYOUT
#endif

const std::map<std::string_view, std::uint64_t>& checked_value_layouts() {
#ifdef STRATUS_CHECKED_LAYOUTS
#define STRATUS_LAYOUT_ENTRY(TYPE, FINGERPRINT) {#TYPE, FINGERPRINT},
  static const std::map<std::string_view, std::uint64_t> layouts = {STRATUS_VALUE_LAYOUTS(STRATUS_LAYOUT_ENTRY)};
#undef STRATUS_LAYOUT_ENTRY
#else
  static const std::map<std::string_view, std::uint64_t> layouts;
#endif
  return layouts;
}

}  // namespace stratus::core::layout
