// libsodium must be initialised once before use (it picks its random source
// and CPU-specific code); sodium_init is thread-safe and idempotent.
#pragma once

namespace stratus::core::identity {

// False if libsodium cannot initialise (no random source).
bool ensure_sodium();

}  // namespace stratus::core::identity
