// cpu_info_json: see cpu_info.h. Built by hand because drivers depend on the
// SDK alone (no JSON library); the only free text is the configured arch.
#include "cpu_info.h"

#include <cstdio>

namespace stratus::drivers::fake {
namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string cpu_info_json(std::string_view arch, std::int32_t vcpus) {
  const bool x86 = arch == "x86_64" || arch == "i686";
  std::string out = "{\"arch\": " + json_string(arch);
  out += ", \"model\": " + json_string(x86 ? "Broadwell-noTSX-IBRS" : "fake");
  out += ", \"vendor\": " + json_string(x86 ? "Intel" : "Stratus");
  out += ", \"topology\": {\"cells\": 1, \"sockets\": 1, \"cores\": " + std::to_string(vcpus) + ", \"threads\": 1}";
  out += ", \"features\": [";
  if (x86) {
    const char* features[] = {"aes", "avx", "avx2", "fpu", "pae", "sse", "sse2", "sse4.1", "sse4.2", "ssse3", "vmx"};
    bool first = true;
    for (const char* f : features) {
      if (!first) out += ", ";
      first = false;
      out += json_string(f);
    }
  }
  return out + "]}";
}

}  // namespace stratus::drivers::fake
