// What a create or rebuild body asks to write into the guest: Nova's
// "personality" (files, base64 contents) and "adminPass".
//
// personality is accepted up to microversion 2.56; from 2.57 Nova's schema no
// longer has it, so it is refused as any unknown property is (400). The
// admin password is the one given, or a generated one as Nova's
// generate_password makes; it goes to the compute host over RPC and back to
// the caller in the response, and is never stored.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/http/api_server.h"
#include "core/rpcapi/messages.h"
#include "stratus/sdk/result.h"

namespace stratus::core::api {

// The last microversion that accepts "personality" (2.57 removed it).
inline constexpr Microversion kLastPersonalityMicroversion{2, 56};

// The schema of Nova's "personality" property (for the create and rebuild
// schemas): a list of {path, contents}, nothing else.
const nlohmann::json& personality_schema();

// Reads `in` (the body's "server" or "rebuild" object, already validated
// against a schema that has personality_schema()). `object_name` names it in
// errors. kInvalidArgument: personality after 2.56, contents that are not
// base64 (Nova: "Personality content for <path> cannot be decoded").
sdk::Result<rpcapi::GuestInjection> guest_injection_from(const ApiRequest& req, const nlohmann::json& in,
                                                         std::string_view object_name);

// 12 characters from Nova's look-alike-free alphabet, from a CSPRNG.
std::string generate_admin_password();

}  // namespace stratus::core::api
