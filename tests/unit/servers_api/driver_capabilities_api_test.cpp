// Issue #21: an action the virt driver of the instance's host declared it
// cannot do (its node's reported DriverCapabilities) is refused before
// anything is cast or changed, with Nova's answer for that action: 501 for
// pause, unpause and the console (Nova's raise_feature_not_supported), 409
// for the others (no 501 among their Nova expected errors).
#include "core/compute/api/driver_capability_check.h"
#include "core/db/compute_node_repository.h"
#include "core/db/instance_action_repository.h"
#include "servers_test_support.h"

namespace stratus::core::api::test_support {
namespace {

using nlohmann::json;

// A driver that can do everything; each case turns one flag off.
sdk::DriverCapabilities everything() {
  sdk::DriverCapabilities c;
  c.supports_reboot = c.supports_power_off = c.supports_pause = c.supports_suspend = true;
  c.supports_rebuild = c.supports_console_output = c.supports_config_drive = c.supports_direct_kernel_boot = true;
  return c;
}

struct Case {
  bool sdk::DriverCapabilities::*flag;
  std::string vm_state;  // a state the action is allowed from
  json body;
  int status;            // Nova's answer without the capability
  std::string action;    // Nova's word
  std::string method;    // what would have been sent to compute.host1
};

const std::vector<Case>& cases() {
  using C = sdk::DriverCapabilities;
  static const std::vector<Case> all = {
      {&C::supports_reboot, "active", {{"reboot", {{"type", "SOFT"}}}}, 409, "reboot", "reboot_instance"},
      {&C::supports_reboot, "stopped", {{"reboot", {{"type", "HARD"}}}}, 409, "reboot", "reboot_instance"},
      {&C::supports_power_off, "active", {{"os-stop", nullptr}}, 409, "stop", "stop_instance"},
      {&C::supports_power_off, "stopped", {{"os-start", nullptr}}, 409, "start", "start_instance"},
      {&C::supports_pause, "active", {{"pause", nullptr}}, 501, "pause", "pause_instance"},
      {&C::supports_pause, "paused", {{"unpause", nullptr}}, 501, "unpause", "unpause_instance"},
      {&C::supports_suspend, "active", {{"suspend", nullptr}}, 409, "suspend", "suspend_instance"},
      {&C::supports_suspend, "suspended", {{"resume", nullptr}}, 409, "resume", "resume_instance"},
      {&C::supports_rebuild, "active", {{"rebuild", {{"imageRef", db::kDefaultImageUuid}, {"name", "x"}}}}, 409,
       "rebuild", "rebuild_instance"},
      {&C::supports_console_output, "active", {{"os-getConsoleOutput", json::object()}}, 501, "get_console_output",
       "get_console_output"},
  };
  return all;
}

class DriverCapabilitiesApiTest : public ServersApiTest {
 protected:
  // host1's node reports these capabilities, as the conductor records a report.
  void report(const sdk::DriverCapabilities& caps) {
    sdk::HostResources r;
    r.hypervisor_hostname = "host1";
    r.vcpus = 8;
    r.memory_mb = 8192;
    r.local_gb = 100;
    ASSERT_TRUE(db::ComputeNodeRepository(*db_).upsert("host1", r, caps).ok());
  }
};

TEST_F(DriverCapabilitiesApiTest, EachActionTheDriverLacksIsRefusedBeforeTheCastAndChangesNothing) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.body.dump() + " from " + c.vm_state);
    sdk::DriverCapabilities caps = everything();
    caps.*(c.flag) = false;
    report(caps);
    const std::string id = create_server();
    set_state(id, c.vm_state);
    const auto before = instance(id);
    const size_t sent_before = services_.compute_messages();

    auto r = action(id, c.body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status) << r->body;
    const json fault = body(r);
    const std::string key = c.status == 501 ? "notImplemented" : "conflictingRequest";
    ASSERT_TRUE(fault.contains(key)) << r->body;
    const std::string message = fault[key]["message"].get<std::string>();
    if (c.status == 409) {
      EXPECT_EQ(message.rfind("Cannot '" + c.action + "' instance " + id + ": ", 0), 0u) << message;
    } else {
      EXPECT_EQ(message.rfind("The requested functionality is not supported", 0), 0u) << message;
    }
    EXPECT_NE(message.find("host1"), std::string::npos) << message;

    // Nothing sent, nothing changed, no instance action recorded.
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(services_.compute_messages(), sent_before);
    const auto after = instance(id);
    EXPECT_EQ(after.vm_state, before.vm_state);
    EXPECT_EQ(after.task_state, before.task_state);
    EXPECT_EQ(after.display_name, before.display_name);
    auto actions = db::InstanceActionRepository(*db_).list(id).value();
    for (const auto& a : actions) EXPECT_EQ(a.action, "create");
  }
}

TEST_F(DriverCapabilitiesApiTest, TheSameActionsPassWhenTheDriverHasTheCapability) {
  report(everything());
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.body.dump() + " from " + c.vm_state);
    const std::string id = create_server();
    set_state(id, c.vm_state);
    auto r = action(id, c.body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.method == "get_console_output" ? 200 : 202) << r->body;
    EXPECT_TRUE(services_.wait_for(c.method)) << "no " << c.method;
  }
}

TEST_F(DriverCapabilitiesApiTest, ANodeWhoseCapabilitiesAreUnknownIsLeftToItsHost) {
  // A node recorded without capabilities (before migration 13, or a report
  // that did not carry them): the API does not guess.
  sdk::HostResources r;
  r.hypervisor_hostname = "host1";
  r.vcpus = 8;
  r.memory_mb = 8192;
  ASSERT_TRUE(db::ComputeNodeRepository(*db_).upsert("host1", r).ok());
  const std::string id = create_server();
  set_state(id, "active");
  auto resp = action(id, {{"suspend", nullptr}});
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 202) << resp->body;
  EXPECT_TRUE(services_.wait_for("suspend_instance"));
}

TEST_F(DriverCapabilitiesApiTest, TheStateIsCheckedFirstAsNovaDoes) {
  sdk::DriverCapabilities caps = everything();
  caps.supports_suspend = false;
  report(caps);
  const std::string id = create_server();
  set_state(id, "stopped");
  auto r = action(id, {{"suspend", nullptr}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_NE(r->body.find("while it is in vm_state stopped"), std::string::npos) << r->body;
}

TEST(DriverCapabilityCheck, ActionsWithoutAnOptionalCapabilityAreNeverRefused) {
  db::InstanceRecord i;
  i.uuid = "u";
  i.host = "h";
  const sdk::DriverCapabilities none;
  for (const char* action : {"delete", "forceDelete", "restore", "lock", "update metadata"}) {
    EXPECT_TRUE(compute::check_driver_capability(none, i, action).ok()) << action;
  }
  EXPECT_TRUE(compute::check_driver_capability(none, i, "reboot").is(sdk::StatusCode::kInvalidState));
  EXPECT_TRUE(compute::check_driver_capability(none, i, "pause").is(sdk::StatusCode::kNotSupported));
}

}  // namespace
}  // namespace stratus::core::api::test_support
