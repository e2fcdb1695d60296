// The driver against libvirt's test:///default: spawn, the full power cycle,
// destroy, list, info, console and resources, with the state machine the SDK
// asks for.
#include <gtest/gtest.h>

#include <algorithm>

#include "libvirt_test_support.h"

namespace stratus::drivers::libvirt::testing {
namespace {

using sdk::PowerState;
using sdk::StatusCode;

TEST(LibvirtLifecycle, SpawnEndsRunningWithItsFilesAndDomain) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  sdk::Flavor& f = i.flavor;
  f.ephemeral_gb = 2;
  f.swap_mb = 256;
  ASSERT_TRUE(t.spawn(i).ok());
  EXPECT_EQ(t.state(i), PowerState::kRunning);
  EXPECT_TRUE(t.domain_exists(i));

  const fs::path dir = t.driver->instance_dir(i.uuid);
  EXPECT_TRUE(fs::exists(dir / "disk"));
  EXPECT_TRUE(fs::exists(dir / "disk.eph0"));
  EXPECT_TRUE(fs::exists(dir / "disk.swap"));
  EXPECT_TRUE(fs::exists(dir / "console.log"));
  // Sizes as the flavor says: root_gb, ephemeral_gb, swap_mb.
  auto calls = t.recording->calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].op, "cache");
  EXPECT_EQ(calls[1].op, "overlay");
  EXPECT_EQ(calls[1].size, 1LL << 30);
  EXPECT_EQ(calls[2].op, "blank");
  EXPECT_EQ(calls[2].size, 2LL << 30);
  EXPECT_EQ(calls[3].size, 256LL << 20);

  auto info = t.driver->get_info(i);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->num_cpu, 2);
  EXPECT_EQ(info->max_mem_kb, 512 * 1024);
  EXPECT_EQ(info->internal_id, i.name);

  EXPECT_EQ(t.spawn(i).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(t.state(i), PowerState::kRunning) << "a refused second spawn must leave the guest alone";
  EXPECT_TRUE(fs::exists(dir / "disk"));
}

TEST(LibvirtLifecycle, FullPowerCycle) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  auto& d = *t.driver;
  auto c = ctx();

  ASSERT_TRUE(d.pause(c, i).ok());
  EXPECT_EQ(t.state(i), PowerState::kPaused);
  EXPECT_EQ(d.pause(c, i).code(), StatusCode::kInvalidState);
  ASSERT_TRUE(d.unpause(c, i).ok());
  EXPECT_EQ(t.state(i), PowerState::kRunning);
  EXPECT_EQ(d.unpause(c, i).code(), StatusCode::kInvalidState);

  ASSERT_TRUE(d.suspend(c, i).ok());
  EXPECT_EQ(t.state(i), PowerState::kSuspended);
  EXPECT_EQ(d.power_on(c, i, {}, {}).code(), StatusCode::kInvalidState);
  EXPECT_EQ(d.power_off(c, i, 0, 0).code(), StatusCode::kInvalidState);
  EXPECT_EQ(d.reboot(c, i, {}, sdk::RebootType::kHard, {}).code(), StatusCode::kInvalidState);
  ASSERT_TRUE(d.resume(c, i, {}, {}).ok());
  EXPECT_EQ(t.state(i), PowerState::kRunning);
  EXPECT_EQ(d.resume(c, i, {}, {}).code(), StatusCode::kInvalidState);

  ASSERT_TRUE(d.reboot(c, i, {}, sdk::RebootType::kSoft, {}).ok());
  EXPECT_EQ(t.state(i), PowerState::kRunning);
  ASSERT_TRUE(d.reboot(c, i, {}, sdk::RebootType::kHard, {}).ok());
  EXPECT_EQ(t.state(i), PowerState::kRunning);

  ASSERT_TRUE(d.power_off(c, i, 5, 1).ok());  // clean: the test driver's guest answers ACPI
  EXPECT_EQ(t.state(i), PowerState::kShutdown);
  EXPECT_TRUE(d.power_off(c, i, 5, 1).ok()) << "powering off a stopped guest is OK";
  EXPECT_EQ(d.pause(c, i).code(), StatusCode::kInvalidState);
  EXPECT_EQ(d.suspend(c, i).code(), StatusCode::kInvalidState);
  EXPECT_EQ(d.reboot(c, i, {}, sdk::RebootType::kSoft, {}).code(), StatusCode::kInvalidState);
  ASSERT_TRUE(d.power_on(c, i, {}, {}).ok());
  EXPECT_EQ(t.state(i), PowerState::kRunning);
  EXPECT_TRUE(d.power_on(c, i, {}, {}).ok()) << "powering on a running guest is OK";

  // Hard reboot from paused and from shut off.
  ASSERT_TRUE(d.pause(c, i).ok());
  ASSERT_TRUE(d.reboot(c, i, {}, sdk::RebootType::kHard, {}).ok());
  EXPECT_EQ(t.state(i), PowerState::kRunning);
  ASSERT_TRUE(d.power_off(c, i, 0, 0).ok());
  ASSERT_TRUE(d.reboot(c, i, {}, sdk::RebootType::kHard, {}).ok());
  EXPECT_EQ(t.state(i), PowerState::kRunning);

  // Suspend a paused guest too; paused guests power off hard.
  ASSERT_TRUE(d.pause(c, i).ok());
  ASSERT_TRUE(d.suspend(c, i).ok());
  EXPECT_EQ(t.state(i), PowerState::kSuspended);
  ASSERT_TRUE(d.resume(c, i, {}, {}).ok());
  ASSERT_TRUE(d.pause(c, i).ok());
  ASSERT_TRUE(d.power_off(c, i, 30, 1).ok());
  EXPECT_EQ(t.state(i), PowerState::kShutdown);
}

