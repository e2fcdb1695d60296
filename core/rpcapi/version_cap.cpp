#include "core/rpcapi/version_cap.h"

#include "core/rpcapi/topics.h"
#include "stratus/rpc/target.h"

namespace stratus::core::rpcapi {

sdk::Status check_upgrade_level(std::string_view topic, const std::string& setting) {
  if (setting.empty() || setting == "auto") return sdk::Status::OK();
  const std::string key = "upgrade_levels." + std::string(topic);
  std::string_view newest;
  if (topic == kComputeTopic) newest = kComputeVersion;
  else if (topic == kConductorTopic) newest = kConductorVersion;
  else if (topic == kSchedulerTopic) newest = kSchedulerVersion;
  else return sdk::Status::InvalidArgument(key + ": no such RPC topic (compute, conductor, scheduler)");
  auto v = rpc::Version::parse(setting);
  if (!v.ok()) {
    return sdk::Status::InvalidArgument(key + " = '" + setting +
                                        "': want \"auto\" or a version MAJOR.MINOR such as \"1.0\"");
  }
  auto ours = rpc::Version::parse(newest);
  if (ours.ok() && v->major != ours->major) {
    return sdk::Status::InvalidArgument(key + " = '" + setting + "': this Stratus speaks " + std::string(topic) +
                                        " RPC " + std::to_string(ours->major) + ".0 to " + std::string(newest) +
                                        "; a cap of another major version would refuse every message");
  }
  return sdk::Status::OK();
}

}  // namespace stratus::core::rpcapi
