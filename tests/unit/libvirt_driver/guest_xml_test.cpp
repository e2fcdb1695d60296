// The generated domain XML, parsed back with libxml2 (an XML parser that is
// not the writer) and checked element by element, for a spread of flavors,
// images and ports, hostile names included; then defined on test:///default,
// whose parser must accept it and keep the metadata intact.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <memory>

#include "libvirt_test_support.h"
#include "stratus/drivers/libvirt/guest_xml.h"
#include "xml_writer.h"

namespace stratus::drivers::libvirt::testing {
namespace {

struct DocFree {
  void operator()(xmlDocPtr d) const { xmlFreeDoc(d); }
};
struct CtxFree {
  void operator()(xmlXPathContextPtr c) const { xmlXPathFreeContext(c); }
};
struct ObjFree {
  void operator()(xmlXPathObjectPtr o) const { xmlXPathFreeObject(o); }
};
struct XmlFree {
  void operator()(xmlChar* s) const { xmlFree(s); }
};

// A parsed document with XPath queries; `s:` is Stratus' metadata namespace.
class Parsed {
 public:
  explicit Parsed(const std::string& xml)
      : doc_(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "guest.xml", nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) {
    if (doc_) {
      ctx_.reset(xmlXPathNewContext(doc_.get()));
      xmlXPathRegisterNs(ctx_.get(), BAD_CAST "s", BAD_CAST kMetadataNamespace);
    }
  }
  bool ok() const { return doc_ != nullptr; }
  // The document's structure without its values: every element and attribute
  // name (with namespace), in order, and where each element ends. Two
  // documents with the same shape differ only in text and attribute values.
  std::string shape() const { return doc_ ? shape_of(xmlDocGetRootElement(doc_.get())) : ""; }
  int count(const std::string& xpath) const {
    std::unique_ptr<xmlXPathObject, ObjFree> o(xmlXPathEvalExpression(BAD_CAST xpath.c_str(), ctx_.get()));
    return o && o->nodesetval ? o->nodesetval->nodeNr : 0;
  }
  // The string value of an XPath expression ("" when nothing matches).
  std::string str(const std::string& xpath) const {
    std::unique_ptr<xmlXPathObject, ObjFree> o(
        xmlXPathEvalExpression(BAD_CAST("string(" + xpath + ")").c_str(), ctx_.get()));
    if (!o || o->stringval == nullptr) return "";
    return reinterpret_cast<const char*>(o->stringval);
  }

 private:
  static std::string shape_of(const xmlNode* node) {
    std::string out;
    for (; node != nullptr; node = node->next) {
      if (node->type == XML_TEXT_NODE) continue;
      if (node->type != XML_ELEMENT_NODE) {
        out += "!node type " + std::to_string(node->type);  // a comment, PI or CDATA: never ours
        continue;
      }
      out += "<";
      if (node->ns && node->ns->href) out += "{" + std::string(reinterpret_cast<const char*>(node->ns->href)) + "}";
      out += reinterpret_cast<const char*>(node->name);
      for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
        out += " @" + std::string(reinterpret_cast<const char*>(a->name));
      }
      out += ">" + shape_of(node->children) + "</>";
    }
    return out;
  }

