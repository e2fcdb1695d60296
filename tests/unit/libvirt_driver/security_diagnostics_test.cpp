// Security groups as nwfilters and the diagnostics of the libvirt driver
// (ABI 4): the filter XML rule by rule, parsed back with libxml2; the
// domain's <filterref>; the driver defining, redefining and undefining the
// filters over a connection whose nwfilter store is kept in memory
// (test:///default has no nwfilter driver); and get_diagnostics against
// test:///default.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include <map>
#include <memory>

#include "domain_devices.h"
#include "libvirt_test_support.h"
#include "nwfilter_xml.h"
#include "stratus/drivers/libvirt/guest_xml.h"

namespace stratus::drivers::libvirt::testing {
namespace {

using sdk::StatusCode;

class Xpath {
 public:
  explicit Xpath(const std::string& xml)
      : doc_(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "x.xml", nullptr,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) {
    if (doc_) ctx_.reset(xmlXPathNewContext(doc_.get()));
  }
  bool ok() const { return doc_ != nullptr; }
  int count(const std::string& xpath) const {
    std::unique_ptr<xmlXPathObject, ObjFree> o(xmlXPathEvalExpression(BAD_CAST xpath.c_str(), ctx_.get()));
    return o && o->nodesetval ? o->nodesetval->nodeNr : 0;
  }
  std::string str(const std::string& xpath) const {
    std::unique_ptr<xmlXPathObject, ObjFree> o(
        xmlXPathEvalExpression(BAD_CAST("string(" + xpath + ")").c_str(), ctx_.get()));
    return o && o->stringval ? reinterpret_cast<const char*>(o->stringval) : "";
  }