TEST(LibvirtLifecycle, SoftRebootFallsBackToHardWhenTheGuestIgnoresAcpi) {
  LibvirtConfig cfg;
  cfg.soft_reboot_timeout = std::chrono::seconds(0);
  TestDriver t(cfg);
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  t.faults->ignore_acpi(true);
  const auto destroys_before = t.faults->calls(ConnectionOp::kDestroy);
  ASSERT_TRUE(t.driver->reboot(ctx(), i, {}, sdk::RebootType::kSoft, {}).ok());
  EXPECT_EQ(t.state(i), PowerState::kRunning);
  EXPECT_EQ(t.faults->calls(ConnectionOp::kDestroy), destroys_before + 1) << "the fallback is a hard stop";
}

TEST(LibvirtLifecycle, PowerOffRetriesAcpiThenStopsHard) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  t.faults->ignore_acpi(true);
  const auto shutdowns_before = t.faults->calls(ConnectionOp::kShutdown);
  ASSERT_TRUE(t.driver->power_off(ctx(), i, 2, 1).ok());
  EXPECT_EQ(t.state(i), PowerState::kShutdown);
  // Sent at once and re-sent after the retry interval, then the plug is pulled.
  EXPECT_GE(t.faults->calls(ConnectionOp::kShutdown), shutdowns_before + 2);
  EXPECT_EQ(t.faults->calls(ConnectionOp::kDestroy), 1u);
}