  std::unique_ptr<xmlDoc, DocFree> doc_;
  std::unique_ptr<xmlXPathContext, CtxFree> ctx_;
};

GuestConfig base_config() {
  GuestConfig c;
  c.virt_type = "qemu";
  c.name = "instance-0000002a";
  c.uuid = random_uuid();
  c.memory_mb = 2048;
  c.vcpus = 2;
  c.disks = {{"/var/lib/stratus/instances/x/disk", "qcow2", "vda"}};
  c.console_log_path = "/var/lib/stratus/instances/x/console.log";
  c.metadata.uuid = c.uuid;
  c.metadata.display_name = "web";
  c.metadata.flavor_name = "m1.small";
  c.metadata.flavor_id = "2";
  c.metadata.memory_mb = 2048;
  c.metadata.root_gb = 20;
  c.metadata.vcpus = 2;
  c.metadata.project_id = "project-a";
  c.metadata.user_id = "user-a";
  c.metadata.image_id = "cirros";
  return c;
}

TEST(GuestXml, DiskBootGuestHasEveryPart) {
  GuestConfig c = base_config();
  auto xml = build_guest_xml(c);
  ASSERT_TRUE(xml.ok()) << xml.status();
  Parsed p(*xml);
  ASSERT_TRUE(p.ok()) << *xml;
  EXPECT_EQ(p.str("/domain/@type"), "qemu");
  EXPECT_EQ(p.str("/domain/name"), "instance-0000002a");
  EXPECT_EQ(p.str("/domain/uuid"), c.uuid);
  EXPECT_EQ(p.str("/domain/memory"), "2048");
  EXPECT_EQ(p.str("/domain/memory/@unit"), "MiB");
  EXPECT_EQ(p.str("/domain/vcpu"), "2");
  EXPECT_EQ(p.str("/domain/os/type"), "hvm");
  EXPECT_EQ(p.str("/domain/os/boot/@dev"), "hd");
  EXPECT_EQ(p.count("/domain/os/kernel"), 0);
  EXPECT_EQ(p.count("/domain/features/acpi"), 1);
  EXPECT_EQ(p.count("/domain/cpu"), 0) << "cpu_mode none writes no <cpu>";
  EXPECT_EQ(p.count("/domain/devices/disk"), 1);
  EXPECT_EQ(p.str("/domain/devices/disk/target/@bus"), "virtio");
  EXPECT_EQ(p.str("/domain/devices/disk/target/@dev"), "vda");
  EXPECT_EQ(p.str("/domain/devices/disk/driver/@type"), "qcow2");
  EXPECT_EQ(p.str("/domain/devices/disk/source/@file"), "/var/lib/stratus/instances/x/disk");
  EXPECT_EQ(p.str("/domain/devices/serial/@type"), "file");
  EXPECT_EQ(p.str("/domain/devices/serial/source/@path"), c.console_log_path);
  EXPECT_EQ(p.str("/domain/devices/console/@type"), "file");
  EXPECT_EQ(p.str("/domain/devices/console/target/@type"), "serial");
  EXPECT_EQ(p.count("/domain/devices/graphics"), 0) << "no graphics unless configured";
  EXPECT_EQ(p.count("/domain/devices/interface"), 0);
  // Metadata, in Stratus' namespace.
  EXPECT_EQ(p.str("/domain/metadata/s:instance/s:uuid"), c.uuid);
  EXPECT_EQ(p.str("/domain/metadata/s:instance/s:name"), "web");
  EXPECT_EQ(p.str("/domain/metadata/s:instance/s:flavor/@name"), "m1.small");
  EXPECT_EQ(p.str("/domain/metadata/s:instance/s:flavor/s:memory"), "2048");
  EXPECT_EQ(p.str("/domain/metadata/s:instance/s:flavor/s:disk"), "20");
  EXPECT_EQ(p.str("/domain/metadata/s:instance/s:flavor/s:vcpus"), "2");
  EXPECT_EQ(p.str("/domain/metadata/s:instance/s:owner/s:project/@uuid"), "project-a");
  EXPECT_EQ(p.str("/domain/metadata/s:instance/s:owner/s:user/@uuid"), "user-a");
  EXPECT_EQ(p.str("/domain/metadata/s:instance/s:root/@uuid"), "cirros");
}

TEST(GuestXml, KernelBootNicsCpuAndGraphics) {
  GuestConfig c = base_config();
  c.virt_type = "kvm";
  c.cpu_mode = "custom";
  c.cpu_model = "Haswell";
  c.kernel_path = "/i/kernel";
  c.ramdisk_path = "/i/ramdisk";
  c.kernel_cmdline = "root=/dev/vda console=ttyS0";
  c.disks.push_back({"/i/disk.eph0", "qcow2", "vdb"});
  c.disks.push_back({"/i/disk.swap", "qcow2", "vdc"});
  c.interfaces = {{false, "fa:16:3e:00:00:01", "br-private", 1400, "", {}}, {true, "fa:16:3e:00:00:02", "", 1450, "", {}}};
  c.graphics = "vnc";
  auto xml = build_guest_xml(c);
  ASSERT_TRUE(xml.ok());
  Parsed p(*xml);
  ASSERT_TRUE(p.ok()) << *xml;
  EXPECT_EQ(p.str("/domain/@type"), "kvm");
  EXPECT_EQ(p.str("/domain/os/kernel"), "/i/kernel");
  EXPECT_EQ(p.str("/domain/os/initrd"), "/i/ramdisk");
  EXPECT_EQ(p.str("/domain/os/cmdline"), "root=/dev/vda console=ttyS0");
  EXPECT_EQ(p.count("/domain/os/boot"), 0);
  EXPECT_EQ(p.str("/domain/cpu/@mode"), "custom");
  EXPECT_EQ(p.str("/domain/cpu/model"), "Haswell");
  EXPECT_EQ(p.count("/domain/devices/disk"), 3);
  EXPECT_EQ(p.str("/domain/devices/disk[3]/target/@dev"), "vdc");
  EXPECT_EQ(p.count("/domain/devices/interface"), 2);
  EXPECT_EQ(p.str("/domain/devices/interface[1]/@type"), "bridge");
  EXPECT_EQ(p.str("/domain/devices/interface[1]/mac/@address"), "fa:16:3e:00:00:01");
  EXPECT_EQ(p.str("/domain/devices/interface[1]/source/@bridge"), "br-private");
  EXPECT_EQ(p.str("/domain/devices/interface[1]/model/@type"), "virtio");
  EXPECT_EQ(p.str("/domain/devices/interface[1]/mtu/@size"), "1400");
  EXPECT_EQ(p.str("/domain/devices/interface[2]/@type"), "user");
  EXPECT_EQ(p.count("/domain/devices/interface[2]/source"), 0);
  // libvirt refuses an MTU on user networking; the port's MTU is left out there.
  EXPECT_EQ(p.count("/domain/devices/interface[2]/mtu"), 0);
  EXPECT_EQ(p.str("/domain/devices/graphics/@type"), "vnc");
  EXPECT_EQ(p.str("/domain/devices/graphics/@listen"), "127.0.0.1");
}

TEST(GuestXml, HostileValuesStayValues) {
  const std::string hostile[] = {
      "a'<b>&",
      "\"/><devices><disk type='file'><source file='/etc/shadow'/></disk></devices><x a=\"",
      "]]><!-- --><?pi?>&amp;&#x41;",
      "tab\there\nnewline\rcr",
      "ünïcødé ☃ 🚀",
      "</name></stratus:instance></metadata><devices/><name>x",
      "line one\nline two\n\n  indented\t",
      "&lt;&#60;&#x3c;<![CDATA[x]]>",
      std::string(100000, '<') + std::string(100000, '&') + std::string(100000, '"'),  // very long
  };
  Parsed plain(*build_guest_xml(base_config()));
  ASSERT_TRUE(plain.ok());
  for (const std::string& name : hostile) {
    SCOPED_TRACE(name.substr(0, 80));
    GuestConfig c = base_config();
    c.metadata.display_name = name;
    c.metadata.flavor_name = name;
    c.metadata.project_id = name;
    c.name = "instance-" + name.substr(0, 3) + "x";  // names reach libvirt escaped too
    auto xml = build_guest_xml(c);
    ASSERT_TRUE(xml.ok());
    Parsed p(*xml);
    ASSERT_TRUE(p.ok()) << *xml;
    EXPECT_EQ(p.count("//disk"), 1) << "no element was injected";
    EXPECT_EQ(p.count("//x"), 0);
    EXPECT_EQ(p.str("/domain/name"), c.name);
    // Text keeps every character; only a carriage return in text is normalised
    // by any XML parser, which is why the writer encodes it.
    EXPECT_EQ(p.str("/domain/metadata/s:instance/s:name"), name);
    EXPECT_EQ(p.str("/domain/metadata/s:instance/s:flavor/@name"), name);
    EXPECT_EQ(p.str("/domain/metadata/s:instance/s:owner/s:project/@uuid"), name);
    // Element for element and attribute for attribute the plain document.
    EXPECT_EQ(p.shape(), plain.shape());
  }
}

// Values XML 1.0 cannot carry are refused with a message naming where, never
// altered or passed on (libvirt would reject the whole document for one).
TEST(GuestXml, ValuesXmlCannotCarryAreRefused) {
  struct Unwritable {
    std::string value;
    std::string why;  // as the message says it, with the byte offset
  };
  const Unwritable unwritable[] = {
      {"bell\x07", "character U+0007 (not allowed in XML) at byte 4"},
      {std::string("nul") + '\0' + "after", "character U+0000 (not allowed in XML) at byte 3"},
      {"esc\x1b[31m", "character U+001B (not allowed in XML) at byte 3"},
      {"bad\xff byte", "invalid UTF-8 at byte 3"},
      {"truncated \xc3", "invalid UTF-8 at byte 10"},
      {"long \xc0\xbc (a '<')", "invalid UTF-8 at byte 5"},
      {"long \xe0\x80\xaf", "invalid UTF-8 at byte 5"},
      {"lone \xbf\xbf", "invalid UTF-8 at byte 5"},
      {"surrogate \xed\xa0\x80", "invalid UTF-8 at byte 10"},
      {"big \xf4\x90\x80\x80", "invalid UTF-8 at byte 4"},
      {"\xc3\xbc \xef\xbf\xbe", "character U+FFFE (not allowed in XML) at byte 3"},
  };
  for (const auto& [value, why] : unwritable) {
    SCOPED_TRACE(value);
    // As element text, as an attribute value, and as the domain name itself.
    GuestConfig in_text = base_config();
    in_text.metadata.display_name = value;
    auto text = build_guest_xml(in_text);
    ASSERT_EQ(text.status().code(), sdk::StatusCode::kInvalidArgument);
    EXPECT_NE(text.status().message().find("<stratus:name>"), std::string::npos) << text.status();
    EXPECT_NE(text.status().message().find(why), std::string::npos) << text.status();
    EXPECT_NE(text.status().message().find("instance-0000002a"), std::string::npos) << text.status();

    GuestConfig in_attr = base_config();
    in_attr.metadata.flavor_name = value;
    auto attr = build_guest_xml(in_attr);
    ASSERT_EQ(attr.status().code(), sdk::StatusCode::kInvalidArgument);
    EXPECT_NE(attr.status().message().find("attribute name of <stratus:flavor>"), std::string::npos) << attr.status();

    GuestConfig in_name = base_config();
    in_name.name = "instance-" + value;
    auto name = build_guest_xml(in_name);
    ASSERT_EQ(name.status().code(), sdk::StatusCode::kInvalidArgument);
    EXPECT_NE(name.status().message().find("<name>"), std::string::npos) << name.status();
    // The message must not carry the bad bytes on into logs and faults.
    EXPECT_EQ(XmlWriter::unwritable(name.status().message()), "") << name.status();
  }
  // What XML does carry: tab, newline, carriage return, DEL, the BMP's last
  // character before U+FFFE and the last code point.
  for (const std::string ok : {"\t\n\r", "del\x7f", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_EQ(XmlWriter::unwritable(ok), "") << ok;
    GuestConfig c = base_config();
    c.metadata.display_name = ok;
    c.metadata.flavor_name = ok;
    auto xml = build_guest_xml(c);
    ASSERT_TRUE(xml.ok()) << xml.status();
    Parsed p(*xml);
    ASSERT_TRUE(p.ok()) << *xml;
    EXPECT_EQ(p.str("/domain/metadata/s:instance/s:flavor/@name"), ok);
  }
}

// Misuse of the writer is a bug in our code: kInternal, never a document.
TEST(XmlWriterTest, MisuseIsReportedNotWritten) {
  {
    XmlWriter w;
    w.open("a").text("t").attr("late", "x").close();
    EXPECT_EQ(w.finish().status().code(), sdk::StatusCode::kInternal);
  }
  {
    XmlWriter w;
    w.open("a").close().close();
    EXPECT_EQ(w.finish().status().code(), sdk::StatusCode::kInternal);
  }
  {
    XmlWriter w;
    w.open("a").open("b");
    auto r = w.finish();
    EXPECT_EQ(r.status().code(), sdk::StatusCode::kInternal);
    EXPECT_NE(r.status().message().find("<b> left open"), std::string::npos) << r.status();
  }
  for (const char* bad : {"", "1a", "a b", "a<b", "a:b:c", "-a"}) {
    XmlWriter w;
    w.open("a").open(bad).close().close();
    EXPECT_EQ(w.finish().status().code(), sdk::StatusCode::kInternal) << bad;
    XmlWriter v;
    v.open("a").attr(bad, "x").close();
    EXPECT_EQ(v.finish().status().code(), sdk::StatusCode::kInternal) << bad;
  }
  XmlWriter good;
  good.open("a").attr("k", "v").element("b", "t").open("c").close().close();
  auto doc = good.finish();
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(*doc, "<a k=\"v\">\n  <b>t</b>\n  <c/>\n</a>\n");
  EXPECT_EQ(good.finish().status().code(), sdk::StatusCode::kInternal) << "a finished writer is spent";
}

TEST(GuestXml, UnusableConfigsAreRefused) {
  GuestConfig no_name = base_config();
  no_name.name.clear();
  EXPECT_EQ(build_guest_xml(no_name).status().code(), sdk::StatusCode::kInvalidArgument);
  GuestConfig no_memory = base_config();
  no_memory.memory_mb = 0;
  EXPECT_EQ(build_guest_xml(no_memory).status().code(), sdk::StatusCode::kInvalidArgument);
  GuestConfig no_bridge = base_config();
  no_bridge.interfaces = {{false, "fa:16:3e:00:00:01", "", 0, "", {}}};
  EXPECT_EQ(build_guest_xml(no_bridge).status().code(), sdk::StatusCode::kInvalidArgument);
}

// The driver's own XML for a spread of flavors and images, through libvirt's
// parser (test:///default) and back.
TEST(GuestXml, DriverXmlRoundTripsThroughLibvirt) {
  struct Case {
    std::string label;
    sdk::Flavor flavor;
    sdk::ImageMeta image_meta;
    sdk::NetworkInfo network;
    int disks;
    bool kernel;
  };
  sdk::Flavor tiny = small_flavor();
  tiny.vcpus = 1;
  tiny.memory_mb = 64;
  tiny.root_gb = 0;
  sdk::Flavor big = small_flavor();
  big.vcpus = 8;
  big.memory_mb = 16384;
  big.ephemeral_gb = 10;
  big.swap_mb = 1024;
  sdk::ImageMeta kernel_image = image("ami", "ami");
  kernel_image.properties = {{"kernel_id", "aki-1"}, {"ramdisk_id", "ari-1"}, {"os_command_line", "quiet"}};
  sdk::Vif bridged;
  bridged.id = "p1";
  bridged.address = "fa:16:3e:aa:bb:cc";
  bridged.network_name = "private";
  sdk::Vif user;
  user.id = "p2";
  user.address = "fa:16:3e:aa:bb:cd";
  user.type = "user";
  const Case cases[] = {
      {"tiny raw", tiny, image("raw-img", "raw"), {}, 1, false},
      {"big qcow2 with ephemeral and swap", big, image("q", "qcow2"), {bridged}, 3, false},
      {"kernel boot, two nics", small_flavor(), kernel_image, {bridged, user}, 1, true},
  };
  LibvirtConfig cfg;
  cfg.bridges["private"] = "br-priv";
  TestDriver t(cfg);
  for (const Case& k : cases) {
    SCOPED_TRACE(k.label);
    sdk::Instance i = make_instance(k.flavor);
    i.display_name = "a'<b>& \"" + k.label + "\"";
    DomainSweeper sweep{t, {i}};
    ASSERT_TRUE(t.spawn(i, k.image_meta, k.network).ok());
    auto xml = t.raw()->xml(i.name);
    ASSERT_TRUE(xml.ok());
    Parsed p(*xml);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.str("/domain/@type"), "qemu");
    EXPECT_EQ(p.str("/domain/uuid"), i.uuid);
    EXPECT_EQ(p.str("/domain/vcpu"), std::to_string(k.flavor.vcpus));
    EXPECT_EQ(p.str("/domain/memory"), std::to_string(k.flavor.memory_mb * 1024));  // libvirt says KiB
    EXPECT_EQ(p.count("/domain/features/acpi"), 1);
    EXPECT_EQ(p.count("/domain/devices/disk"), k.disks);
    EXPECT_EQ(p.count("/domain/devices/disk[target/@bus='virtio']"), k.disks);
    EXPECT_EQ(p.count("/domain/devices/interface"), static_cast<int>(k.network.size()));
    EXPECT_EQ(p.count("/domain/devices/graphics"), 0);
    EXPECT_EQ(p.str("/domain/devices/serial/source/@path"),
              (t.driver->instance_dir(i.uuid) / "console.log").string());
    EXPECT_EQ(p.str("/domain/metadata/s:instance/s:name"), i.display_name);
    EXPECT_EQ(p.str("/domain/metadata/s:instance/s:flavor/@name"), k.flavor.name);
    EXPECT_EQ(p.str("/domain/metadata/s:instance/s:owner/s:project"), "project-a");
    if (k.kernel) {
      EXPECT_EQ(p.str("/domain/os/kernel"), (t.driver->instance_dir(i.uuid) / "kernel").string());
      EXPECT_EQ(p.str("/domain/os/cmdline"), "quiet");
    } else {
      EXPECT_EQ(p.count("/domain/os/kernel"), 0);
    }
    if (!k.network.empty()) {
      EXPECT_EQ(p.str("/domain/devices/interface[1]/source/@bridge"), "br-priv");
      EXPECT_EQ(p.str("/domain/devices/interface[1]/mac/@address"), "fa:16:3e:aa:bb:cc");
    }
    // libvirt's metadata API finds the element by our namespace.
    auto meta = t.raw()->metadata(i.name, kMetadataNamespace);
    ASSERT_TRUE(meta.ok()) << meta.status();
    EXPECT_NE(meta->find(i.uuid), std::string::npos);
  }
}

// Issue #15: what a user names through the API (server name, flavor name,
// the image's os_command_line, ids) goes through the driver and libvirt's
// own parser (test:///default) and comes back equal, in a document of the
// same structure as a plain one: XML, shell and JSON metacharacters,
// newlines, unicode, 255 characters.
TEST(GuestXml, HostileApiValuesThroughTheDriverAndLibvirt) {
  const std::string hostile[] = {
      "a'<b>&\"",
      "</name></stratus:instance></metadata><devices><disk type='file'/></devices><name>x",
      "]]><!-- --><?pi?>&amp;&#x41;<![CDATA[x]]>",
      "$(touch /tmp/pwned) `id` ; rm -rf / | cat && echo ${HOME} > x < y",
      "{\"json\": [1, 2]}\\u0000\\\"",
      "line one\nline two\ttab",
      "ünïcødé ☃ 🚀 مرحبا",
      std::string(255, 'x'),
  };
  sdk::ImageMeta kernel_image = image("ami", "ami");
  kernel_image.properties = {{"kernel_id", "aki-1"}, {"ramdisk_id", "ari-1"}, {"os_command_line", "quiet"}};
  TestDriver t(LibvirtConfig{});
  std::string plain_shape;
  {
    sdk::Instance i = make_instance();
    DomainSweeper sweep{t, {i}};
    ASSERT_TRUE(t.spawn(i, kernel_image, {}).ok());
    auto xml = t.raw()->xml(i.name);
    ASSERT_TRUE(xml.ok());
    plain_shape = Parsed(*xml).shape();
    ASSERT_FALSE(plain_shape.empty());
  }
  for (const std::string& value : hostile) {
    SCOPED_TRACE(value.substr(0, 40));
    sdk::Flavor flavor = small_flavor();
    flavor.name = value;
    sdk::Instance i = make_instance(flavor);
    i.display_name = value;
    i.project_id = value;
    sdk::ImageMeta meta = kernel_image;
    meta.properties["os_command_line"] = value;
    DomainSweeper sweep{t, {i}};
    ASSERT_TRUE(t.spawn(i, meta, {}).ok());
    auto xml = t.raw()->xml(i.name);
    ASSERT_TRUE(xml.ok());
    Parsed p(*xml);
    ASSERT_TRUE(p.ok()) << *xml;
    EXPECT_EQ(p.shape(), plain_shape) << "a value changed the document's structure";
    EXPECT_EQ(p.count("//disk"), 1);
    EXPECT_EQ(p.str("/domain/metadata/s:instance/s:name"), value);
    EXPECT_EQ(p.str("/domain/metadata/s:instance/s:flavor/@name"), value);
    EXPECT_EQ(p.str("/domain/metadata/s:instance/s:owner/s:project/@uuid"), value);
    EXPECT_EQ(p.str("/domain/os/cmdline"), value);
  }
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
