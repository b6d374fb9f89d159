// Child side: the container's console (process.terminal) and runc's
// --console-socket protocol.
#pragma once

#include <optional>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::terminal {

struct ConsolePair {
  int master_fd = -1;  // the pty master, sent to the console socket
  int peer_fd = -1;    // the pty slave, becomes the init's stdio
};

// Inside the container (its mount namespace, so its devpts): opens
// /dev/ptmx, unlockpt, gets the peer with TIOCGPTPEER (never by /dev/pts/N
// path: CVE-2025-52565) and checks the peer is a devpts slave. Both fds
// O_CLOEXEC. exec's pty; OpenConsole adds the /dev/console mount.
Result<ConsolePair> OpenPty();

// Inside the container after EnterRootfs: opens /dev/ptmx, unlockpt, gets the
// peer with TIOCGPTPEER (never by /dev/pts/N path: CVE-2025-52565) and
// bind-mounts the peer onto /dev/console from the fd. Both fds O_CLOEXEC.
Result<ConsolePair> OpenConsole();

// Sends master_fd over the connected unix socket console_socket_fd with
// SCM_RIGHTS, payload the pty name ("/dev/ptmx"), as runc.
Status SendConsoleMaster(int console_socket_fd, int master_fd);

// setsid, TIOCSCTTY on peer_fd, dup2 onto 0,1,2, TIOCSWINSZ when a size is
// given.
Status BecomeControllingTerminal(int peer_fd, const std::optional<spec::ConsoleSize>& size);

}  // namespace berth::terminal
