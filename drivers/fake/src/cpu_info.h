// The cpu_info JSON text a fake host reports (Nova's libvirt layout), so that
// filters reading cpu_info find the fields they expect.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace stratus::drivers::fake {

// {"arch": ..., "model": ..., "vendor": ..., "topology": {...}, "features": [...]}
std::string cpu_info_json(std::string_view arch, std::int32_t vcpus);

}  // namespace stratus::drivers::fake
