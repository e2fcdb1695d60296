// The services' messages survive msgpack both ways, and follow the
// positional-array versioning rule: a shorter array leaves defaults.
#include <gtest/gtest.h>

#include <tuple>

#include "core/rpcapi/messages.h"
#include "stratus/rpc/payload.h"

namespace stratus::core::rpcapi {
namespace {

template <class T>
T round_trip(const T& value) {
  auto encoded = rpc::Payload::of(value);
  EXPECT_TRUE(encoded.ok());
  auto decoded = encoded->template as<T>();
  EXPECT_TRUE(decoded.ok()) << (decoded.ok() ? "" : decoded.error().to_string());
  return decoded.ok() ? decoded.value() : T{};
}

InstanceMsg sample_instance() {
  InstanceMsg m;
  m.instance.uuid = "7d6f2324-8372-42b2-9a17-29ef1d1e7b6f";
  m.instance.name = "instance-0000002a";
  m.instance.display_name = "web-1";
  m.instance.host = "compute-1";
  m.instance.flavor.id = "2";
  m.instance.flavor.name = "m1.small";
  m.instance.flavor.vcpus = 1;
  m.instance.flavor.memory_mb = 2048;
  m.instance.flavor.extra_specs = {{"hw:cpu_policy", "shared"}};
  m.instance.metadata = {{"role", "web"}};
  m.instance.power_state = sdk::PowerState::kPaused;
  m.vm_state = "paused";
  m.task_state = "unpausing";
  sdk::Vif vif;
  vif.id = "port-1";
  vif.address = "fa:16:3e:00:00:01";
  vif.fixed_ips = {"10.0.0.5"};
  m.network_info.push_back(vif);
  m.launched_at = "2026-11-26T08:00:00Z";
  return m;
}

TEST(RpcApiMessages, InstanceKeepsEveryField) {
  const InstanceMsg in = sample_instance();
  const InstanceMsg out = round_trip(in);
  EXPECT_EQ(out.instance.uuid, in.instance.uuid);
  EXPECT_EQ(out.instance.display_name, "web-1");
  EXPECT_EQ(out.instance.flavor.memory_mb, 2048);
  EXPECT_EQ(out.instance.flavor.extra_specs.at("hw:cpu_policy"), "shared");
  EXPECT_EQ(out.instance.metadata.at("role"), "web");
  EXPECT_EQ(out.instance.power_state, sdk::PowerState::kPaused);
  EXPECT_EQ(out.task_state, std::optional<std::string>("unpausing"));
  ASSERT_EQ(out.network_info.size(), 1u);
  EXPECT_EQ(out.network_info[0].fixed_ips, std::vector<std::string>{"10.0.0.5"});
  EXPECT_EQ(out.launched_at, in.launched_at);
}

TEST(RpcApiMessages, NoneTaskStateStaysNone) {
  InstanceMsg in = sample_instance();
  in.task_state.reset();
  EXPECT_FALSE(round_trip(in).task_state.has_value());
}

TEST(RpcApiMessages, BuildRequestCarriesSpecGroupAndDisks) {
  BuildAndRunRequest in;
  in.instance = sample_instance();
  in.image.id = "img-1";
  in.image.properties = {{"hw_architecture", "x86_64"}};
  in.spec.scheduler_hints = {{"same_host", {"a", "b"}}};
  in.spec.instance_group = sdk::InstanceGroup{"g-1", "grp", "anti-affinity", {"m1"}, {"h1"}, 2};
  in.spec.force_hosts = {"compute-2"};
  in.block_device_info.swap = sdk::SwapDisk{"/dev/vdc", 512};
  in.block_device_info.ephemerals.push_back({"/dev/vdb", 10, "ext4"});
  in.alternates = {{"compute-2", "compute-2"}, {"compute-3", "compute-3"}};
  in.attempt = 2;
  const BuildAndRunRequest out = round_trip(in);
  EXPECT_EQ(out.image.property("hw_architecture"), "x86_64");
  EXPECT_EQ(out.spec.hint("same_host"), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(out.spec.instance_group.has_value());
  EXPECT_EQ(out.spec.instance_group->policy, "anti-affinity");
  EXPECT_EQ(out.spec.instance_group->max_server_per_host, 2);
  EXPECT_EQ(out.spec.force_hosts, std::vector<std::string>{"compute-2"});
  ASSERT_TRUE(out.block_device_info.swap.has_value());
  EXPECT_EQ(out.block_device_info.swap->size_mb, 512);
  EXPECT_EQ(out.block_device_info.ephemerals.at(0).guest_format, "ext4");
  EXPECT_EQ(out.alternates, in.alternates);
  EXPECT_EQ(out.attempt, 2);
}

TEST(RpcApiMessages, UpdateDistinguishesLeaveFromClear) {
  InstanceUpdateMsg in;
  in.instance_uuid = "u";
  in.set_task_state = true;  // clear it
  in.power_state = sdk::PowerState::kRunning;
  in.expected_task_state = {"spawning", ""};
  const InstanceUpdateMsg out = round_trip(in);
  EXPECT_TRUE(out.set_task_state);
  EXPECT_FALSE(out.task_state.has_value());
  EXPECT_FALSE(out.vm_state.has_value());
  EXPECT_EQ(out.power_state, std::optional<sdk::PowerState>(sdk::PowerState::kRunning));
  EXPECT_EQ(out.expected_task_state, (std::vector<std::string>{"spawning", ""}));
}

TEST(RpcApiMessages, ReportCarriesResourcesAndCapabilities) {
  NodeReportMsg in;
  in.host = "compute-1";
  in.resources.hypervisor_hostname = "compute-1";
  in.resources.vcpus = 16;
  in.resources.memory_mb = 65536;
  in.resources.supported_instances = {{"x86_64", "qemu", "hvm"}};
  in.capabilities.supports_pause = true;
  in.capabilities.supported_image_formats = {"qcow2"};
  in.instance_uuids = {"a", "b"};
  in.cpu_allocation_ratio = 4.0;
  const NodeReportMsg out = round_trip(in);
  EXPECT_EQ(out.resources.memory_mb, 65536);
  EXPECT_EQ(out.resources.supported_instances.at(0).hv_type, "qemu");
  EXPECT_TRUE(out.capabilities.supports_pause);
  EXPECT_FALSE(out.capabilities.supports_suspend);
  EXPECT_EQ(out.instance_uuids.size(), 2u);
  EXPECT_DOUBLE_EQ(out.cpu_allocation_ratio, 4.0);
  EXPECT_EQ(out.availability_zone, "nova");
}

// An older sender knows fewer fields: the missing trailing ones keep their defaults.
TEST(RpcApiMessages, ShorterArrayLeavesTrailingDefaults) {
  auto older = rpc::Payload::of(std::make_tuple(std::string("compute-9"), std::string("stratus-compute")));
  ASSERT_TRUE(older.ok());
  auto decoded = older->as<ServiceMsg>();
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->host, "compute-9");
  EXPECT_EQ(decoded->binary, "stratus-compute");
  EXPECT_EQ(decoded->topic, "");
  EXPECT_FALSE(decoded->disabled);
}

// expected_host (appended in #15): sent, it round-trips; from a compute that
// predates it (ten fields), it decodes as no guard.
TEST(RpcApiMessages, UpdateHostGuardIsAppendedAndOptional) {
  InstanceUpdateMsg in;
  in.instance_uuid = "u";
  in.expected_host = "c2";
  EXPECT_EQ(round_trip(in).expected_host, std::optional<std::string>("c2"));

  auto older = rpc::Payload::of(std::make_tuple(std::string("u"), std::string("active"), true, std::string(),
                                                msgpack::type::nil_t(), msgpack::type::nil_t(),
                                                msgpack::type::nil_t(), false, std::vector<std::string>{"spawning"},
                                                std::vector<std::string>{"building"}));
  ASSERT_TRUE(older.ok());
  auto decoded = older->as<InstanceUpdateMsg>();
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->vm_state, std::optional<std::string>("active"));
  EXPECT_EQ(decoded->expected_vm_state, std::vector<std::string>{"building"});
  EXPECT_FALSE(decoded->expected_host.has_value());
}

TEST(RpcApiMessages, WrongShapeIsABadMessageNotACrash) {
  auto wrong = rpc::Payload::of(std::string("not an array"));
  ASSERT_TRUE(wrong.ok());
  auto decoded = wrong->as<BuildAndRunRequest>();
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, rpc::Errc::bad_message);
  auto nested = rpc::Payload::of(std::make_tuple(std::string("uuid"), 42));  // spec must be an array
  ASSERT_TRUE(nested.ok());
  EXPECT_FALSE(nested->as<BuildInstancesRequest>().ok());
}