 private:
  struct DocFree {
    void operator()(xmlDocPtr d) const { xmlFreeDoc(d); }
  };
  struct CtxFree {
    void operator()(xmlXPathContextPtr c) const { xmlXPathFreeContext(c); }
  };
  struct ObjFree {
    void operator()(xmlXPathObjectPtr o) const { xmlXPathFreeObject(o); }
  };
  std::unique_ptr<xmlDoc, DocFree> doc_;
  std::unique_ptr<xmlXPathContext, CtxFree> ctx_;
};

sdk::SecurityGroupRule rule(std::string direction, std::string ethertype, std::string protocol, int min = -1,
                            int max = -1, std::string prefix = "") {
  sdk::SecurityGroupRule r;
  r.id = "rule-" + direction + "-" + protocol;
  r.direction = std::move(direction);
  r.ethertype = std::move(ethertype);
  r.protocol = std::move(protocol);
  r.port_range_min = min;
  r.port_range_max = max;
  r.remote_ip_prefix = std::move(prefix);
  return r;
}

sdk::PortSecurity port(std::vector<sdk::SecurityGroupRule> rules,
                       std::string id = "3c1f7d2a-8b4e-4f6a-9c0d-1e2f3a4b5c6d") {
  sdk::PortSecurity p;
  p.port_id = std::move(id);
  p.mac_address = "fa:16:3e:12:34:56";
  p.fixed_ips = {"10.0.0.5", "fd00::5"};
  p.rules = std::move(rules);
  return p;
}

TEST(LibvirtNwfilter, IngressSshFromAPrefix) {
  auto xml = build_nwfilter_xml(port({rule("ingress", "IPv4", "tcp", 22, 22, "192.168.0.0/16")}));
  ASSERT_TRUE(xml.ok()) << xml.status();
  Xpath x(*xml);
  ASSERT_TRUE(x.ok()) << *xml;
  EXPECT_EQ(x.str("/filter/@name"), "stratus-3c1f7d2a-8b4e-4f6a-9c0d-1e2f3a4b5c6d");
  EXPECT_EQ(x.str("/filter/@chain"), "root");
  EXPECT_EQ(x.str("/filter/uuid"), "3c1f7d2a-8b4e-4f6a-9c0d-1e2f3a4b5c6d");
  const std::string ssh = "/filter/rule[@action='accept'][@direction='in'][@priority='500']/tcp";
  ASSERT_EQ(x.count(ssh), 1) << *xml;
  EXPECT_EQ(x.str(ssh + "/@srcipaddr"), "192.168.0.0");
  EXPECT_EQ(x.str(ssh + "/@srcipmask"), "16");
  EXPECT_EQ(x.str(ssh + "/@dstportstart"), "22");
  EXPECT_EQ(x.str(ssh + "/@dstportend"), "22");
  // Anti-spoofing base filters, and the default drop both ways for both families.
  for (const char* base : {"no-mac-spoofing", "no-ip-spoofing", "no-arp-spoofing"}) {
    EXPECT_EQ(x.count(std::string("/filter/filterref[@filter='") + base + "']"), 1) << base;
  }
  EXPECT_EQ(x.count("/filter/filterref[@filter='clean-traffic']"), 0) << "it would accept all inbound IPv4";
  EXPECT_EQ(x.count("/filter/rule[@action='drop'][@direction='inout'][@priority='1000']/all"), 1);
  EXPECT_EQ(x.count("/filter/rule[@action='drop'][@direction='inout'][@priority='1000']/all-ipv6"), 1);
  // DHCP always passes.
  EXPECT_EQ(x.count("/filter/rule[@action='accept'][@direction='out']/udp[@srcportstart='68'][@dstportstart='67']"), 1);
}

TEST(LibvirtNwfilter, EgressIcmpIPv6AndAnyProtocol) {
  auto xml = build_nwfilter_xml(port({rule("egress", "IPv4", "", -1, -1, "10.1.2.3"),
                                      rule("ingress", "IPv4", "icmp", 8, 0),
                                      rule("ingress", "IPv6", "udp", 5000, 5010, "fd00::/8"),
                                      rule("egress", "IPv6", "icmp")}));
  ASSERT_TRUE(xml.ok()) << xml.status();
  Xpath x(*xml);
  const std::string out_all = "/filter/rule[@action='accept'][@direction='out']/all";
  ASSERT_EQ(x.count(out_all), 1) << *xml;
  EXPECT_EQ(x.str(out_all + "/@dstipaddr"), "10.1.2.3");
  EXPECT_EQ(x.str(out_all + "/@dstipmask"), "32");
  EXPECT_EQ(x.str("/filter/rule[@direction='in'][@priority='500']/icmp/@type"), "8");
  EXPECT_EQ(x.str("/filter/rule[@direction='in'][@priority='500']/icmp/@code"), "0");
  const std::string udp6 = "/filter/rule[@direction='in'][@priority='500']/udp-ipv6";
  EXPECT_EQ(x.str(udp6 + "/@srcipaddr"), "fd00::");
  EXPECT_EQ(x.str(udp6 + "/@srcipmask"), "8");
  EXPECT_EQ(x.str(udp6 + "/@dstportstart"), "5000");
  EXPECT_EQ(x.str(udp6 + "/@dstportend"), "5010");
  EXPECT_EQ(x.count("/filter/rule[@direction='out'][@priority='500']/icmpv6"), 1);
}

TEST(LibvirtNwfilter, NoRulesDropsAllButTheBasics) {
  auto xml = build_nwfilter_xml(port({}));
  ASSERT_TRUE(xml.ok());
  Xpath x(*xml);
  EXPECT_EQ(x.count("/filter/rule[@priority='500']"), 0);
  EXPECT_EQ(x.count("/filter/rule[@action='drop']"), 2);
}

TEST(LibvirtNwfilter, PortSecurityDisabledFiltersNothing) {
  auto p = port({rule("ingress", "IPv4", "tcp", 22, 22)});
  p.port_security_enabled = false;
  auto xml = build_nwfilter_xml(p);
  ASSERT_TRUE(xml.ok());
  Xpath x(*xml);
  EXPECT_EQ(x.count("/filter/rule"), 0);
  EXPECT_EQ(x.count("/filter/filterref"), 0);
}

TEST(LibvirtNwfilter, RulesLibvirtCannotExpressAreRefusedByName) {
  struct Case {
    sdk::SecurityGroupRule r;
    std::string says;
  };
  const Case cases[] = {
      {rule("sideways", "IPv4", "tcp"), "direction 'sideways'"},
      {rule("ingress", "IPX", "tcp"), "ethertype 'IPX'"},
      {rule("ingress", "IPv4", "sctp"), "protocol 'sctp'"},
      {rule("ingress", "IPv4", "tcp", 22, 70000), "port range"},
      {rule("ingress", "IPv4", "tcp", -1, -1, "10.0.0.0/33"), "remote prefix '10.0.0.0/33'"},
      {rule("ingress", "IPv4", "tcp", -1, -1, "fd00::/64"), "remote prefix 'fd00::/64'"},
      {rule("ingress", "IPv4", "tcp", 30, 20), "port range"},
  };
  for (const auto& c : cases) {
    auto xml = build_nwfilter_xml(port({c.r}));
    ASSERT_FALSE(xml.ok()) << c.says;
    EXPECT_EQ(xml.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(xml.status().message().find(c.says), std::string::npos) << xml.status().message();
    EXPECT_NE(xml.status().message().find(c.r.id), std::string::npos) << xml.status().message();
  }
  EXPECT_FALSE(build_nwfilter_xml(port({}, "")).ok());
}

TEST(LibvirtNwfilter, AFilterForANonUuidPortKeepsOneUuid) {
  auto a = build_nwfilter_xml(port({}, "port-1"));
  auto b = build_nwfilter_xml(port({rule("ingress", "IPv4", "tcp", 80, 80)}, "port-1"));
  ASSERT_TRUE(a.ok() && b.ok());
  const std::string ua = Xpath(*a).str("/filter/uuid");
  EXPECT_EQ(ua.size(), 36u);
  EXPECT_EQ(ua, Xpath(*b).str("/filter/uuid"));  // libvirt redefines only under the same uuid
  EXPECT_NE(ua, Xpath(*build_nwfilter_xml(port({}, "port-2"))).str("/filter/uuid"));
}

TEST(LibvirtGuestXml, BridgeInterfacesReferenceTheirFilter) {
  GuestConfig g;
  g.name = "instance-x";
  g.uuid = random_uuid();
  g.memory_mb = 64;
  GuestInterface bridged;
  bridged.mac = "fa:16:3e:00:00:01";
  bridged.bridge = "br0";
  bridged.filter = "stratus-p1";
  bridged.filter_ips = {"10.0.0.5"};
  GuestInterface user;
  user.mac = "fa:16:3e:00:00:02";
  user.user_networking = true;
  user.filter = "stratus-p2";
  g.interfaces = {bridged, user};
  auto xml = build_guest_xml(g);
  ASSERT_TRUE(xml.ok()) << xml.status();
  Xpath x(*xml);
  EXPECT_EQ(x.str("//interface[@type='bridge']/filterref/@filter"), "stratus-p1");
  EXPECT_EQ(x.str("//interface[@type='bridge']/filterref/parameter[@name='IP']/@value"), "10.0.0.5");
  EXPECT_EQ(x.count("//interface[@type='user']/filterref"), 0);
  auto devices = parse_domain_devices(*xml);
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->interfaces.size(), 2u);
  EXPECT_EQ(devices->interfaces[0].filter, "stratus-p1");
  EXPECT_EQ(devices->interfaces[0].mac, "fa:16:3e:00:00:01");
  EXPECT_EQ(devices->interfaces[1].filter, "");
}

TEST(LibvirtDomainDevices, ReadsDisksAndInterfaceTargets) {
  const std::string xml = R"(<domain type='qemu'><name>x</name><devices>
      <disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>
      <disk type='file' device='cdrom'><target dev='hda' bus='ide'/></disk>
      <disk type='file' device='disk'><target dev='vdb' bus='virtio'/></disk>
      <interface type='bridge'><mac address='fa:16:3e:00:00:01'/><target dev='vnet3'/></interface>
    </devices></domain>)";
  auto d = parse_domain_devices(xml);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->disks, (std::vector<std::string>{"vda", "vdb"}));
  ASSERT_EQ(d->interfaces.size(), 1u);
  EXPECT_EQ(d->interfaces[0].target_dev, "vnet3");
  EXPECT_FALSE(parse_domain_devices("<nope").ok());
  EXPECT_FALSE(parse_domain_devices("<network/>").ok());
}

