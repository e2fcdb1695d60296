// Runs a `stratus` client command line in-process, as the binary would,
// with polls of 1..5 ms, and returns its exit code and what it printed.
#pragma once

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/cli/client/client_commands.h"

namespace stratus::core::client::test {

struct Outcome {
  int code = -1;
  std::string out, err;
};

inline Outcome run_client_command(const std::vector<std::string>& args) {
  CLI::App app{"stratus"};
  app.require_subcommand(1);
  Outcome r;
  std::ostringstream out, err;
  int code = 0;
  add_client_commands(app, code, CommandIo{&out, &err, false},
                      PollSettings{std::chrono::milliseconds(1), std::chrono::milliseconds(5)});
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    code = app.exit(e, out, err);
  }
  r.code = code;
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace stratus::core::client::test
