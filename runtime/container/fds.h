// File descriptors that reach the container process: exactly 0-2, plus the
// fds a caller passes on purpose (LISTEN_FDS, --preserve-fds).
#pragma once

#include <string>

#include "spec/error.h"

namespace berth::container {

// Child side, just before execve: fds 3 .. 3+extra-1 lose FD_CLOEXEC (they are
// handed over); every other fd >= 3 is closed, except `keep_cloexec`, which
// must be O_CLOEXEC (it closes at execve itself; -1 for none).
Status CloseFdsForExec(int extra, int keep_cloexec);

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
