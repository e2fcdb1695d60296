// CRUD and error cases of the smaller repositories.
#include <gtest/gtest.h>

#include "core/db/compute_node_repository.h"
#include "core/db/flavor_repository.h"
#include "core/db/image_repository.h"
#include "core/db/instance_action_repository.h"
#include "core/db/instance_fault_repository.h"
#include "core/db/instance_repository.h"
#include "core/db/keypair_repository.h"
#include "core/db/network_repository.h"
#include "core/db/server_group_repository.h"
#include "core/db/service_repository.h"
#include "db_test_util.h"

namespace stratus::core::db {
namespace {

using sdk::StatusCode;
using DbRepositories = testing::DbTest;

FlavorRecord flavor(const std::string& id, const std::string& name, int ram) {
  FlavorRecord f;
  f.flavor.id = id;
  f.flavor.name = name;
  f.flavor.vcpus = 1;
  f.flavor.memory_mb = ram;
  f.flavor.root_gb = 1;
  return f;
}

TEST_F(DbRepositories, Flavors) {
  FlavorRepository repo(*db_);
  auto f = flavor("10", "big", 4096);
  f.flavor.extra_specs = {{"hw:mem_page_size", "large"}};
  f.description = "for tests";
  auto created = repo.create(f);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->flavor.extra_specs.at("hw:mem_page_size"), "large");
  EXPECT_EQ(created->description, std::optional<std::string>("for tests"));
  ASSERT_TRUE(repo.create(flavor("11", "small", 256)).ok());
  auto auto_id = repo.create(flavor("", "auto", 128));
  ASSERT_TRUE(auto_id.ok());
  EXPECT_EQ(auto_id->flavor.id.size(), 36u);

  auto dup_id = repo.create(flavor("10", "other", 1));
  EXPECT_EQ(dup_id.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(dup_id.status().message().find("ID 10"), std::string::npos) << dup_id.status();
  EXPECT_EQ(repo.create(flavor("12", "big", 1)).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(repo.create(flavor("13", "zero", 0)).status().code(), StatusCode::kInvalidArgument);

  auto list = repo.list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].flavor.name, "auto");  // smallest first
  FlavorFilter min;
  min.min_ram = 1000;
  EXPECT_EQ(repo.list(min)->size(), 1u);