// build_and_run_instance 1.0 and 1.1 (docs/rpc-protocol.md 11.3): the 1.0
// shape is the six first fields of the 1.1 one, so either side decodes the other.
TEST(Messages, BuildAndRunVersionsDecodeEachOther) {
  BuildAndRunRequest full;
  full.instance = sample_instance();
  full.attempt = 2;
  full.alternates = {{"compute-2", "compute-2"}};
  full.injection.admin_password = "pw";
  full.port_security.resize(1);
  full.port_security[0].port_id = "port-1";
  const BuildAndRunRequestV1_0 old{full.instance, full.image, full.spec, full.block_device_info, full.alternates,
                                   full.attempt};
  auto old_bytes = rpc::Payload::of(old);
  ASSERT_TRUE(old_bytes.ok());
  auto as_new = old_bytes->as<BuildAndRunRequest>();
  ASSERT_TRUE(as_new.ok()) << as_new.error().to_string();
  EXPECT_EQ(as_new->instance.instance.uuid, full.instance.instance.uuid);
  EXPECT_EQ(as_new->attempt, 2);
  EXPECT_EQ(as_new->alternates, full.alternates);
  EXPECT_TRUE(as_new->injection.admin_password.empty());
  EXPECT_TRUE(as_new->port_security.empty());
  auto new_bytes = rpc::Payload::of(full);
  ASSERT_TRUE(new_bytes.ok());
  auto as_old = new_bytes->as<BuildAndRunRequestV1_0>();
  ASSERT_TRUE(as_old.ok()) << as_old.error().to_string();
  EXPECT_EQ(as_old->attempt, 2);
  // The heartbeat's rpc_version: an old 4-field Service decodes with "".
  auto four = rpc::Payload::of(std::make_tuple(std::string("h"), std::string("stratus-compute"),
                                               std::string("compute"), false));
  ASSERT_TRUE(four.ok());
  auto service = four->as<ServiceMsg>();
  ASSERT_TRUE(service.ok());
  EXPECT_EQ(service->rpc_version, "");
  EXPECT_EQ(round_trip(ServiceMsg{"h", "b", "t", false, "1.1"}).rpc_version, "1.1");
}

}  // namespace
}  // namespace stratus::core::rpcapi
