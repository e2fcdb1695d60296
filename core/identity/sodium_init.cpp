#include "core/identity/sodium_init.h"

#include <sodium.h>

namespace stratus::core::identity {

bool ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace stratus::core::identity
