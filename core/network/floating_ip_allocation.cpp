#include "core/network/floating_ip_allocation.h"

#include "core/common/ids.h"
#include "core/db/network_repository.h"
#include "core/db/port_repository.h"
#include "core/db/network_quota_repository.h"

namespace stratus::core::network {

using sdk::Result;
using sdk::Status;

Result<db::FloatingIpRecord> allocate_floating_ip(db::Database& db, const std::string& network_uuid,
                                                  const std::string& project_id,
                                                  const std::optional<std::string>& address,
                                                  const std::string& description,
                                                  const std::optional<std::string>& port_id) {
  auto tx = db.begin_write("allocate floating IP");
  if (!tx.ok()) return tx.status();
  auto net = db::NetworkRepository(*tx).get(network_uuid);
  if (!net.ok()) return net.status();
  if (!net->router_external) {
    return Status::InvalidArgument("Bad floatingip request: Network " + network_uuid + " is not a valid external network.");
  }
  db::FloatingIpRepository fips(*tx);
  // Neutron's quota (kQuotaExceeded "Quota exceeded for resources: ['floatingip'].").
  if (auto st = db::NetworkQuotaRepository(*tx).check(project_id, "floatingip"); !st.ok()) return st;
  db::FloatingIpRecord rec;
  rec.uuid = common::random_uuid();
  rec.project_id = project_id;
  rec.description = description;
  rec.port_id = port_id;
  auto port = db::PortRepository(*tx).create(network_uuid, rec.uuid, address);
  if (!port.ok()) return port.status();
  rec.floating_port_id = port->uuid;
  auto created = fips.insert(rec);
  if (!created.ok()) return created.status();
  if (auto st = tx->commit(); !st.ok()) return st;
  return created;
}

}  // namespace stratus::core::network
