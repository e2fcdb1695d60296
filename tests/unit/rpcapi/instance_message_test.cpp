// What a driver receives from the database record: user_data decoded from the
// base64 the API stored, binary bytes intact, no user data left empty.
#include <gtest/gtest.h>

#include <string>

#include "core/rpcapi/instance_message.h"

namespace stratus::core::rpcapi {
namespace {

db::InstanceRecord record_with_user_data(std::optional<std::string> user_data) {
  db::InstanceRecord r;
  r.uuid = "7d6f2324-8372-42b2-9a17-29ef1d1e7b6f";
  r.user_data = std::move(user_data);
  return r;
}

TEST(InstanceMessage, UserDataReachesTheDriverDecoded) {
  // "#!/bin/sh\necho hi\n"
  const InstanceMsg msg = to_instance_msg(record_with_user_data("IyEvYmluL3NoCmVjaG8gaGkK"), {});
  EXPECT_EQ(msg.instance.user_data, "#!/bin/sh\necho hi\n");
}

TEST(InstanceMessage, BinaryUserDataKeepsEveryByte) {
  // 00 ff 0a 80: a NUL, a high byte, a newline.
  const InstanceMsg msg = to_instance_msg(record_with_user_data("AP8KgA=="), {});
  EXPECT_EQ(msg.instance.user_data, std::string("\x00\xff\x0a\x80", 4));
}

TEST(InstanceMessage, NoUserDataIsEmpty) {
  EXPECT_EQ(to_instance_msg(record_with_user_data(std::nullopt), {}).instance.user_data, "");
  EXPECT_EQ(to_instance_msg(record_with_user_data(""), {}).instance.user_data, "");
}

TEST(InstanceMessage, UndecodableStoredUserDataIsNotPassedAsText) {
  EXPECT_EQ(to_instance_msg(record_with_user_data("not base64!"), {}).instance.user_data, "");
}

}  // namespace
}  // namespace stratus::core::rpcapi
