// PARENT side: what a runtime that stays in the foreground does while its
// container process runs (`berth run` without -d, `berth exec` without -d),
// as runc does: forward the signals it gets to the process, relay a pty it
// allocated (process.terminal without --console-socket) to its own stdio,
// reap, and return the process's exit status.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>

#include "runtime/base/error.h"

namespace berth::terminal {

// Blocks SIGCHLD and every forwarded signal and reads them from a signalfd,
// so none is lost between fork and supervision; the mask is restored on
// destruction. Create it before the child is forked: the child inherits the
// mask and must reset it before execve (both init and exec children do).
class ForegroundSignals {
 public:
  static Result<ForegroundSignals> Block();
  ForegroundSignals(ForegroundSignals&& other) noexcept;
  ForegroundSignals& operator=(ForegroundSignals&&) = delete;
  ~ForegroundSignals();
  int fd() const { return fd_; }

 private:
  ForegroundSignals() = default;
  int fd_ = -1;
  sigset_t previous_{};
  bool restore_ = false;
};

// Connects to a --console-socket path (AF_UNIX stream), close-on-exec.
Result<int> ConnectConsoleSocket(const std::string& path);

// Stands in for --console-socket when a foreground run/exec relays the pty
// itself: child_fd() goes to create/exec as their console socket fd, and
// TakeMaster() collects the pty master once the process has sent it (-1
// when the process has no terminal). Both socket ends close with it.
class ConsoleRelay {
 public:
  static Result<ConsoleRelay> Open();
  ConsoleRelay(ConsoleRelay&& other) noexcept;
  ConsoleRelay& operator=(ConsoleRelay&&) = delete;
  ~ConsoleRelay();
  int child_fd() const { return fds_[1]; }
  int TakeMaster();

 private:
  ConsoleRelay() = default;
  int fds_[2] = {-1, -1};
};

struct SuperviseOptions {
  pid_t pid = 0;       // the process whose exit ends supervision
  int signal_fd = -1;  // ForegroundSignals::fd()
  int master_fd = -1;  // pty master to relay, or -1
  // As a child subreaper (run), reap every child; else (exec) only `pid`.
  bool reap_all = false;
};

// Returns the exit status as a shell reports it: the code, or 128 + signal.
int Supervise(const SuperviseOptions& options);

// The same conversion for a wait(2) status.
int ShellExitStatus(int wait_status);

}  // namespace berth::terminal
