#include "core/compute/api/keypairs_controller.h"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <cstring>

#include "core/http/json_schema_validator.h"
#include "core/http/policy.h"
#include "core/compute/api/x509_keypair.h"
#include "core/common/digest.h"
#include "core/db/keypair_repository.h"
#include "core/db/quota_repository.h"
#include "core/db/connection.h"
#include "core/common/time_util.h"

namespace stratus::core::api {

namespace {

using nlohmann::json;
using sdk::Result;
using sdk::Status;

// Nova's keypair create schema at 2.1: the name is 1-255 of [a-zA-Z0-9 _-]
// (keypair_name_special_chars; '.' and '@' only from 2.92), no type or user_id
// (2.2 / 2.10).
const json& create_schema() {
  static const json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "keypair": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9 _-]+$"},
          "public_key": {"type": "string"}
        },
        "required": ["name"],
        "additionalProperties": false
      }
    },
    "required": ["keypair"],
    "additionalProperties": false
  })");
  return schema;
}

Status invalid_key(const std::string& reason) { return Status::InvalidArgument("Keypair data is invalid: " + reason); }

// Reads SSH wire-format fields (RFC 4251): uint32 length + bytes.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}
  bool string(std::string_view& out) {
    if (data_.size() - pos_ < 4) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(data_.data() + pos_);
    const std::uint32_t len = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    pos_ += 4;
    if (data_.size() - pos_ < len) return false;
    out = data_.substr(pos_, len);
    pos_ += len;
    return true;
  }
  bool done() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

void put_u32(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v >> 24);
  out += static_cast<char>(v >> 16);
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}
void put_string(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return invalid_key("public key is not valid base64");
  }
  out.resize(len);
  return out;
}

std::string base64_encode(std::string_view data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string colon_md5(std::string_view blob) {
  std::string hex = common::md5_hex(blob);
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (!out.empty()) out += ':';
    out += hex.substr(i, 2);
  }
  return out;
}

// The key pair as Nova 2.1 lists it.
json brief_view(const db::KeypairRecord& r, Microversion v) {
  json out = {{"fingerprint", r.fingerprint}, {"name", r.name}, {"public_key", r.public_key}};
  if (v >= Microversion{2, 2}) out["type"] = r.type;
  return out;
}

// The create schema at microversion `v`: 2.2 adds "type", 2.10 "user_id";
// from 2.92 the public key is required and names may also hold '.' and '@'.
json create_schema_at(Microversion v) {
  json schema = create_schema();
  json& kp = schema["properties"]["keypair"];
  if (v >= Microversion{2, 2}) kp["properties"]["type"] = {{"type", "string"}, {"enum", {"ssh", "x509"}}};
  if (v >= Microversion{2, 10}) kp["properties"]["user_id"] = {{"type", "string"}};
  if (v >= Microversion{2, 92}) {
    kp["required"] = {"name", "public_key"};
    kp["properties"]["name"]["pattern"] = "^[a-zA-Z0-9 @._-]+$";
  }
  return schema;
}

// The user whose key pairs the request is about: from 2.10 an admin may name
// another (?user_id= or the body's user_id); Nova's policy refuses others.
struct TargetUser {
  std::string user_id;
  std::optional<ApiResponse> denied;  // Nova's 403 when the caller may not act for that user
};

TargetUser target_user(const ApiRequest& req, const std::optional<std::string>& asked, const char* rule) {
  if (req.microversion < Microversion{2, 10} || !asked || *asked == req.auth.user_id) return {req.auth.user_id, {}};
  return {*asked, policy_check(req, rule)};
}

Status not_found(const std::string& user_id, const std::string& name) {
  return Status::NotFound("Keypair " + name + " not found for user " + user_id);
}

// The row id Nova shows (key_pairs.id); the repository record does not carry it.
std::int64_t row_id(db::Database& db, const std::string& user_id, const std::string& name) {
  auto id = db.read("keypair id", [&](db::Connection& conn) -> Result<std::int64_t> {
    auto stmt = conn.prepare("keypair id", "SELECT id FROM key_pairs WHERE user_id = ? AND name = ?");
    if (!stmt.ok()) return stmt.status();
    stmt->bind_all(user_id, name);
    auto row = stmt->step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("keypair");
    return stmt->int64(0);
  });
  return id.ok() ? *id : 0;
}

struct GeneratedKey {
  std::string public_key;   // OpenSSH line
  std::string private_key;  // openssh-key-v1 PEM, unencrypted
};

