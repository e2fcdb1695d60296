// Reading a domain's devices from its XML (contract in domain_devices.h).
#include "domain_devices.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>
#include <string_view>

namespace stratus::drivers::libvirt {

namespace {

struct DocFree {
  void operator()(xmlDoc* d) const noexcept { xmlFreeDoc(d); }
};

bool named(const xmlNode* n, std::string_view name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && name == reinterpret_cast<const char*>(n->name);
}

std::string attr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

const xmlNode* child(const xmlNode* n, std::string_view name) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (named(c, name)) return c;
  }
  return nullptr;
}

}  // namespace

sdk::Result<DomainDevices> parse_domain_devices(const std::string& xml) {
  std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "domain.xml",
                                                     nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return sdk::Status::InvalidArgument("domain XML does not parse");
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!named(root, "domain")) return sdk::Status::InvalidArgument("domain XML has no <domain> root");
  DomainDevices out;
  const xmlNode* devices = child(root, "devices");
  if (devices == nullptr) return out;
  for (const xmlNode* d = devices->children; d != nullptr; d = d->next) {
    if (named(d, "disk")) {
      const std::string device = attr(d, "device");
      if (device != "disk" && !device.empty()) continue;  // the config drive cdrom is not a disk here
      if (const xmlNode* t = child(d, "target")) out.disks.push_back(attr(t, "dev"));
    } else if (named(d, "interface")) {
      DomainInterface nic;
      if (const xmlNode* m = child(d, "mac")) nic.mac = attr(m, "address");
      if (const xmlNode* t = child(d, "target")) nic.target_dev = attr(t, "dev");
      if (const xmlNode* f = child(d, "filterref")) nic.filter = attr(f, "filter");
      out.interfaces.push_back(std::move(nic));
    }
  }
  return out;
}

}  // namespace stratus::drivers::libvirt
