// Writing a GuestConfig as libvirt domain XML (contract in guest_xml.h).
#include "stratus/drivers/libvirt/guest_xml.h"

#include <string>

#include "xml_writer.h"

namespace stratus::drivers::libvirt {
namespace {

using sdk::Status;

std::string ns(const char* local) { return std::string(kMetadataPrefix) + ":" + local; }

void write_metadata(XmlWriter& w, const GuestMetadata& m) {
  w.open("metadata");
  w.open(ns("instance")).attr(std::string("xmlns:") + kMetadataPrefix, kMetadataNamespace);
  w.element(ns("uuid"), m.uuid);
  w.element(ns("name"), m.display_name);
  w.element(ns("creationTime"), m.creation_time);
  w.open(ns("flavor")).attr("name", m.flavor_name).attr("id", m.flavor_id);
  w.element(ns("memory"), std::to_string(m.memory_mb));
  w.element(ns("disk"), std::to_string(m.root_gb));
  w.element(ns("swap"), std::to_string(m.swap_mb));
  w.element(ns("ephemeral"), std::to_string(m.ephemeral_gb));
  w.element(ns("vcpus"), std::to_string(m.vcpus));
  w.close();
  w.open(ns("owner"));
  w.open(ns("user")).attr("uuid", m.user_id).text(m.user_id).close();
  w.open(ns("project")).attr("uuid", m.project_id).text(m.project_id).close();
  w.close();
  w.open(ns("root")).attr("type", "image").attr("uuid", m.image_id).close();
  w.close();  // instance
  w.close();  // metadata
}

void write_os(XmlWriter& w, const GuestConfig& c) {
  w.open("os");
  w.element("type", "hvm");
  if (!c.kernel_path.empty()) {
    w.element("kernel", c.kernel_path);
    if (!c.ramdisk_path.empty()) w.element("initrd", c.ramdisk_path);
    if (!c.kernel_cmdline.empty()) w.element("cmdline", c.kernel_cmdline);
  } else {
    w.open("boot").attr("dev", "hd").close();
  }
  w.close();
}

void write_cpu(XmlWriter& w, const GuestConfig& c) {
  if (c.cpu_mode == "none" || c.cpu_mode.empty()) return;
  if (c.cpu_mode == "custom") {
    w.open("cpu").attr("mode", "custom").attr("match", "exact");
    w.open("model").attr("fallback", "allow").text(c.cpu_model).close();
    w.close();
    return;
  }
  w.open("cpu").attr("mode", c.cpu_mode).close();
}

void write_char_device(XmlWriter& w, const char* kind, const std::string& path, bool console) {
  w.open(kind).attr("type", "file");
  // append: a reboot keeps the earlier boot's log instead of truncating it.
  w.open("source").attr("path", path).attr("append", "on").close();
  w.open("target");
  if (console) w.attr("type", "serial");
  w.attr("port", "0").close();
  w.close();
}

Status check_interface(const GuestInterface& nic) {
  if (nic.mac.empty()) return Status::InvalidArgument("an interface has no MAC");
  if (!nic.user_networking && nic.bridge.empty()) {
    return Status::InvalidArgument("interface " + nic.mac + " has no bridge");
  }
  return Status::OK();
}

void write_interface(XmlWriter& w, const GuestInterface& nic) {
  w.open("interface").attr("type", nic.user_networking ? "user" : "bridge");
  w.open("mac").attr("address", nic.mac).close();
  if (!nic.user_networking) w.open("source").attr("bridge", nic.bridge).close();
  w.open("model").attr("type", "virtio").close();
  // QEMU's user networking has its own fixed MTU, and libvirt refuses an
  // <mtu> on it ("not supported yet"): the port's MTU applies to bridges only.
  if (nic.mtu > 0 && !nic.user_networking) w.open("mtu").attr("size", std::to_string(nic.mtu)).close();
  if (!nic.filter.empty() && !nic.user_networking) {
    w.open("filterref").attr("filter", nic.filter);
    for (const std::string& ip : nic.filter_ips) w.open("parameter").attr("name", "IP").attr("value", ip).close();
    w.close();
  }
  w.close();
}

}  // namespace

sdk::Result<std::string> build_interface_xml(const GuestInterface& nic) {
  if (Status st = check_interface(nic); !st.ok()) return Status(st.code(), "interface XML: " + st.message());
  XmlWriter w;
  write_interface(w, nic);
  auto xml = w.finish();
  if (!xml.ok()) return Status(xml.status().code(), "interface XML: " + xml.status().message());
  return xml;
}

sdk::Result<std::string> build_guest_xml(const GuestConfig& c) {
  if (c.name.empty()) return Status::InvalidArgument("guest XML: no domain name");
  // Errors name the domain, unless its name is itself what XML cannot carry
  // (the message would then carry the bad bytes on into logs and faults).
  const std::string who = "guest XML for " + (XmlWriter::unwritable(c.name).empty() ? c.name : "a domain") + ": ";
  if (c.uuid.empty()) return Status::InvalidArgument(who + "no uuid");
  if (c.memory_mb <= 0) return Status::InvalidArgument(who + "memory must be positive");
  if (c.vcpus <= 0) return Status::InvalidArgument(who + "vcpus must be positive");
  for (const GuestInterface& nic : c.interfaces) {
    if (Status st = check_interface(nic); !st.ok()) return Status(st.code(), who + st.message());
  }

  XmlWriter w;
  w.open("domain").attr("type", c.virt_type);
  w.element("name", c.name);
  w.element("uuid", c.uuid);
  write_metadata(w, c.metadata);
  w.open("memory").attr("unit", "MiB").text(std::to_string(c.memory_mb)).close();
  w.element("vcpu", std::to_string(c.vcpus));
  write_os(w, c);
  w.open("features").open("acpi").close().close();
  write_cpu(w, c);
  w.open("clock").attr("offset", "utc").close();
  w.element("on_poweroff", "destroy");
  w.element("on_reboot", "restart");
  w.element("on_crash", "destroy");

  w.open("devices");
  for (const GuestDisk& disk : c.disks) {
    w.open("disk").attr("type", "file").attr("device", "disk");
    w.open("driver").attr("name", "qemu").attr("type", disk.format).close();
    w.open("source").attr("file", disk.path).close();
    w.open("target").attr("dev", disk.target_dev).attr("bus", "virtio").close();
    w.close();
  }
  if (!c.config_drive_path.empty()) {
    // IDE, not SATA or virtio: every x86 kernel has its driver (ata_piix) and
    // the default machine type (pc) has the controller; Nova's choice too.
    w.open("disk").attr("type", "file").attr("device", "cdrom");
    w.open("driver").attr("name", "qemu").attr("type", "raw").close();
    w.open("source").attr("file", c.config_drive_path).close();
    w.open("target").attr("dev", "hda").attr("bus", "ide").close();
    w.open("readonly").close();
    w.close();
  }
  for (const GuestInterface& nic : c.interfaces) write_interface(w, nic);
  if (!c.console_log_path.empty()) {
    write_char_device(w, "serial", c.console_log_path, false);
    write_char_device(w, "console", c.console_log_path, true);
  }
  if (c.graphics == "vnc" || c.graphics == "spice") {
    // Loopback only: a console open to the network is the operator's choice
    // to make in a later key, not a default.
    w.open("graphics").attr("type", c.graphics).attr("autoport", "yes").attr("listen", "127.0.0.1").close();
  }
  w.close();  // devices
  w.close();  // domain
  auto xml = w.finish();
  if (!xml.ok()) return Status(xml.status().code(), who + xml.status().message());
  return xml;
}

}  // namespace stratus::drivers::libvirt
