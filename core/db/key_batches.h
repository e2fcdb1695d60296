// key_batches: loads rows for many keys with a few `IN (...)` statements
// instead of one statement per key (server lists, N+1 queries).
//
// Keys go in chunks of at most 512; a chunk is padded (with its last key
// repeated) to 1, 8, 64 or 512 placeholders, so whatever the list length the
// statement cache holds at most four texts per query.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "core/db/connection.h"
#include "stratus/sdk/status.h"

namespace stratus::core::db {

// Calls f(placeholders, chunk) for each chunk of `keys`: placeholders is
// "?,?,...", chunk the keys to bind in that order (padded). Stops at the
// first error f returns.
template <typename F>
sdk::Status for_each_key_batch(const std::vector<std::string>& keys, F&& f) {
  constexpr std::size_t kSizes[] = {1, 8, 64, 512};
  for (std::size_t start = 0; start < keys.size(); start += 512) {
    const std::size_t n = std::min<std::size_t>(512, keys.size() - start);
    std::size_t padded = 512;
    for (std::size_t s : kSizes) {
      if (s >= n) {
        padded = s;
        break;
      }
    }
    std::vector<std::string> chunk(keys.begin() + static_cast<std::ptrdiff_t>(start),
                                   keys.begin() + static_cast<std::ptrdiff_t>(start + n));
    chunk.resize(padded, chunk.back());
    std::string placeholders;
    placeholders.reserve(padded * 2);
    for (std::size_t i = 0; i < padded; ++i) placeholders += i ? ",?" : "?";
    auto st = f(placeholders, chunk);
    if (!st.ok()) return st;
  }
  return sdk::Status::OK();
}

// Binds `chunk` to positions 1..n of `stmt`.
inline void bind_keys(Statement& stmt, const std::vector<std::string>& chunk) {
  int i = 0;
  for (const auto& k : chunk) stmt.bind(++i, k);
}

}  // namespace stratus::core::db
