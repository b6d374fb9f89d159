// Runs the processes the benchmarks time: a runtime command line
// (fork + execve + wait4) and the bare-kernel floor (clone with namespace
// flags + execve). Both report wall time and the peak RSS from wait4.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/base/error.h"

namespace berth::bench {

struct CommandResult {
  int wait_status = 0;   // as from wait4
  double wall_ms = 0;    // spawn to reap
  long max_rss_kib = 0;  // ru_maxrss: the process and the children it reaped
  std::string output;    // stdout+stderr (tail), when captured

  bool Succeeded() const;
  // "exit 1" / "killed by signal 9", plus the output tail.
  std::string Describe() const;
};

// A started process whose stdout+stderr go to a memfd (read at reap time).
struct Spawned {
  pid_t pid = -1;
  int output_fd = -1;
  int64_t start_ns = 0;
};

// Starts argv[0] (an absolute path) with stdin from /dev/null and stdout and
// stderr into a memfd, with the caller's environment. With mount_ns_fd >= 0
// (an open /proc/PID/ns/mnt) the process first joins that mount namespace.
Result<Spawned> Spawn(const std::vector<std::string>& argv, int mount_ns_fd = -1);

// How long Reap waits before it kills the process (SIGKILL) and returns an
// ETIMEDOUT error, so a hung runtime fails its benchmark instead of the run.
// Default 60 s; 0 waits forever.
void SetCommandTimeoutMs(int timeout_ms);

// Waits for a Spawned process, closes its memfd, fills CommandResult.
Result<CommandResult> Reap(Spawned spawned);

// Waits until one of `running` has exited (without reaping it) and returns
// its index; after the command timeout, kills them all and returns ETIMEDOUT.
Result<size_t> WaitAny(const std::vector<Spawned>& running);

// Spawn + Reap.
Result<CommandResult> RunCommand(const std::vector<std::string>& argv, int mount_ns_fd = -1);

// The floor a runtime can approach: clone() with `clone_flags` (CLONE_NEW*),
// the child execs `path` with no arguments and an empty environment; reaped
// with wait4. Output is not captured (stdio is inherited).
Result<CommandResult> RunInNewNamespaces(uint64_t clone_flags, const std::string& path);

int64_t MonotonicNanos();

}  // namespace berth::bench
