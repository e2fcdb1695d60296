// EventLoop: libvirt's default event loop, run on one thread per process.
//
// libvirt delivers keepalives, domain events and (for qemu:///embed, which
// runs QEMU inside this process) its monitor I/O through an event loop that the
// application must run. The loop is process-wide in libvirt, so it is shared:
// acquire() starts the thread for the first holder and the last holder's
// release stops and joins it. Holders must close their connections before they
// drop the loop (a connection may need the loop to close cleanly).
//
// acquire() also silences libvirt's default error printer (errors reach the
// driver as Status values instead), and the last release restores it.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "stratus/sdk/result.h"

namespace stratus::drivers::libvirt {

class EventLoop {
 public:
  // Errors: kUnavailable when libvirt cannot set up its event loop.
  static sdk::Result<std::shared_ptr<EventLoop>> acquire();

  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

 private:
  EventLoop() = default;
  void run();

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace stratus::drivers::libvirt