// test:///default for domains, an in-memory store for filters (as libvirt's
// nwfilter driver keeps them: by name, refusing to drop one in use).
class FilterStoreConnection final : public LibvirtConnection {
 public:
  FilterStoreConnection(std::unique_ptr<LibvirtConnection> inner, std::shared_ptr<std::map<std::string, std::string>> store)
      : inner_(std::move(inner)), store_(std::move(store)) {}
  const std::string& uri() const override { return inner_->uri(); }
  bool is_alive() override { return inner_->is_alive(); }
  sdk::Status define(const std::string& xml) override { return inner_->define(xml); }
  sdk::Status undefine(const std::string& name) override { return inner_->undefine(name); }
  sdk::Status create(const std::string& name) override { return inner_->create(name); }
  sdk::Status destroy(const std::string& name) override { return inner_->destroy(name); }
  sdk::Status shutdown(const std::string& name) override { return inner_->shutdown(name); }
  sdk::Status suspend(const std::string& name) override { return inner_->suspend(name); }
  sdk::Status resume(const std::string& name) override { return inner_->resume(name); }
  sdk::Status managed_save(const std::string& name) override { return inner_->managed_save(name); }
  sdk::Result<DomainRef> lookup(const std::string& name) override { return inner_->lookup(name); }
  sdk::Result<DomainInfo> info(const std::string& name) override { return inner_->info(name); }
  sdk::Result<std::string> xml(const std::string& name) override { return inner_->xml(name); }
  sdk::Result<std::string> metadata(const std::string& name, const std::string& ns) override {
    return inner_->metadata(name, ns);
  }
  sdk::Result<std::vector<DomainRef>> list() override { return inner_->list(); }
  sdk::Result<NodeInfo> node_info() override { return inner_->node_info(); }
  sdk::Result<std::vector<VcpuStat>> vcpu_stats(const std::string& name) override { return inner_->vcpu_stats(name); }
  sdk::Result<InterfaceStats> interface_stats(const std::string& name, const std::string& dev) override {
    return inner_->interface_stats(name, dev);
  }
  sdk::Result<BlockStats> block_stats(const std::string& name, const std::string& dev) override {
    return inner_->block_stats(name, dev);
  }
  sdk::Status define_nwfilter(const std::string& xml) override {
    Xpath x(xml);
    if (!x.ok() || x.str("/filter/@name").empty()) return sdk::Status::InvalidArgument("bad filter XML");
    (*store_)[x.str("/filter/@name")] = xml;
    return sdk::Status::OK();
  }
  sdk::Status undefine_nwfilter(const std::string& name) override {
    return store_->erase(name) == 1 ? sdk::Status::OK() : sdk::Status::NotFound("no filter " + name);
  }
  sdk::Result<std::string> nwfilter_xml(const std::string& name) override {
    auto it = store_->find(name);
    if (it == store_->end()) return sdk::Status::NotFound("no filter " + name);
    return it->second;
  }