// An ed25519 key pair in OpenSSH's formats (PROTOCOL.key in OpenSSH's sources).
GeneratedKey generate_ed25519(const std::string& comment) {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];  // seed || pk, as OpenSSH keeps it
  crypto_sign_keypair(pk, sk);
  const std::string_view pk_view(reinterpret_cast<const char*>(pk), sizeof pk);
  const std::string_view sk_view(reinterpret_cast<const char*>(sk), sizeof sk);

  std::string blob;
  put_string(blob, "ssh-ed25519");
  put_string(blob, pk_view);

  std::string priv;
  const std::uint32_t check = randombytes_random();
  put_u32(priv, check);
  put_u32(priv, check);
  put_string(priv, "ssh-ed25519");
  put_string(priv, pk_view);
  put_string(priv, sk_view);
  put_string(priv, comment);
  for (char pad = 1; priv.size() % 8 != 0; ++pad) priv += pad;

  std::string file("openssh-key-v1");
  file += '\0';
  put_string(file, "none");  // cipher
  put_string(file, "none");  // kdf
  put_string(file, "");      // kdf options
  put_u32(file, 1);          // one key
  put_string(file, blob);
  put_string(file, priv);
  sodium_memzero(sk, sizeof sk);

  const std::string b64 = base64_encode(file);
  sodium_memzero(priv.data(), priv.size());
  sodium_memzero(file.data(), file.size());
  GeneratedKey out;
  out.private_key = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
  for (size_t i = 0; i < b64.size(); i += 70) out.private_key += b64.substr(i, 70) + "\n";
  out.private_key += "-----END OPENSSH PRIVATE KEY-----\n";
  out.public_key = "ssh-ed25519 " + base64_encode(blob) + " " + comment;
  return out;
}

Result<ApiResponse> create(db::Database& db, const JsonSchemaValidator& validator, const ApiRequest& req) {
  if (Status s = validator.validate(req.body); !s.ok()) return s;
  const json& in = req.body["keypair"];
  db::KeypairRecord record;
  record.name = in["name"].get<std::string>();
  auto user = target_user(req, in.contains("user_id") ? std::optional<std::string>(in["user_id"].get<std::string>())
                                                      : std::nullopt,
                          "os_compute_api:os-keypairs:create");
  if (user.denied) return *user.denied;
  record.user_id = user.user_id;
  if (in.contains("type")) record.type = in["type"].get<std::string>();
  std::string private_key;
  if (record.type == "x509") {
    // The "public key" is a PEM certificate; without one, a new key and a
    // self-signed certificate, as Nova makes them.
    if (in.contains("public_key")) {
      record.public_key = in["public_key"].get<std::string>();
      auto fp = x509_fingerprint(record.public_key);
      if (!fp.ok()) return fp.status();
      record.fingerprint = *fp;
    } else {
      auto generated = generate_x509_keypair(record.user_id);
      if (!generated.ok()) return generated.status();
      record.public_key = generated->certificate_pem;
      record.fingerprint = generated->fingerprint;
      private_key = std::move(generated->private_key_pem);
    }
  } else if (in.contains("public_key")) {
    record.public_key = in["public_key"].get<std::string>();
    auto fp = ssh_public_key_fingerprint(record.public_key);
    if (!fp.ok()) return fp.status();
    record.fingerprint = *fp;
  } else {
    GeneratedKey key = generate_ed25519("Generated-by-Nova");
    record.public_key = key.public_key;
    private_key = std::move(key.private_key);
    record.fingerprint = ssh_public_key_fingerprint(record.public_key).value();
  }

  // Nova's key_pairs quota counts the user's key pairs against the project's
  // limit and the user's own, if set; the repository counts in the insert's
  // transaction.
  auto limits = db::QuotaRepository(db).enforced_limits(req.auth.project_id, record.user_id);
  if (!limits.ok()) return limits.status();
  std::optional<std::int64_t> max_per_user;
  if (auto limit = limits->find("key_pairs"); limit != limits->end() && limit->second >= 0) max_per_user = limit->second;

  auto created = db::KeypairRepository(db).create(std::move(record), max_per_user);
  if (!created.ok()) return created.status();
  json out = brief_view(*created, req.microversion);
  out["user_id"] = created->user_id;
  if (!private_key.empty()) out["private_key"] = private_key;
  // At 2.1 Nova answers a create with 200, 201 from 2.2.
  return ApiResponse{req.microversion >= Microversion{2, 2} ? 201 : 200, {{"keypair", out}}, {}};
}

}  // namespace

Result<std::string> ssh_public_key_fingerprint(const std::string& public_key) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  // "<type> <base64> [comment]"
  const size_t start = public_key.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return invalid_key("failed to generate fingerprint: empty public key");
  const size_t type_end = public_key.find_first_of(" \t", start);
  if (type_end == std::string::npos) return invalid_key("failed to generate fingerprint: no key data after the type");
  const std::string type = public_key.substr(start, type_end - start);
  const bool is_ecdsa = type.rfind("ecdsa-sha2-", 0) == 0;
  if (type != "ssh-rsa" && type != "ssh-ed25519" && !is_ecdsa) {
    return invalid_key("failed to generate fingerprint: unsupported key type '" + type + "'");
  }
  const size_t b64_start = public_key.find_first_not_of(" \t", type_end);
  if (b64_start == std::string::npos) return invalid_key("failed to generate fingerprint: no key data after the type");
  size_t b64_end = public_key.find_first_of(" \t\r\n", b64_start);
  if (b64_end == std::string::npos) b64_end = public_key.size();
  auto blob = base64_decode(std::string_view(public_key).substr(b64_start, b64_end - b64_start));
  if (!blob.ok()) return blob.status();

  WireReader r(*blob);
  std::string_view embedded;
  if (!r.string(embedded)) return invalid_key("failed to generate fingerprint: truncated key data");
  if (embedded != type) {
    return invalid_key("failed to generate fingerprint: key data is for '" + std::string(embedded) + "', not '" + type + "'");
  }
  std::string_view a, b;
  if (type == "ssh-rsa") {
    if (!r.string(a) || !r.string(b) || a.empty() || b.empty()) return invalid_key("failed to generate fingerprint: bad RSA key data");
  } else if (type == "ssh-ed25519") {
    if (!r.string(a) || a.size() != 32) return invalid_key("failed to generate fingerprint: bad ed25519 key data");
  } else {
    // ecdsa-sha2-<curve>: string curve (the type's suffix), string Q (uncompressed point).
    if (!r.string(a) || !r.string(b) || a != type.substr(std::strlen("ecdsa-sha2-")) || b.empty() || b[0] != 4) {
      return invalid_key("failed to generate fingerprint: bad ECDSA key data");
    }
  }
  if (!r.done()) return invalid_key("failed to generate fingerprint: trailing bytes in key data");
  return colon_md5(*blob);
}

