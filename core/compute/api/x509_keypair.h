// X509Keypair: Nova's x509 key pairs (microversion 2.2, type "x509"): a PEM
// certificate as the "public key", fingerprinted as Nova does (SHA-1 of the
// DER certificate, colon-separated lower-case hex), and, when none is given,
// a new RSA key with a self-signed certificate for it.
#pragma once

#include <string>

#include "stratus/sdk/result.h"

namespace stratus::core::api {

struct X509Keypair {
  std::string certificate_pem;  // shown as public_key
  std::string private_key_pem;  // handed back once
  std::string fingerprint;
};

// The fingerprint of a PEM certificate; kInvalidArgument "Keypair data is
// invalid: ..." when it is not one.
sdk::Result<std::string> x509_fingerprint(const std::string& certificate_pem);

// A 2048-bit RSA key and a self-signed certificate (CN = `common_name`,
// valid for ten years). kInternal if OpenSSL fails.
sdk::Result<X509Keypair> generate_x509_keypair(const std::string& common_name);

}  // namespace stratus::core::api
