// The SDK's version and the plugin ABI version.
//
// kSdkVersion follows semver for the headers as a whole. kAbiVersion is the
// single number the loader compares: it goes up by one each time an interface
// gains a method or a value type changes (docs/sdk.md keeps the changelog). The loader accepts plugins
// built for any ABI in [kMinSupportedAbiVersion, kAbiVersion] and never calls a
// method that is newer than the plugin's ABI.
#pragma once

#include <cstdint>

namespace stratus::sdk {

inline constexpr const char* kSdkVersion = "2.1.0";
inline constexpr std::uint32_t kSdkVersionMajor = 2;
inline constexpr std::uint32_t kSdkVersionMinor = 1;
inline constexpr std::uint32_t kSdkVersionPatch = 0;

// 2: VirtDriver::register_lifecycle_listener; 3: Status::reason (a value type
// changed, so the minimum went up with it: a plugin built for ABI 1 or 2 would
// return statuses without the field and is refused by name instead); 4:
// VirtDriver::get_diagnostics and apply_security_groups (appended).
inline constexpr std::uint32_t kAbiVersion = 4;
inline constexpr std::uint32_t kMinSupportedAbiVersion = 3;

// The part of the build that must match between the loader and a plugin: C++
// classes (std::string, std::vector, vtables) cross the boundary, so both sides
// need the same standard library and the same string ABI. The compiler itself
// may differ (GCC and Clang share libstdc++).
#if defined(_LIBCPP_VERSION)
#define STRATUS_SDK_STDLIB_TAG "libc++/abi" _LIBCPP_ABI_VERSION_STRING
#elif defined(__GLIBCXX__)
#if _GLIBCXX_USE_CXX11_ABI
#define STRATUS_SDK_STDLIB_TAG "libstdc++/cxx11"
#else
#define STRATUS_SDK_STDLIB_TAG "libstdc++/pre-cxx11"
#endif
#else
#define STRATUS_SDK_STDLIB_TAG "unknown-stdlib"
#endif

#if defined(__clang__)
#define STRATUS_SDK_COMPILER_TAG "clang-" __clang_version__
#elif defined(__GNUC__)
#define STRATUS_SDK_COMPILER_TAG "gcc-" __VERSION__
#else
#define STRATUS_SDK_COMPILER_TAG "unknown-compiler"
#endif

inline constexpr const char* kStdlibTag = STRATUS_SDK_STDLIB_TAG;
inline constexpr const char* kCompilerTag = STRATUS_SDK_COMPILER_TAG;

}  // namespace stratus::sdk
