// JsonSchemaValidator: checks a request body against a JSON schema (valijson),
// answering with the field that is wrong, the way Nova's API does:
//   Invalid input for field/attribute server/name. Value: 42. 42 is not of type 'string'
//
// A validator is built once per schema (at start-up) and then used from any
// thread: validate() is const and keeps no state between calls.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "stratus/sdk/result.h"
#include "stratus/sdk/status.h"

namespace stratus::core::api {

class JsonSchemaValidator {
 public:
  // kInvalidArgument if `schema` is not a schema valijson can compile; that is
  // a bug in our own schemas, so callers treat it as fatal at start-up.
  static sdk::Result<std::shared_ptr<const JsonSchemaValidator>> compile(const nlohmann::json& schema);

  ~JsonSchemaValidator();

  // OK, or kInvalidArgument naming the first wrong field and why.
  sdk::Status validate(const nlohmann::json& body) const;

 private:
  struct Compiled;
  explicit JsonSchemaValidator(std::unique_ptr<Compiled> compiled);
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace stratus::core::api
