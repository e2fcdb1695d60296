#include "core/http/json_schema_validator.h"

#include <exception>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace stratus::core::api {

struct JsonSchemaValidator::Compiled {
  valijson::Schema schema;
  nlohmann::json source;  // the schema as given, for the long-string guard
};

JsonSchemaValidator::JsonSchemaValidator(std::unique_ptr<Compiled> compiled) : compiled_(std::move(compiled)) {}
JsonSchemaValidator::~JsonSchemaValidator() = default;

sdk::Result<std::shared_ptr<const JsonSchemaValidator>> JsonSchemaValidator::compile(const nlohmann::json& schema) {
  auto compiled = std::make_unique<Compiled>();
  compiled->source = schema;
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

// The long-string guard (see the header): follows `body` down the schema's
// properties, patternProperties, additionalProperties, items, the
// combinators and local "#/definitions/..." references, and returns the path
// of the first string (or object key) a pattern would be matched against
// that is longer than `limit`. Where the schema says something the walk does
// not follow, every string below is treated as patterned. Recursion follows
// the schema, whose depth is ours, never the body's alone.
class LongStringGuard {
 public:
  LongStringGuard(const nlohmann::json& root, std::size_t limit) : root_(root), limit_(limit) {}

  std::optional<std::string> find(const nlohmann::json& schema, const nlohmann::json& body, const std::string& path,
                                  int depth = 0) const {
    if (depth > 64) return everything(body, path);  // a schema this deep is not ours: check all
    if (!schema.is_object()) return std::nullopt;   // true/false schemas match no pattern
    if (auto ref = schema.find("$ref"); ref != schema.end()) {
      const nlohmann::json* target = resolve(*ref);
      if (target == nullptr) return everything(body, path);
      if (auto hit = find(*target, body, path, depth + 1)) return hit;
    }
    for (const char* combinator : {"allOf", "anyOf", "oneOf"}) {
      if (auto list = schema.find(combinator); list != schema.end() && list->is_array()) {
        for (const auto& sub : *list) {
          if (auto hit = find(sub, body, path, depth + 1)) return hit;
        }
      }
    }
    if (auto sub = schema.find("not"); sub != schema.end()) {
      if (auto hit = find(*sub, body, path, depth + 1)) return hit;
    }
    if (body.is_string()) {
      if (schema.contains("pattern") && body.get_ref<const std::string&>().size() > limit_) return path;
      return std::nullopt;
    }
    if (body.is_object()) {
      const auto properties = schema.find("properties");
      const auto patterns = schema.find("patternProperties");
      const auto additional = schema.find("additionalProperties");
      for (const auto& [key, value] : body.items()) {
        const std::string at = path.empty() ? key : path + "/" + key;
        if (patterns != schema.end() && key.size() > limit_) return at;
        if (properties != schema.end() && properties->is_object() && properties->contains(key)) {
          if (auto hit = find((*properties)[key], value, at, depth + 1)) return hit;
        }
        if (patterns != schema.end() && patterns->is_object()) {
          for (const auto& [pattern, sub] : patterns->items()) {
            if (auto hit = find(sub, value, at, depth + 1)) return hit;
          }
        }
        if (additional != schema.end()) {
          if (auto hit = find(*additional, value, at, depth + 1)) return hit;
        }
      }
      return std::nullopt;
    }
    if (body.is_array()) {
      const auto items = schema.find("items");
      if (items == schema.end()) return std::nullopt;
      for (std::size_t i = 0; i < body.size(); ++i) {
        const std::string at = path.empty() ? std::to_string(i) : path + "/" + std::to_string(i);
        const nlohmann::json& sub = items->is_array() ? (i < items->size() ? (*items)[i] : nlohmann::json()) : *items;
        if (auto hit = find(sub, body[i], at, depth + 1)) return hit;
      }
    }
    return std::nullopt;
  }

 private:
  const nlohmann::json* resolve(const nlohmann::json& ref) const {
    if (!ref.is_string()) return nullptr;
    const std::string& text = ref.get_ref<const std::string&>();
    if (text.rfind("#/", 0) != 0) return nullptr;
    try {
      const nlohmann::json::json_pointer pointer(text.substr(1));
      return root_.contains(pointer) ? &root_.at(pointer) : nullptr;
    } catch (const std::exception&) {
      return nullptr;
    }
  }

  // Any string or key below `body` longer than the limit (iteratively: the
  // body may nest as deep as its client likes).
  std::optional<std::string> everything(const nlohmann::json& body, const std::string& path) const {
    std::vector<const nlohmann::json*> pending{&body};
    while (!pending.empty()) {
      const nlohmann::json* node = pending.back();
      pending.pop_back();
      if (node->is_string() && node->get_ref<const std::string&>().size() > limit_) return path;
      if (node->is_object()) {
        for (const auto& [key, value] : node->items()) {
          if (key.size() > limit_) return path;
          pending.push_back(&value);
        }
      } else if (node->is_array()) {
        for (const auto& value : *node) pending.push_back(&value);
      }
    }
    return std::nullopt;
  }

  const nlohmann::json& root_;
  std::size_t limit_;
};

}  // namespace

sdk::Status JsonSchemaValidator::validate(const nlohmann::json& body) const {
  if (auto path = LongStringGuard(compiled_->source, kLongestPatternInput).find(compiled_->source, body, "")) {
    return sdk::Status::InvalidArgument(
        (path->empty() ? std::string("Invalid input for request body.")
                       : "Invalid input for field/attribute " + *path + ".") +
        " Value too long: longer than " + std::to_string(kLongestPatternInput) + " characters.");
  }
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