  ASSERT_TRUE(repo.set_extra_specs("10", {{"a", "1"}}).ok());
  EXPECT_EQ(repo.get("10")->flavor.extra_specs.size(), 2u);
  EXPECT_TRUE(repo.delete_extra_spec("10", "a").ok());
  EXPECT_EQ(repo.delete_extra_spec("10", "a").code(), StatusCode::kNotFound);
  EXPECT_EQ(repo.get_by_name("small")->flavor.id, "11");
  EXPECT_TRUE(repo.remove("10").ok());
  EXPECT_EQ(repo.get("10").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(repo.remove("10").code(), StatusCode::kNotFound);
  EXPECT_EQ(repo.set_extra_specs("10", {{"a", "1"}}).code(), StatusCode::kNotFound);
}

TEST_F(DbRepositories, Images) {
  ImageRepository repo(*db_);
  ImageRecord i;
  i.name = "cirros";
  i.disk_format = "qcow2";
  i.min_ram = 64;
  i.properties = {{"hw_architecture", "x86_64"}};
  auto created = repo.create(i);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->to_sdk().property("hw_architecture"), "x86_64");
  i.id = created->id;
  EXPECT_EQ(repo.create(i).status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(repo.set_properties(i.id, {{"os_distro", "cirros"}}).ok());
  ASSERT_TRUE(repo.set_status(i.id, "deactivated").ok());
  auto got = repo.get(i.id);
  EXPECT_EQ(got->properties.size(), 2u);
  EXPECT_EQ(got->status, "deactivated");
  EXPECT_EQ(repo.list()->size(), 1u);
  EXPECT_TRUE(repo.remove(i.id).ok());
  EXPECT_EQ(repo.get(i.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(repo.set_status(i.id, "active").code(), StatusCode::kNotFound);
}

TEST_F(DbRepositories, Networks) {
  NetworkRepository repo(*db_);
  NetworkRecord n;
  n.name = "net";
  n.cidr = "192.168.7.99/24";
  n.project_id = "p1";
  auto created = repo.create(n);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->cidr, "192.168.7.0/24");
  EXPECT_EQ(created->gateway, "192.168.7.1");
  NetworkRecord shared;
  shared.name = "public";
  shared.cidr = "172.16.0.0/16";
  shared.shared = true;
  ASSERT_TRUE(repo.create(shared).ok());
  EXPECT_EQ(repo.list("p1")->size(), 2u);
  EXPECT_EQ(repo.list("p2")->size(), 1u);
  EXPECT_EQ(repo.list()->size(), 2u);

  for (const char* bad : {"10.0.0.0", "10.0.0.0/31", "10.0.0.256/24", "banana/8", "10.0.0.0/x"}) {
    NetworkRecord b;
    b.cidr = bad;
    EXPECT_EQ(repo.create(b).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  NetworkRecord bad_gw;
  bad_gw.cidr = "10.0.0.0/24";
  bad_gw.gateway = "10.0.1.1";
  EXPECT_EQ(repo.create(bad_gw).status().code(), StatusCode::kInvalidArgument);
  n.uuid = created->uuid;
  EXPECT_EQ(repo.create(n).status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(repo.remove(created->uuid).ok());
  EXPECT_EQ(repo.get(created->uuid).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(repo.remove(created->uuid).code(), StatusCode::kNotFound);
}

TEST_F(DbRepositories, Keypairs) {
  KeypairRepository repo(*db_);
  KeypairRecord k{"mykey", "u1", "ssh-ed25519 AAAA test", "aa:bb", "ssh", ""};
  auto created = repo.create(k);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(created->created_at.empty());
  auto dup = repo.create(k);
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "Key pair 'mykey' already exists.");
  k.user_id = "u2";  // names are per user
  ASSERT_TRUE(repo.create(k).ok());
  EXPECT_EQ(repo.list("u1")->size(), 1u);
  EXPECT_EQ(repo.get("u2", "mykey")->public_key, "ssh-ed25519 AAAA test");
  EXPECT_TRUE(repo.remove("u1", "mykey").ok());
  EXPECT_EQ(repo.get("u1", "mykey").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(repo.remove("u1", "mykey").code(), StatusCode::kNotFound);
  EXPECT_EQ(repo.create({"", "u1", "key", "", "ssh", ""}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(DbRepositories, ServerGroups) {
  ServerGroupRepository repo(*db_);
  ServerGroupRecord g;
  g.name = "spread";
  g.project_id = "p1";
  g.user_id = "u1";
  g.policy = "anti-affinity";
  g.max_server_per_host = 2;
  auto created = repo.create(g);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->max_server_per_host, std::optional<std::int64_t>(2));
  ASSERT_TRUE(repo.add_members(created->uuid, {"i1", "i2", "i1"}).ok());
  EXPECT_EQ(repo.get(created->uuid)->members, (std::vector<std::string>{"i1", "i2"}));
  EXPECT_EQ(repo.groups_of("i2")->size(), 1u);
  EXPECT_TRUE(repo.remove_member(created->uuid, "i1").ok());
  EXPECT_EQ(repo.remove_member(created->uuid, "i1").code(), StatusCode::kNotFound);
  g.policy = "closest";
  EXPECT_EQ(repo.create(g).status().code(), StatusCode::kInvalidArgument);
  g.policy = "affinity";  // rules only with anti-affinity
  EXPECT_EQ(repo.create(g).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(repo.list("p1")->size(), 1u);
  EXPECT_EQ(repo.list("p9")->size(), 0u);
  EXPECT_TRUE(repo.remove(created->uuid).ok());
  EXPECT_EQ(repo.get(created->uuid).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(repo.add_members(created->uuid, {"i3"}).code(), StatusCode::kNotFound);
}

TEST_F(DbRepositories, Services) {
  ServiceRepository repo(*db_);
  auto s = repo.register_service("h1", "stratus-compute", "compute");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->report_count, 0);
  EXPECT_FALSE(s->last_seen_up.has_value());
  ASSERT_TRUE(repo.set_disabled("h1", "stratus-compute", true, "maintenance").ok());
  // Registering again (a restart) keeps the admin state.
  auto again = repo.register_service("h1", "stratus-compute", "compute");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, s->id);
  EXPECT_TRUE(again->disabled);
  EXPECT_EQ(again->disabled_reason, std::optional<std::string>("maintenance"));
  ASSERT_TRUE(repo.heartbeat("h1", "stratus-compute").ok());
  ASSERT_TRUE(repo.heartbeat("h1", "stratus-compute").ok());
  auto got = repo.get("h1", "stratus-compute");
  EXPECT_EQ(got->report_count, 2);
  EXPECT_TRUE(got->last_seen_up.has_value());
  ASSERT_TRUE(repo.set_disabled("h1", "stratus-compute", false).ok());
  ASSERT_TRUE(repo.set_forced_down("h1", "stratus-compute", true).ok());
  got = repo.get_by_id(s->id);
  EXPECT_FALSE(got->disabled);
  EXPECT_FALSE(got->disabled_reason.has_value());
  EXPECT_TRUE(got->forced_down);
  ASSERT_TRUE(repo.register_service("h2", "stratus-compute", "compute").ok());
  ASSERT_TRUE(repo.register_service("ctl", "stratus-conductor", "conductor").ok());
  EXPECT_EQ(repo.list()->size(), 3u);
  EXPECT_EQ(repo.list(std::nullopt, std::string("stratus-compute"))->size(), 2u);
  EXPECT_EQ(repo.list(std::string("h2"))->size(), 1u);
  EXPECT_EQ(repo.heartbeat("h9", "stratus-compute").code(), StatusCode::kNotFound);
  EXPECT_TRUE(repo.remove(s->id).ok());
  EXPECT_EQ(repo.get("h1", "stratus-compute").status().code(), StatusCode::kNotFound);
}

TEST_F(DbRepositories, ComputeNodes) {
  ComputeNodeRepository repo(*db_);
  sdk::HostResources r;
  r.hypervisor_hostname = "n1";
  r.hypervisor_type = "fake";
  r.vcpus = 8;
  r.memory_mb = 16384;
  r.local_gb = 100;
  r.vcpus_used = 5;  // reported usage is not taken: usage is the sum of claims
  auto n = repo.upsert("h1", r);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->vcpus, 8);
  EXPECT_EQ(n->vcpus_used, 0);
  EXPECT_DOUBLE_EQ(n->cpu_allocation_ratio, 4.0);
  r.memory_mb = 32768;
  auto updated = repo.upsert("h1", r);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->id, n->id);
  EXPECT_EQ(updated->memory_mb, 32768);
  EXPECT_EQ(repo.upsert("h2", r).status().code(), StatusCode::kAlreadyExists);  // n1 is h1's
  r.hypervisor_hostname = "";
  EXPECT_EQ(repo.upsert("h1", r).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(repo.set_allocation_ratios("n1", 16.0, 1.5, 1.0).ok());
  EXPECT_DOUBLE_EQ(repo.get_by_id(n->id)->ram_allocation_ratio, 1.5);
  EXPECT_EQ(repo.set_allocation_ratios("n1", 0, 1, 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(repo.set_allocation_ratios("n9", 1, 1, 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(repo.list(std::string("h1"))->size(), 1u);
  EXPECT_EQ(repo.list(std::string("h2"))->size(), 0u);
  EXPECT_TRUE(repo.remove("n1").ok());
  EXPECT_EQ(repo.get("n1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(repo.remove("n1").code(), StatusCode::kNotFound);
}

class DbInstanceChildren : public testing::DbTest {
 protected:
  void SetUp() override {
    InstanceRecord r;
    r.project_id = "p";
    r.user_id = "u";
    auto c = InstanceRepository(*db_).create({r});
    ASSERT_TRUE(c.ok()) << c.status();
    uuid_ = c->front().uuid;
  }
  std::string uuid_;
};

TEST_F(DbInstanceChildren, FaultsNewestFirst) {
  InstanceFaultRepository repo(*db_);
  EXPECT_EQ(repo.latest(uuid_).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(repo.add(uuid_, 500, "first", "trace", "h1").ok());
  ASSERT_TRUE(repo.add(uuid_, 500, "No valid host was found.").ok());
  auto latest = repo.latest(uuid_);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->message, "No valid host was found.");
  EXPECT_EQ(repo.list(uuid_)->size(), 2u);
  EXPECT_EQ(repo.add("nope", 500, "x").status().code(), StatusCode::kNotFound);
}

TEST_F(DbInstanceChildren, ActionsAndEvents) {
  InstanceActionRepository repo(*db_);
  auto a = repo.start(uuid_, "create", "req-1", "u", "p");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(repo.start(uuid_, "create", "req-1", "u", "p").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(repo.start("nope", "create", "req-2", "u", "p").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(repo.start_event(uuid_, "req-1", "compute__do_build_and_run_instance", "h1").ok());
  ASSERT_TRUE(repo.finish_event(uuid_, "req-1", "compute__do_build_and_run_instance", true).ok());
  EXPECT_EQ(repo.finish_event(uuid_, "req-1", "compute__do_build_and_run_instance", true).code(),
            StatusCode::kNotFound);  // nothing running by that name
  ASSERT_TRUE(repo.finish(uuid_, "req-1").ok());
  auto got = repo.get(uuid_, "req-1");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->finish_time.has_value());
  EXPECT_FALSE(got->message.has_value());
  ASSERT_EQ(got->events.size(), 1u);
  EXPECT_EQ(got->events[0].result, std::optional<std::string>("Success"));
  EXPECT_EQ(got->events[0].host, "h1");

  ASSERT_TRUE(repo.start(uuid_, "reboot", "req-2", "u", "p").ok());
  ASSERT_TRUE(repo.start_event(uuid_, "req-2", "compute_reboot_instance", "h1").ok());
  ASSERT_TRUE(repo.finish_event(uuid_, "req-2", "compute_reboot_instance", false, "Traceback...").ok());
  got = repo.get(uuid_, "req-2");
  EXPECT_EQ(got->message, std::optional<std::string>("Error"));
  EXPECT_EQ(got->events[0].traceback, std::optional<std::string>("Traceback..."));
  auto list = repo.list(uuid_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].action, "reboot");  // newest first
  EXPECT_EQ(repo.get(uuid_, "req-9").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(repo.start_event(uuid_, "req-9", "e", "h").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace stratus::core::db
