// File descriptors that reach the container process: exactly 0-2, plus the
// fds a caller passes on purpose (LISTEN_FDS, --preserve-fds).
#pragma once

#include <string>

#include "runtime/base/error.h"

namespace berth::container {

// Handing them over and closing the rest is process::CloseFdsForExec, part
// of process::FinishAndExec (finish_exec.h).

// How many fds the caller hands over: $LISTEN_FDS (when $LISTEN_PID is this
// process, as systemd socket activation sets them) + --preserve-fds.
struct ExtraFds {
  int listen_fds = 0;
  int preserve_fds = 0;
  int total() const { return listen_fds + preserve_fds; }
};
ExtraFds CountExtraFds(int preserve_fds);

// Number of open fds of this process (/proc/self/fd), for tests and checks.
int CountOpenFds();

}  // namespace berth::container
