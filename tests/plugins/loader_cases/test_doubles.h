// Minimal plugin objects for the loader's test libraries. They do just enough
// to show which object the registry created.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "stratus/sdk/sdk.h"

namespace loader_test {

// A driver that knows one instance, so a test can tell it was really created.
class EchoDriver : public stratus::sdk::VirtDriver {
 public:
  explicit EchoDriver(std::string tag) : tag_(std::move(tag)) {}
  stratus::sdk::Status spawn(const stratus::sdk::RequestContext&, const stratus::sdk::Instance& instance,
                             const stratus::sdk::ImageMeta&, const stratus::sdk::InjectedFiles&, const std::string&,
                             const stratus::sdk::NetworkInfo&, const stratus::sdk::BlockDeviceInfo&) override {
    uuids_.push_back(instance.uuid);
    return stratus::sdk::Status::OK();
  }
  stratus::sdk::Status destroy(const stratus::sdk::RequestContext&, const stratus::sdk::Instance&,
                               const stratus::sdk::NetworkInfo&, const stratus::sdk::BlockDeviceInfo&,
                               bool) override {
    return stratus::sdk::Status::OK();
  }
  stratus::sdk::Result<stratus::sdk::InstanceInfo> get_info(const stratus::sdk::Instance& instance) override {
    for (const auto& u : uuids_) {
      if (u == instance.uuid) return stratus::sdk::InstanceInfo{stratus::sdk::PowerState::kRunning, 0, 0, 1, 0, tag_};
    }
    return stratus::sdk::Status::NotFound(instance.uuid);
  }
  stratus::sdk::Result<std::vector<std::string>> list_instances() override { return uuids_; }

 private:
  std::string tag_;
  std::vector<std::string> uuids_;
};

}  // namespace loader_test
