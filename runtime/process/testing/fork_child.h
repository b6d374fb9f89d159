// Test helper: run a function in a forked child and bring back what it saw.
// Process attributes (uid, capabilities, seccomp) are irreversible, so every
// test applies them in a child and never in the gtest process itself.
#pragma once

#include <functional>
#include <string>

namespace berth::testing {

struct ChildOutcome {
  std::string output;  // what the body returned (child exited 0)
  int exit_code = -1;  // exit status when the child exited
  int signal = 0;      // terminating signal, 0 if it exited
};

// Forks; the child runs body(), writes its return value to a pipe and
// _exit(0)s. A child that dies or _exits on its own is reported as such.
ChildOutcome RunInChild(const std::function<std::string()>& body);

// The value of one line of /proc/self/status ("CapEff" -> "000001ff..."),
// read in the calling process; empty when absent.
std::string ProcStatusField(const std::string& name);

}  // namespace berth::testing
