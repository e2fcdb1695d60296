// KeypairsController: /v2.1/os-keypairs in Nova's shapes up to 2.93:
// list, show, create (import an OpenSSH public key, or generate an ed25519
// key pair and hand back the private key once), delete. Key pairs belong to
// the calling user (an admin may name another from 2.10). 2.2 type
// (ssh/x509, x509_keypair.h), 2.35 paging, 2.92 no generation.
#pragma once

#include <string>

#include "core/http/api_server.h"
#include "core/db/database.h"
#include "stratus/sdk/result.h"

namespace stratus::core::api {

// Registers the key pair routes on `server`; `db` must outlive it.
void add_keypair_routes(ApiServer& server, db::Database& db);

// Nova's fingerprint of an OpenSSH public key line ("ssh-ed25519 AAAA... c"):
// MD5 of the decoded blob as "aa:bb:..". kInvalidArgument "Keypair data is
// invalid: ..." when the line is not an ssh-rsa, ssh-ed25519 or ecdsa-sha2-*
// key whose blob parses and names the same type.
sdk::Result<std::string> ssh_public_key_fingerprint(const std::string& public_key);

}  // namespace stratus::core::api