 private:
  std::unique_ptr<LibvirtConnection> inner_;
  std::shared_ptr<std::map<std::string, std::string>> store_;
};

struct FilterDriver {
  FilterDriver() {
    LibvirtConfig cfg;
    cfg.uri = "test:///default";
    cfg.instances_path = (dir.path() / "instances").string();
    driver = std::make_unique<LibvirtDriver>(
        cfg,
        [store = filters](const std::string& uri) -> sdk::Result<std::unique_ptr<LibvirtConnection>> {
          auto c = open_libvirt_connection(uri);
          if (!c.ok()) return c.status();
          return std::unique_ptr<LibvirtConnection>(new FilterStoreConnection(std::move(*c), store));
        },
        disks);
  }
  TempDir dir;
  std::unique_ptr<LibvirtConnection> keep_alive = std::move(open_libvirt_connection("test:///default").value());
  std::shared_ptr<RecordingDisks> disks = std::make_shared<RecordingDisks>();
  std::shared_ptr<std::map<std::string, std::string>> filters = std::make_shared<std::map<std::string, std::string>>();
  std::unique_ptr<LibvirtDriver> driver;
};

TEST(LibvirtSecurityGroups, FiltersExistBeforeTheDomainAndItReferencesThem) {
  FilterDriver t;
  sdk::Instance i = make_instance();
  sdk::Vif vif;
  vif.id = "3c1f7d2a-8b4e-4f6a-9c0d-1e2f3a4b5c6d";
  vif.address = "fa:16:3e:12:34:56";
  vif.bridge = "br-test";
  vif.type = "bridge";
  const sdk::NetworkInfo net{vif};
  const std::string name = "stratus-" + vif.id;

  ASSERT_TRUE(t.driver->apply_security_groups(ctx(), i, {port({rule("ingress", "IPv4", "tcp", 22, 22)})}).ok());
  ASSERT_EQ(t.filters->count(name), 1u);
  EXPECT_EQ(Xpath(t.filters->at(name)).str("//rule[@priority='500']/tcp/@dstportstart"), "22");

  ASSERT_TRUE(t.driver->spawn(ctx(), i, image(), {}, "", net, {}).ok());
  auto xml = t.keep_alive->xml(i.name);
  ASSERT_TRUE(xml.ok());
  Xpath dom(*xml);
  EXPECT_EQ(dom.str("//interface/filterref/@filter"), name) << *xml;
  EXPECT_EQ(dom.str("//interface/filterref/parameter[@name='IP']/@value"), "10.0.0.5");  // IPv4 only
  EXPECT_EQ(dom.count("//interface/filterref/parameter"), 1);

  // A refresh redefines the same filter with the new rules.
  ASSERT_TRUE(t.driver->apply_security_groups(ctx(), i, {port({rule("ingress", "IPv4", "tcp", 443, 443)})}).ok());
  EXPECT_EQ(Xpath(t.filters->at(name)).str("//rule[@priority='500']/tcp/@dstportstart"), "443");

  ASSERT_TRUE(t.driver->destroy(ctx(), i, net, {}, true).ok());
  EXPECT_EQ(t.filters->count(name), 0u) << "the filter goes with the guest";
}