TEST(LibvirtLifecycle, DestroyRemovesDomainAndFilesAndIsIdempotent) {
  TestDriver t;
  sdk::Instance i = make_instance();
  ASSERT_TRUE(t.spawn(i).ok());
  ASSERT_TRUE(t.driver->suspend(ctx(), i).ok()) << "a managed-save image must not block the undefine";
  ASSERT_TRUE(t.destroy(i).ok());
  EXPECT_FALSE(t.domain_exists(i));
  EXPECT_FALSE(fs::exists(t.driver->instance_dir(i.uuid)));
  EXPECT_EQ(t.driver->get_info(i).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(t.destroy(i).ok()) << "a retried delete succeeds";

  // destroy_disks = false keeps the files.
  sdk::Instance j = make_instance();
  ASSERT_TRUE(t.spawn(j).ok());
  ASSERT_TRUE(t.driver->destroy(ctx(), j, {}, {}, false).ok());
  EXPECT_FALSE(t.domain_exists(j));
  EXPECT_TRUE(fs::exists(t.driver->instance_dir(j.uuid) / "disk"));
  ASSERT_TRUE(t.destroy(j).ok());
  EXPECT_FALSE(fs::exists(t.driver->instance_dir(j.uuid)));
}

TEST(LibvirtLifecycle, OperationsOnAMissingGuestAreNotFound) {
  TestDriver t;
  sdk::Instance i = make_instance();
  auto c = ctx();
  auto& d = *t.driver;
  EXPECT_EQ(d.get_info(i).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(d.reboot(c, i, {}, sdk::RebootType::kHard, {}).code(), StatusCode::kNotFound);
  EXPECT_EQ(d.power_off(c, i, 0, 0).code(), StatusCode::kNotFound);
  EXPECT_EQ(d.power_on(c, i, {}, {}).code(), StatusCode::kNotFound);
  EXPECT_EQ(d.pause(c, i).code(), StatusCode::kNotFound);
  EXPECT_EQ(d.unpause(c, i).code(), StatusCode::kNotFound);
  EXPECT_EQ(d.suspend(c, i).code(), StatusCode::kNotFound);
  EXPECT_EQ(d.resume(c, i, {}, {}).code(), StatusCode::kNotFound);
  EXPECT_EQ(d.get_console_output(c, i).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(d.rebuild(c, i, image(), {}, "", {}, {}, false).code(), StatusCode::kNotFound);
}

TEST(LibvirtLifecycle, ADomainWithTheNameButAnotherUuidIsNotTouched) {
  TestDriver t;
  sdk::Instance i = make_instance();
  ASSERT_TRUE(t.spawn(i).ok());
  sdk::Instance impostor = i;
  impostor.uuid = random_uuid();
  EXPECT_EQ(t.driver->get_info(impostor).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(t.destroy(impostor).ok());
  EXPECT_TRUE(t.domain_exists(i)) << "destroying another uuid must not remove this guest";
  EXPECT_EQ(t.spawn(impostor).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(t.destroy(i).ok());
}

TEST(LibvirtLifecycle, ListsOnlyItsOwnGuests) {
  TestDriver t;
  sdk::Instance a = make_instance(), b = make_instance();
  DomainSweeper sweep{t, {a, b}};
  ASSERT_TRUE(t.spawn(a).ok());
  ASSERT_TRUE(t.spawn(b).ok());
  ASSERT_TRUE(t.driver->power_off(ctx(), b, 0, 0).ok());  // stopped guests are listed too
  auto listed = t.driver->list_instances();
  ASSERT_TRUE(listed.ok()) << listed.status();
  // test:///default always has its own domain "test"; it is not Stratus'.
  auto raw = t.raw()->list();
  ASSERT_TRUE(raw.ok());
  EXPECT_TRUE(std::any_of(raw->begin(), raw->end(), [](const DomainRef& d) { return d.name == "test"; }));
  std::vector<std::string> expected = {a.uuid, b.uuid};
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> ours;
  for (const auto& u : *listed) {
    if (u == a.uuid || u == b.uuid) ours.push_back(u);
  }
  EXPECT_EQ(ours, expected);
  for (const auto& d : *raw) {
    if (d.name == "test") {
      EXPECT_EQ(std::count(listed->begin(), listed->end(), d.uuid), 0);
    }
  }
  ASSERT_TRUE(t.destroy(a).ok());
  listed = t.driver->list_instances();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(std::count(listed->begin(), listed->end(), a.uuid), 0);
  EXPECT_EQ(std::count(listed->begin(), listed->end(), b.uuid), 1);
}

TEST(LibvirtLifecycle, ConsoleOutputIsTheBoundedTailOfTheLog) {
  LibvirtConfig cfg;
  cfg.console_log_bytes = 1024;
  TestDriver t(cfg);
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  auto empty = t.driver->get_console_output(ctx(), i);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, "");
  // The test hypervisor runs no QEMU: write what a guest would have printed.
  {
    std::ofstream log(t.driver->instance_dir(i.uuid) / "console.log", std::ios::app);
    for (int n = 0; n < 200; ++n) log << "boot line " << n << "\n";
    log << "STRATUS-MARKER\n";
  }
  auto out = t.driver->get_console_output(ctx(), i);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->size(), 1024u);
  EXPECT_NE(out->find("boot line 199\nSTRATUS-MARKER\n"), std::string::npos);
  EXPECT_EQ(out->find("boot line 0\n"), std::string::npos);
}

TEST(LibvirtLifecycle, AvailableResourceComesFromTheNode) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.driver->init_host("compute-1").ok());
  auto before = t.driver->get_available_resource("compute-1");
  ASSERT_TRUE(before.ok()) << before.status();
  auto node = t.raw()->node_info();
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(before->hypervisor_hostname, "compute-1");
  EXPECT_EQ(before->hypervisor_type, "QEMU");
  EXPECT_EQ(before->vcpus, node->cpus);
  EXPECT_EQ(before->memory_mb, node->memory_kb / 1024);
  EXPECT_EQ(before->cpu_arch, node->model);
  EXPECT_GT(before->local_gb, 0);
  EXPECT_NE(before->cpu_info.find("\"topology\""), std::string::npos);
  ASSERT_EQ(before->supported_instances.size(), 1u);
  EXPECT_EQ(before->supported_instances[0].hv_type, "qemu");

  ASSERT_TRUE(t.spawn(i).ok());
  auto after = t.driver->get_available_resource("compute-1");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->running_vms, before->running_vms + 1);
  EXPECT_EQ(after->vcpus_used, before->vcpus_used + 2);
}

