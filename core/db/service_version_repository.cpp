#include "core/db/service_version_repository.h"

#include "core/common/time_util.h"

namespace stratus::core::db {

sdk::Status ServiceVersionRepository::record(const std::string& host, const std::string& binary,
                                             const std::string& rpc_version) {
  if (host.empty() || binary.empty() || rpc_version.empty()) {
    return sdk::Status::InvalidArgument("a service version needs a host, a binary and a version");
  }
  return db_.write("record service version", [&](Connection& c) {
    return c.exec("record the RPC version of " + binary + "@" + host,
                  "INSERT INTO service_versions(host, \"binary\", rpc_version, updated_at) VALUES (?1, ?2, ?3, ?4) "
                  "ON CONFLICT(host, \"binary\") DO UPDATE SET rpc_version = ?3, updated_at = ?4",
                  host, binary, rpc_version, common::utc_now());
  });
}

sdk::Result<std::map<std::pair<std::string, std::string>, std::string>> ServiceVersionRepository::list(
    const std::string& binary) {
  using Out = std::map<std::pair<std::string, std::string>, std::string>;
  return db_.read("list service versions", [&](Connection& c) -> sdk::Result<Out> {
    auto st = c.prepare("list service versions",
                        "SELECT host, \"binary\", rpc_version FROM service_versions WHERE \"binary\" = ?");
    if (!st.ok()) return st.status();
    st->bind_all(binary);
    Out out;
    auto s = st->for_each([&](Statement& r) { out[{r.text(0), r.text(1)}] = r.text(2); });
    if (!s.ok()) return s;
    return out;
  });
}

}  // namespace stratus::core::db