TEST(LibvirtSecurityGroups, ABadRuleDefinesNothing) {
  FilterDriver t;
  sdk::Instance i = make_instance();
  auto good = port({rule("ingress", "IPv4", "tcp", 22, 22)}, "p-good");
  auto bad = port({rule("ingress", "IPv4", "gre")}, "p-bad");
  auto s = t.driver->apply_security_groups(ctx(), i, {good, bad});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(t.filters->empty());
}

TEST(LibvirtSecurityGroups, ANetworkFilterlessHypervisorSaysNotSupported) {
  TestDriver t;  // plain test:///default: no nwfilter driver
  sdk::Instance i = make_instance();
  auto s = t.driver->apply_security_groups(ctx(), i, {port({})});
  EXPECT_EQ(s.code(), StatusCode::kNotSupported) << s;
}

TEST(LibvirtDiagnostics, RunningGuestOnTheTestHypervisor) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  auto d = t.driver->get_diagnostics(ctx(), i);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->state, "running");
  EXPECT_EQ(d->driver, "libvirt");
  EXPECT_EQ(d->hypervisor, "qemu");
  EXPECT_FALSE(d->config_drive);
  EXPECT_EQ(d->memory_max_mb, 512);
  ASSERT_EQ(d->cpus.size(), 2u);  // the flavor's two vCPUs
  EXPECT_EQ(d->cpus[1].id, 1);
  EXPECT_TRUE(d->cpus[0].time_ns.has_value());
  ASSERT_EQ(d->disks.size(), 1u);  // vda
  EXPECT_FALSE(d->uptime_s.has_value());
  ASSERT_TRUE(t.destroy(i).ok());
  EXPECT_EQ(t.driver->get_diagnostics(ctx(), i).status().code(), StatusCode::kNotFound);
}

TEST(LibvirtDiagnostics, ACounterLibvirtRefusesStaysUnknown) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  t.faults->fail(ConnectionOp::kBlockStats, sdk::Status::Internal("injected"));
  t.faults->fail(ConnectionOp::kVcpuStats, sdk::Status::InvalidState("injected: not running"));
  auto d = t.driver->get_diagnostics(ctx(), i);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->disks.size(), 1u);
  EXPECT_FALSE(d->disks[0].read_bytes.has_value());
  ASSERT_EQ(d->cpus.size(), 2u);
  EXPECT_FALSE(d->cpus[0].time_ns.has_value());
  t.faults->clear(ConnectionOp::kBlockStats);
  t.faults->clear(ConnectionOp::kVcpuStats);
  ASSERT_TRUE(t.destroy(i).ok());
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