void add_keypair_routes(ApiServer& server, db::Database& db) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::map<int, std::shared_ptr<const JsonSchemaValidator>> validators;  // by the minor version they start at
  for (int minor : {1, 2, 10, 92}) validators[minor] = JsonSchemaValidator::compile(create_schema_at({2, minor})).value();

  server.route("GET", R"(/v2\.1/os-keypairs)", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    auto user = target_user(req, req.query_param("user_id"), "os_compute_api:os-keypairs:index");
    if (user.denied) return *user.denied;
    auto records = db::KeypairRepository(db).list(user.user_id);
    if (!records.ok()) return records.status();
    // 2.35: limit and marker (a key pair name), with a next link after a full page.
    size_t start = 0;
    std::optional<size_t> limit;
    if (req.microversion >= Microversion{2, 35}) {
      if (auto raw = req.query_param("limit")) {
        try {
          long long v = std::stoll(*raw);
          if (v < 0) throw std::out_of_range("negative");
          limit = static_cast<size_t>(v);
        } catch (const std::exception&) {
          return Status::InvalidArgument("Invalid input for query parameters limit. Value: " + *raw + ".");
        }
      }
      if (auto marker = req.query_param("marker")) {
        auto it = std::find_if(records->begin(), records->end(), [&](const auto& r) { return r.name == *marker; });
        if (it == records->end()) return Status::InvalidArgument("marker [" + *marker + "] not found");
        start = static_cast<size_t>(it - records->begin()) + 1;
      }
    }
    json out = json::array();
    for (size_t i = start; i < records->size() && (!limit || out.size() < *limit); ++i) {
      out.push_back({{"keypair", brief_view((*records)[i], req.microversion)}});
    }
    json body = {{"keypairs", out}};
    if (limit && *limit > 0 && out.size() == *limit && start + *limit < records->size()) {
      body["keypairs_links"] = json::array({{{"href", req.base_url + "/v2.1/os-keypairs?limit=" + std::to_string(*limit) +
                                                          "&marker=" + out.back()["keypair"]["name"].get<std::string>()},
                                             {"rel", "next"}}});
    }
    return ApiResponse{200, body, {}};
  });

  server.route("GET", R"(/v2\.1/os-keypairs/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    const std::string& name = req.path_params[0];
    auto user = target_user(req, req.query_param("user_id"), "os_compute_api:os-keypairs:show");
    if (user.denied) return *user.denied;
    auto r = db::KeypairRepository(db).get(user.user_id, name);
    if (!r.ok()) return r.status().is(sdk::StatusCode::kNotFound) ? not_found(user.user_id, name) : r.status();
    json out = brief_view(*r, req.microversion);
    out["user_id"] = r->user_id;
    out["created_at"] = r->created_at;
    out["deleted"] = false;
    out["deleted_at"] = nullptr;
    out["updated_at"] = nullptr;
    out["id"] = row_id(db, r->user_id, r->name);
    return ApiResponse{200, {{"keypair", out}}, {}};
  });

  server.route("POST", R"(/v2\.1/os-keypairs)",
               [&db, validators](const ApiRequest& req) {
                 auto it = validators.upper_bound(req.microversion.minor);
                 return create(db, *std::prev(it)->second, req);
               });

  server.route("DELETE", R"(/v2\.1/os-keypairs/([^/]+))", [&db](const ApiRequest& req) -> Result<ApiResponse> {
    const std::string& name = req.path_params[0];
    auto user = target_user(req, req.query_param("user_id"), "os_compute_api:os-keypairs:delete");
    if (user.denied) return *user.denied;
    Status s = db::KeypairRepository(db).remove(user.user_id, name);
    if (s.is(sdk::StatusCode::kNotFound)) return not_found(user.user_id, name);
    if (!s.ok()) return s;
    // 202 at 2.1, 204 from 2.2.
    return ApiResponse{req.microversion >= Microversion{2, 2} ? 204 : 202, nullptr, {}};
  });
}

}  // namespace stratus::core::api
