// Conductor RPC 1.3 instance_steps: one instance's updates and action events
// applied in order in one transaction, stopped by the first refused guard,
// and a message sent again after its reply was lost taken as done.
#include <gtest/gtest.h>

#include "conductor_test_support.h"
#include "core/db/instance_action_repository.h"

namespace stratus::core::conductor {
namespace {

using namespace std::chrono_literals;
using testing::ConductorTest;

const std::string kEvent = "compute__do_build_and_run_instance";

rpcapi::InstanceStepMsg event_step(const std::string& uuid, bool finish) {
  rpcapi::ActionEventMsg e{uuid, "req-create", kEvent, finish, finish ? "Success" : "", "", "h1"};
  return rpcapi::InstanceStepMsg::of(std::move(e));
}

rpcapi::InstanceStepMsg task_step(const std::string& uuid, std::optional<std::string> task,
                                  std::vector<std::string> expected) {
  rpcapi::InstanceUpdateMsg u;
  u.instance_uuid = uuid;
  u.vm_state = "building";
  u.set_task_state = true;
  u.task_state = std::move(task);
  u.expected_task_state = std::move(expected);
  return rpcapi::InstanceStepMsg::of(std::move(u));
}

// The build's first message: the event's start and the walk to spawning.
rpcapi::InstanceStepsMsg walk(const std::string& uuid) {
  rpcapi::InstanceStepsMsg m;
  m.instance_uuid = uuid;
  m.steps = {event_step(uuid, false), task_step(uuid, std::nullopt, {"scheduling", ""}),
             task_step(uuid, "networking", {""}), task_step(uuid, "block_device_mapping", {"networking"}),
             task_step(uuid, "spawning", {"block_device_mapping"})};
  return m;
}

std::size_t event_count(db::Database& db, const std::string& uuid) {
  auto action = db::InstanceActionRepository(db).get(uuid, "req-create");
  return action.ok() ? action->events.size() : 0;
}

TEST_F(ConductorTest, InstanceStepsAppliesEveryStepInOrder) {
  const std::string uuid = create_instance(flavor());
  ASSERT_TRUE(api_->can_send_steps());
  ASSERT_TRUE(api_->instance_steps(ctx(), walk(uuid)).ok());
  EXPECT_EQ(instance(uuid).vm_state, "building");
  EXPECT_EQ(instance(uuid).task_state, std::optional<std::string>("spawning"));
  EXPECT_EQ(event_count(*db_, uuid), 1u);

  rpcapi::InstanceStepsMsg end;
  end.instance_uuid = uuid;
  rpcapi::InstanceUpdateMsg active;
  active.instance_uuid = uuid;
  active.vm_state = "active";
  active.set_task_state = true;
  active.set_launched_at = true;
  active.expected_task_state = {"spawning"};
  end.steps = {rpcapi::InstanceStepMsg::of(active), event_step(uuid, true)};
  ASSERT_TRUE(api_->instance_steps(ctx(), end).ok());
  const auto rec = instance(uuid);
  EXPECT_EQ(rec.vm_state, "active");
  EXPECT_EQ(rec.task_state, std::nullopt);
  EXPECT_TRUE(rec.launched_at.has_value());
  auto action = db::InstanceActionRepository(*db_).get(uuid, "req-create");
  ASSERT_TRUE(action.ok());
  ASSERT_EQ(action->events.size(), 1u);
  EXPECT_EQ(action->events[0].result, std::optional<std::string>("Success"));
}

TEST_F(ConductorTest, InstanceStepsStopsAtTheFirstRefusedUpdateAndKeepsTheStepsBefore) {
  const std::string uuid = create_instance(flavor());
  auto m = walk(uuid);
  m.steps[3] = task_step(uuid, "block_device_mapping", {"spawning"});  // does not follow networking
  const sdk::Status refused = api_->instance_steps(ctx(), m);
  EXPECT_EQ(refused.code(), sdk::StatusCode::kInvalidState) << refused;
  // The event and the first two steps are stored; the fourth never ran.
  EXPECT_EQ(instance(uuid).task_state, std::optional<std::string>("networking"));
  EXPECT_EQ(event_count(*db_, uuid), 1u);
}

TEST_F(ConductorTest, InstanceStepsSentAgainAfterALostReplyIsDoneOnce) {
  const std::string uuid = create_instance(flavor());
  ASSERT_TRUE(api_->instance_steps(ctx(), walk(uuid)).ok());
  // The same message again: its first update is refused (the walk is done),
  // the walk's end is where it stands: OK, and the event is not doubled.
  ASSERT_TRUE(api_->instance_steps(ctx(), walk(uuid)).ok());
  EXPECT_EQ(instance(uuid).task_state, std::optional<std::string>("spawning"));
  EXPECT_EQ(event_count(*db_, uuid), 1u);

  // An instance the API deleted meanwhile is no walk already done.
  ASSERT_TRUE(db::InstanceRepository(*db_).destroy(uuid).ok());
  EXPECT_FALSE(api_->instance_steps(ctx(), walk(uuid)).ok());
}

TEST_F(ConductorTest, InstanceStepsRefusesAStepOfAnotherInstance) {
  const std::string a = create_instance(flavor());
  const std::string b = create_instance(flavor(), "req-b");
  auto m = walk(a);
  m.steps.push_back(task_step(b, std::nullopt, {"scheduling"}));
  EXPECT_EQ(api_->instance_steps(ctx(), m).code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_EQ(instance(a).task_state, std::optional<std::string>("scheduling"));
  EXPECT_EQ(instance(b).task_state, std::optional<std::string>("scheduling"));
  EXPECT_EQ(event_count(*db_, a), 0u);
}

TEST_F(ConductorTest, InstanceStepsNeedConductorRpc13) {
  rpcapi::ConductorRpcApi capped(*api_ep_, 3000ms, rpcapi::fixed_cap("1.2"));
  EXPECT_FALSE(capped.can_send_steps());
  const std::string uuid = create_instance(flavor());
  EXPECT_TRUE(capped.instance_steps(ctx(), walk(uuid)).is(sdk::StatusCode::kNotSupported));
  EXPECT_EQ(instance(uuid).task_state, std::optional<std::string>("scheduling"));
}

}  // namespace
}  // namespace stratus::core::conductor
