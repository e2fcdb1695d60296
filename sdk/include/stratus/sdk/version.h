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

inline constexpr const char* kSdkVersion = "2.4.0";
inline constexpr std::uint32_t kSdkVersionMajor = 2;
inline constexpr std::uint32_t kSdkVersionMinor = 4;
inline constexpr std::uint32_t kSdkVersionPatch = 0;

// 2: VirtDriver::register_lifecycle_listener; 3: Status::reason (a value type
// changed, so the minimum went up with it: a plugin built for ABI 1 or 2 would
// return statuses without the field and is refused by name instead); 4:
// VirtDriver::get_diagnostics and apply_security_groups (appended).
// 5: set_logger on VirtDriver, SchedulerFilter and SchedulerWeigher (log.h);
// VirtDriver::snapshot (appended). 6: VirtDriver::attach_interface,
// detach_interface and trigger_crash_dump (appended). 7: VirtDriver::rescue
// and unrescue (appended).
// The macros exist so that the headers' conditional parts can test them in #if.
#define STRATUS_SDK_ABI_VERSION 7
#define STRATUS_SDK_MIN_SUPPORTED_ABI_VERSION 3
inline constexpr std::uint32_t kAbiVersion = STRATUS_SDK_ABI_VERSION;
inline constexpr std::uint32_t kMinSupportedAbiVersion = STRATUS_SDK_MIN_SUPPORTED_ABI_VERSION;

// Building a plugin for an older ABI, so that an older Stratus still loads it:
// define STRATUS_SDK_TARGET_ABI (stratus_add_plugin(... TARGET_ABI N) does).
// The interfaces then end at the methods of that ABI (each appended block is
// under #if STRATUS_SDK_TARGET_ABI >= N) and the descriptor reports N. Any N
// from kMinSupportedAbiVersion up works with these headers because the value
// types are the same for every ABI in that range: a value type that changes
// raises the minimum (docs/sdk.md, "Compatibility rules"). The core itself is
// always built for kAbiVersion.
#ifndef STRATUS_SDK_TARGET_ABI
#define STRATUS_SDK_TARGET_ABI STRATUS_SDK_ABI_VERSION
#endif
#if STRATUS_SDK_TARGET_ABI > STRATUS_SDK_ABI_VERSION
#error "STRATUS_SDK_TARGET_ABI is newer than these SDK headers: use newer headers"
#endif
#if STRATUS_SDK_TARGET_ABI < STRATUS_SDK_MIN_SUPPORTED_ABI_VERSION
#error "STRATUS_SDK_TARGET_ABI is older than these headers' value types: use the SDK headers of that ABI"
#endif
inline constexpr std::uint32_t kTargetAbiVersion = STRATUS_SDK_TARGET_ABI;

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
