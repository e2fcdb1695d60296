#include "core/db/connection.h"

namespace stratus::core::db {

sdk::Status Statement::run() {
  for (;;) {
    auto r = step();
    if (!r.ok()) return r.status();
    if (!*r) return sdk::Status::OK();
  }
}

std::string Dialect::expand(std::string_view sql) const {
  static constexpr std::string_view kIdentity = "{identity}";
  std::string out;
  out.reserve(sql.size());
  for (;;) {
    auto pos = sql.find(kIdentity);
    if (pos == std::string_view::npos) break;
    out.append(sql.substr(0, pos));
    out.append(identity_column);
    sql.remove_prefix(pos + kIdentity.size());
  }
  out.append(sql);
  return out;
}

}  // namespace stratus::core::db
