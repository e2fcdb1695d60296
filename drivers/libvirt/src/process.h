// Runs a program (no shell, so no argument is ever interpreted) and collects
// its output, for qemu-img.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "stratus/sdk/result.h"

namespace stratus::drivers::libvirt {

// Runs argv[0] (looked up in PATH unless it holds a slash) with argv, stdin
// from /dev/null, in its own process group. Returns its stdout (the first
// MiB) when it exits 0. Errors: kNotFound (no such program), kTimeout (its
// output did not end within `timeout`: the whole process group was killed
// with SIGKILL and reaped), kInternal (non-zero exit or a signal; the message
// holds the command and the tail of its stderr). Thread-safe; blocks; never
// throws.
sdk::Result<std::string> run_program(const std::vector<std::string>& argv,
                                     std::chrono::milliseconds timeout = std::chrono::minutes(10));

}  // namespace stratus::drivers::libvirt
