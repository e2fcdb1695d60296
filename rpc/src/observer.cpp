#include "stratus/rpc/observer.h"

namespace stratus::rpc {

std::string_view message_kind_name(MessageKind kind) noexcept {
  switch (kind) {
    case MessageKind::call: return "call";
    case MessageKind::cast: return "cast";
    case MessageKind::fanout: return "fanout";
  }
  return "unknown";
}

}  // namespace stratus::rpc
