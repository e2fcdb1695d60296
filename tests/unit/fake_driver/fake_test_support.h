// Helpers shared by the fake driver's tests: instances, images and calls with
// the arguments that do not matter to a test filled in.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "stratus/drivers/fake/fake_driver.h"

namespace stratus::drivers::fake::testing {

inline sdk::Flavor small_flavor() {
  sdk::Flavor f;
  f.id = "2";
  f.name = "m1.small";
  f.vcpus = 2;
  f.memory_mb = 2048;
  f.root_gb = 20;
  return f;
}

inline sdk::Instance make_instance(const std::string& uuid, sdk::Flavor flavor = small_flavor()) {
  sdk::Instance i;
  i.uuid = uuid;
  i.name = "instance-" + uuid;
  i.display_name = "Web Server " + uuid;
  i.image_ref = "image-cirros";
  i.flavor = std::move(flavor);
  return i;
}

inline sdk::ImageMeta image(const std::string& id = "image-cirros", const std::string& format = "qcow2") {
  sdk::ImageMeta m;
  m.id = id;
  m.name = id;
  m.disk_format = format;
  m.container_format = "bare";
  return m;
}

inline sdk::RequestContext ctx() { return sdk::RequestContext{"req-test", "user", "project", {"member"}}; }

inline sdk::Status spawn(FakeDriver& d, const sdk::Instance& i, const sdk::ImageMeta& m = image()) {
  return d.spawn(ctx(), i, m, {}, "secret", {}, {});
}
inline sdk::Status destroy(FakeDriver& d, const sdk::Instance& i) { return d.destroy(ctx(), i, {}, {}, true); }
inline sdk::Status reboot(FakeDriver& d, const sdk::Instance& i, sdk::RebootType t) {
  return d.reboot(ctx(), i, {}, t, {});
}
inline sdk::Status power_off(FakeDriver& d, const sdk::Instance& i, int timeout_s = 60) {
  return d.power_off(ctx(), i, timeout_s, 5);
}
inline sdk::Status power_on(FakeDriver& d, const sdk::Instance& i) { return d.power_on(ctx(), i, {}, {}); }
inline sdk::Status pause(FakeDriver& d, const sdk::Instance& i) { return d.pause(ctx(), i); }
inline sdk::Status unpause(FakeDriver& d, const sdk::Instance& i) { return d.unpause(ctx(), i); }
inline sdk::Status suspend(FakeDriver& d, const sdk::Instance& i) { return d.suspend(ctx(), i); }
inline sdk::Status resume(FakeDriver& d, const sdk::Instance& i) { return d.resume(ctx(), i, {}, {}); }
inline sdk::Status rebuild(FakeDriver& d, const sdk::Instance& i, const sdk::ImageMeta& m = image("image-debian")) {
  return d.rebuild(ctx(), i, m, {}, "secret", {}, {}, false);
}
inline sdk::Result<std::string> console(FakeDriver& d, const sdk::Instance& i) {
  return d.get_console_output(ctx(), i);
}

inline sdk::PowerState state_of(FakeDriver& d, const sdk::Instance& i) {
  auto info = d.get_info(i);
  return info.ok() ? info->state : sdk::PowerState::kNoState;
}

// The whole content of a file ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Waits (bounded) until `n` calls are parked in an injected delay or hang.
inline bool wait_for_waiting_calls(const FakeDriver& d, std::size_t n,
                                   std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (d.waiting_calls() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace stratus::drivers::fake::testing
