// RAII owners for libvirt's handles and strings: every virConnectPtr,
// virDomainPtr and libvirt-allocated string is released exactly once, on every
// path, by its unique_ptr.
#pragma once

#include <libvirt/libvirt.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace stratus::drivers::libvirt {

struct ConnectCloser {
  void operator()(virConnectPtr conn) const noexcept { virConnectClose(conn); }
};
struct DomainFreer {
  void operator()(virDomainPtr domain) const noexcept { virDomainFree(domain); }
};
struct NWFilterFreer {
  void operator()(virNWFilterPtr filter) const noexcept { virNWFilterFree(filter); }
};
struct MallocFreer {
  void operator()(void* p) const noexcept { std::free(p); }
};

using ConnectHandle = std::unique_ptr<virConnect, ConnectCloser>;
using DomainHandle = std::unique_ptr<virDomain, DomainFreer>;
using CString = std::unique_ptr<char, MallocFreer>;
using NWFilterHandle = std::unique_ptr<virNWFilter, NWFilterFreer>;

// Takes ownership of a libvirt-allocated string; "" for null.
inline std::string take_string(char* raw) {
  CString owned(raw);
  return owned ? std::string(owned.get()) : std::string();
}

}  // namespace stratus::drivers::libvirt
