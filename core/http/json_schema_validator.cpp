#include "core/http/json_schema_validator.h"

#include <exception>
#include <string_view>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace stratus::core::api {

struct JsonSchemaValidator::Compiled {
  valijson::Schema schema;
};

JsonSchemaValidator::JsonSchemaValidator(std::unique_ptr<Compiled> compiled) : compiled_(std::move(compiled)) {}
JsonSchemaValidator::~JsonSchemaValidator() = default;

sdk::Result<std::shared_ptr<const JsonSchemaValidator>> JsonSchemaValidator::compile(const nlohmann::json& schema) {
  auto compiled = std::make_unique<Compiled>();
  try {
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(schema);
    parser.populateSchema(adapter, compiled->schema);
  } catch (const std::exception& e) {
    return sdk::Status::InvalidArgument(std::string("invalid JSON schema: ") + e.what());
  }
  return std::shared_ptr<const JsonSchemaValidator>(new JsonSchemaValidator(std::move(compiled)));
}

namespace {

// valijson's context is {"<root>", "[server]", "[name]"}; Nova names the field
// as "server/name".
std::string field_path(const std::vector<std::string>& context) {
  std::string out;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    std::string_view p = part;
    if (p.size() >= 2 && p.front() == '[' && p.back() == ']') p = p.substr(1, p.size() - 2);
    if (p.size() >= 2 && p.front() == '"' && p.back() == '"') p = p.substr(1, p.size() - 2);
    if (!out.empty()) out += "/";
    out += p;
  }
  return out;
}

const nlohmann::json* value_at(const nlohmann::json& body, const std::vector<std::string>& context) {
  const nlohmann::json* node = &body;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    std::string_view p = part;
    if (p.size() >= 2 && p.front() == '[' && p.back() == ']') p = p.substr(1, p.size() - 2);
    if (p.size() >= 2 && p.front() == '"' && p.back() == '"') p = p.substr(1, p.size() - 2);
    if (node->is_object()) {
      auto it = node->find(std::string(p));
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      size_t index = 0;
      for (char c : p) {
        if (c < '0' || c > '9') return nullptr;
        index = index * 10 + static_cast<size_t>(c - '0');
      }
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

}  // namespace

sdk::Status JsonSchemaValidator::validate(const nlohmann::json& body) const {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(body);
  bool valid = false;
  try {
    valid = validator.validate(compiled_->schema, target, &results);
  } catch (const std::exception& e) {
    return sdk::Status::InvalidArgument(std::string("Invalid input: ") + e.what());
  }
  if (valid) return sdk::Status::OK();
  // valijson reports the outermost failure first ("failed to validate against
  // child schema"); the deepest error is the one that names the real problem.
  valijson::ValidationResults::Error deepest;
  valijson::ValidationResults::Error error;
  bool have = false;
  while (results.popError(error)) {
    if (!have || error.context.size() > deepest.context.size()) {
      deepest = error;
      have = true;
    }
  }
  const std::string path = field_path(deepest.context);
  std::string message = path.empty() ? "Invalid input for request body." : "Invalid input for field/attribute " + path + ".";
  // Only scalars are shown: dumping a deeply nested array would recurse as
  // deep as the client nested it (a 1 MB body is enough to overflow a stack).
  // Invalid UTF-8 is replaced, so the message can always be serialised.
  if (const nlohmann::json* value = value_at(body, deepest.context);
      value != nullptr && !path.empty() && value->is_primitive()) {
    std::string shown = value->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (shown.size() > 200) shown = shown.substr(0, 200) + "...";
    message += " Value: " + shown + ".";
  }
  message += " " + deepest.description;
  return sdk::Status::InvalidArgument(message);
}

}  // namespace stratus::core::api
