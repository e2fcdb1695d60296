// Runs a program (no shell, so no argument is ever interpreted) and collects
// its output, for qemu-img.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "stratus/sdk/result.h"

namespace stratus::drivers::libvirt {

// Runs argv[0] (looked up in PATH) with argv. Returns its stdout when it exits
// 0. Errors: kNotFound (no such program), kTimeout (killed after `timeout`),
// kInternal (non-zero exit; the message holds the command and the tail of its
// stderr).
sdk::Result<std::string> run_program(const std::vector<std::string>& argv,
                                     std::chrono::milliseconds timeout = std::chrono::minutes(10));

}  // namespace stratus::drivers::libvirt
