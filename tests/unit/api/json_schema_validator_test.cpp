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

// Regression: std::regex recursed once per character of a patterned string,
// and a 30000-character server name overflowed the stack and killed the
// API. Strings a pattern reaches are refused as too long before any regex
// runs; strings no pattern reaches keep their own limits.
TEST(JsonSchemaValidator, LongStringsNeverReachAPattern) {
  auto v = JsonSchemaValidator::compile(json::parse(R"({
    "type": "object",
    "definitions": {"hint": {"type": "string", "pattern": "^[a-z]*$"}},
    "properties": {
      "server": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "maxLength": 255, "pattern": "^(?! )[^\\u0000-\\u001f]*[^ ]$"},
          "user_data": {"type": "string", "maxLength": 2000000},
          "count": {"oneOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+$"}]},
          "metadata": {"type": "object", "patternProperties": {"^[a-z]{1,255}$": {"type": "string"}}},
          "tags": {"type": "array", "items": {"type": "string", "pattern": "^[^,/]*$"}},
          "hint": {"$ref": "#/definitions/hint"}
        }
      }
    }
  })"));
  ASSERT_TRUE(v.ok()) << v.status();
  const std::string huge(1000000, 'n');
  const std::string digits(1000000, '7');
  struct Case {
    json body;
    std::string field;
  };
  const Case cases[] = {
      {{{"server", {{"name", huge}}}}, "server/name"},
      {{{"server", {{"count", digits}}}}, "server/count"},
      {{{"server", {{"metadata", {{huge, "v"}}}}}}, "server/metadata/" + huge.substr(0, 10)},
      {{{"server", {{"tags", {"ok", huge}}}}}, "server/tags/1"},
      {{{"server", {{"hint", huge}}}}, "server/hint"},
  };
  for (const auto& c : cases) {
    auto s = v.value()->validate(c.body);
    ASSERT_EQ(s.code(), sdk::StatusCode::kInvalidArgument) << c.field;
    EXPECT_NE(s.message().find("Invalid input for field/attribute " + c.field), std::string::npos) << s.message().substr(0, 200);
    EXPECT_NE(s.message().find("too long"), std::string::npos) << s.message().substr(0, 200);
  }
  // Just under the bound the pattern runs; a long unpatterned string passes.
  const std::string longest(JsonSchemaValidator::kLongestPatternInput, 'n');
  EXPECT_TRUE(v.value()->validate({{"server", {{"tags", {longest}}}}}).ok());
  EXPECT_TRUE(v.value()->validate({{"server", {{"user_data", huge}}}}).ok());
}

TEST(JsonSchemaValidator, RefusesABrokenSchema) {
  auto v = JsonSchemaValidator::compile(json::parse(R"({"type": 7})"));
  EXPECT_FALSE(v.ok());
}

}  // namespace
}  // namespace stratus::core::api
