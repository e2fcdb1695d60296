// JsonSchemaValidator: checks a request body against a JSON schema (valijson),
// answering with the field that is wrong, the way Nova's API does:
//   Invalid input for field/attribute server/name. Value: 42. 42 is not of type 'string'
//
// A validator is built once per schema (at start-up) and then used from any
// thread: validate() is const and keeps no state between calls.
//
// Long strings and "pattern": valijson matches "pattern" and
// "patternProperties" with std::regex, whose libstdc++ matcher recurses once
// per character: a 30000-character server name overflowed an 8 MiB thread
// stack and killed the process (a 1 MiB body holds far more). So before
// valijson runs, every string a pattern applies to (and every key of an
// object with patternProperties) longer than kLongestPatternInput is refused
// as too long, with the field named; strings no pattern reaches (user_data,
// public keys) keep their own maxLength.
#pragma once

#include <cstddef>
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

  // The longest string a pattern is matched against (in bytes); every
  // pattern of ours bounds its field far below it (255 at most).
  static constexpr std::size_t kLongestPatternInput = 4096;

 private:
  struct Compiled;
  explicit JsonSchemaValidator(std::unique_ptr<Compiled> compiled);
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace stratus::core::api