TEST(LibvirtLifecycle, RebuildReplacesTheRootDiskAndRuns) {
  TestDriver t;
  sdk::Instance i = make_instance();
  i.flavor.ephemeral_gb = 1;
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  const fs::path eph = t.driver->instance_dir(i.uuid) / "disk.eph0";
  { std::ofstream(eph, std::ios::app) << "user data"; }
  ASSERT_TRUE(t.driver->rebuild(ctx(), i, image("debian"), {}, "", {}, {}, true).ok());
  EXPECT_EQ(t.state(i), PowerState::kRunning);
  std::ifstream root(t.driver->instance_dir(i.uuid) / "disk");
  std::string content((std::istreambuf_iterator<char>(root)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "overlay of " + (t.recording->cache.path() / "debian").string());
  std::ifstream kept(eph);
  std::string eph_content((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  EXPECT_EQ(eph_content, "blankuser data") << "preserve_ephemeral keeps the ephemeral disk";
  auto xml = t.raw()->xml(i.name);
  ASSERT_TRUE(xml.ok());
  EXPECT_NE(xml->find("uuid=\"debian\""), std::string::npos) << "the metadata names the new image";

  ASSERT_TRUE(t.driver->pause(ctx(), i).ok());
  EXPECT_EQ(t.driver->rebuild(ctx(), i, image("debian"), {}, "", {}, {}, false).code(), StatusCode::kInvalidState);
}

TEST(LibvirtLifecycle, ALostConnectionIsUnavailableThenReconnects) {
  TestDriver t;
  sdk::Instance i = make_instance();
  DomainSweeper sweep{t, {i}};
  ASSERT_TRUE(t.spawn(i).ok());
  t.faults->lose_connection();
  EXPECT_EQ(t.driver->get_info(i).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(t.driver->list_instances().status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(t.destroy(i).code(), StatusCode::kUnavailable);
  EXPECT_TRUE(fs::exists(t.driver->instance_dir(i.uuid) / "disk")) << "disks stay while the guest's fate is unknown";
  const auto opened = t.faults->connections_opened();
  t.faults->restore_connection();
  EXPECT_EQ(t.state(i), PowerState::kRunning);
  EXPECT_EQ(t.faults->connections_opened(), opened + 1) << "the driver reconnected";
}

TEST(LibvirtLifecycle, CapabilitiesSayWhatWorks) {
  TestDriver t;
  auto caps = t.driver->capabilities();
  EXPECT_TRUE(caps.supports_reboot);
  EXPECT_TRUE(caps.supports_power_off);
  EXPECT_TRUE(caps.supports_pause);
  EXPECT_TRUE(caps.supports_suspend);
  EXPECT_TRUE(caps.supports_rebuild);
  EXPECT_TRUE(caps.supports_console_output);
  EXPECT_TRUE(caps.supports_direct_kernel_boot);
  EXPECT_TRUE(caps.supports_config_drive);
  // And what is refused up front, before anything is made.
  sdk::Instance i = make_instance();
  EXPECT_EQ(t.spawn(i, image("iso-image", "iso")).code(), StatusCode::kNotSupported);
  EXPECT_TRUE(t.recording->calls().empty());
  EXPECT_FALSE(t.domain_exists(i));
}

TEST(LibvirtLifecycle, BadInstancesAreRefusedBeforeAnythingIsMade) {
  TestDriver t;
  sdk::Instance bad_uuid = make_instance();
  bad_uuid.uuid = "../../etc";
  EXPECT_EQ(t.spawn(bad_uuid).code(), StatusCode::kInvalidArgument);
  sdk::Instance bad_name = make_instance();
  bad_name.name = "a/b";
  EXPECT_EQ(t.spawn(bad_name).code(), StatusCode::kInvalidArgument);
  sdk::Instance no_memory = make_instance();
  no_memory.flavor.memory_mb = 0;
  EXPECT_EQ(t.spawn(no_memory).code(), StatusCode::kInvalidArgument);
  sdk::Instance no_bridge = make_instance();
  sdk::Vif vif;
  vif.id = "port-1";
  vif.address = "fa:16:3e:00:00:01";
  vif.network_name = "private";
  EXPECT_EQ(t.spawn(no_bridge, image(), {vif}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(t.recording->calls().empty()) << "nothing was fetched or created";
  EXPECT_FALSE(fs::exists(t.config.instances_path + "/" + no_bridge.uuid));
}

}  // namespace
}  // namespace stratus::drivers::libvirt::testing
