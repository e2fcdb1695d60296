#include "core/http/json_schema_validator.h"

#include <gtest/gtest.h>

namespace stratus::core::api {
namespace {

using nlohmann::json;

std::shared_ptr<const JsonSchemaValidator> server_schema() {
  auto v = JsonSchemaValidator::compile(json::parse(R"({
    "type": "object",
    "properties": {
      "server": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 255},
          "min_count": {"type": "integer", "minimum": 1},
          "networks": {"type": "array", "items": {"type": "object",
                        "properties": {"uuid": {"type": "string"}}, "additionalProperties": false}}
        },
        "required": ["name"],
        "additionalProperties": false
      }
    },
    "required": ["server"],
    "additionalProperties": false
  })"));
  EXPECT_TRUE(v.ok()) << v.status();
  return v.value();
}

TEST(JsonSchemaValidator, AcceptsAValidBody) {
  auto schema = server_schema();
  EXPECT_TRUE(schema->validate(json::parse(R"({"server": {"name": "web-1", "min_count": 2}})")).ok());
}

TEST(JsonSchemaValidator, NamesTheWrongFieldAndItsValue) {
  auto schema = server_schema();
  auto s = schema->validate(json::parse(R"({"server": {"name": 42}})"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), sdk::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Invalid input for field/attribute server/name. Value: 42."), std::string::npos)
      << s.message();
}

TEST(JsonSchemaValidator, NamesNestedArrayItems) {
  auto schema = server_schema();
  auto s = schema->validate(json::parse(R"({"server": {"name": "a", "networks": [{"uuid": "x"}, {"uuid": 5}]}})"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("field/attribute server/networks/1/uuid. Value: 5."), std::string::npos) << s.message();
}

TEST(JsonSchemaValidator, MissingRequiredAndExtraProperties) {
  auto schema = server_schema();
  auto missing = schema->validate(json::parse(R"({"server": {"min_count": 1}})"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("name"), std::string::npos) << missing.message();
  auto extra = schema->validate(json::parse(R"({"server": {"name": "a", "flavour": "1"}})"));
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.message().find("server"), std::string::npos) << extra.message();
  auto empty_name = schema->validate(json::parse(R"({"server": {"name": ""}})"));
  EXPECT_FALSE(empty_name.ok());
  auto not_object = schema->validate(json::parse(R"([1, 2])"));
  EXPECT_FALSE(not_object.ok());
}

TEST(JsonSchemaValidator, LongValuesAreShortenedInMessages) {
  auto schema = server_schema();
  auto s = schema->validate(json{{"server", {{"name", std::string(1000, 'x')}}}});
  ASSERT_FALSE(s.ok());
  EXPECT_LT(s.message().size(), 400u) << s.message();
}

TEST(JsonSchemaValidator, RefusesABrokenSchema) {
  auto v = JsonSchemaValidator::compile(json::parse(R"({"type": 7})"));
  EXPECT_FALSE(v.ok());
}

}  // namespace
}  // namespace stratus::core::api
