// The shared libvirt event loop thread (contract in event_loop.h).
#include "event_loop.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <mutex>

namespace stratus::drivers::libvirt {
namespace {

std::mutex g_mutex;
std::weak_ptr<EventLoop> g_loop;  // guarded by g_mutex

void silent_error_handler(void* /*user*/, virErrorPtr /*error*/) {}

// A timer that fires at once only to wake the loop so it sees stop_.
void wake_callback(int timer, void* /*opaque*/) { virEventRemoveTimeout(timer); }

}  // namespace

sdk::Result<std::shared_ptr<EventLoop>> EventLoop::acquire() {
  std::lock_guard lock(g_mutex);
  if (auto existing = g_loop.lock()) return existing;
  // Must precede the first virConnectOpen; registering again after a previous
  // loop stopped is allowed and keeps the same implementation.
  if (virEventRegisterDefaultImpl() < 0) {
    const char* message = virGetLastErrorMessage();
    return sdk::Status::Unavailable(std::string("cannot start the libvirt event loop: ") +
                                    (message != nullptr ? message : "unknown error"));
  }
  virSetErrorFunc(nullptr, silent_error_handler);
  std::shared_ptr<EventLoop> loop(new EventLoop());
  loop->thread_ = std::thread([raw = loop.get()] { raw->run(); });
  g_loop = loop;
  return loop;
}

void EventLoop::run() {
  // Each iteration blocks until an event or the wake timer; stop_ ends it.
  while (!stop_.load()) {
    if (virEventRunDefaultImpl() < 0) break;
  }
}

EventLoop::~EventLoop() {
  stop_.store(true);
  // The timer may fail to register only if libvirt is broken; then the loop
  // could block forever, so the thread is detached rather than joined.
  if (virEventAddTimeout(0, wake_callback, nullptr, nullptr) < 0) {
    thread_.detach();
  } else if (thread_.joinable()) {
    thread_.join();
  }
  std::lock_guard lock(g_mutex);
  if (g_loop.expired()) virSetErrorFunc(nullptr, nullptr);
}

}  // namespace stratus::drivers::libvirt
