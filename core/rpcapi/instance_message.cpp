#include "core/rpcapi/instance_message.h"

#include "core/db/network_repository.h"
#include "core/common/base64.h"

namespace stratus::core::rpcapi {

InstanceMsg to_instance_msg(const db::InstanceRecord& record, const std::vector<db::PortRecord>& ports,
                            const std::map<std::string, std::string>& network_names) {
  InstanceMsg msg;
  msg.instance = record.to_sdk();
  // The database keeps user_data as the API received it (base64); a driver
  // gets the bytes the user meant (sdk::Instance::user_data is decoded). The
  // API refused anything that is not strict base64, so a stored value always
  // decodes; one that somehow does not reaches the driver as no user data
  // rather than as base64 text the guest would take for its script.
  if (record.user_data && !record.user_data->empty()) {
    auto decoded = common::base64_decode_strict(*record.user_data);
    msg.instance.user_data = decoded ? std::move(*decoded) : std::string();
  }
  msg.vm_state = record.vm_state;
  msg.task_state = record.task_state;
  msg.updated_at = record.updated_at;
  msg.launched_at = record.launched_at;
  for (const auto& port : ports) {
    sdk::Vif vif;
    vif.id = port.uuid;
    vif.address = port.mac_address;
    vif.network_id = port.network_uuid;
    auto name = network_names.find(port.network_uuid);
    if (name != network_names.end()) vif.network_name = name->second;
    if (!port.ip_address.empty()) vif.fixed_ips.push_back(port.ip_address);
    msg.network_info.push_back(std::move(vif));
  }
  return msg;
}

sdk::Result<InstanceMsg> load_instance_msg(db::Database& db, const std::string& instance_uuid, bool include_deleted) {
  auto record = db::InstanceRepository(db).get(instance_uuid, include_deleted);
  if (!record.ok()) return record.status();
  return load_instance_msg(db, *record);
}

sdk::Result<InstanceMsg> load_instance_msg(db::Database& db, const db::InstanceRecord& record) {
  auto ports = db::PortRepository(db).list_by_device(record.uuid);
  if (!ports.ok()) return ports.status();
  std::map<std::string, std::string> names;
  db::NetworkRepository networks(db);
  for (const auto& port : *ports) {
    if (names.count(port.network_uuid) != 0) continue;
    auto network = networks.get(port.network_uuid);
    names[port.network_uuid] = network.ok() ? network->name : std::string();
  }
  return to_instance_msg(record, *ports, names);
}

}  // namespace stratus::core::rpcapi
