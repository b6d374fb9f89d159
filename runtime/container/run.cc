// PARENT side of `berth run`: create + start, then the foreground supervision.
#include "runtime/container/run.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "runtime/terminal/foreground.h"

namespace berth::container {
namespace {

// Start, or on failure delete what Create made and report the start's error.
Status StartOrDelete(const RuntimeOptions& runtime, const std::string& id) {
  Status started = Start(runtime, id);
  if (!started) (void)Delete(runtime, id, /*force=*/true);
  return started;
}

Result<int> RunDetached(const RuntimeOptions& runtime, const CreateOptions& options) {
  BERTH_TRY(Create(runtime, options));
  BERTH_TRY(StartOrDelete(runtime, options.id));
  return 0;
}

Result<int> RunInForeground(const RuntimeOptions& runtime, CreateOptions options, bool keep) {
  // Blocked before the clone, so no signal meant for the container is lost.
  auto signals = BERTH_TRY(terminal::ForegroundSignals::Block());
  // Orphans of the container (without a pid namespace) are reaped by us.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  // No --console-socket: a socketpair stands in, and we relay the pty.
  std::optional<terminal::ConsoleRelay> relay;
  if (options.console_socket.empty()) {
    relay.emplace(BERTH_TRY(terminal::ConsoleRelay::Open()));
    options.console_socket_fd = relay->child_fd();
  }

  pid_t init = BERTH_TRY(Create(runtime, options));
  int master_fd = relay ? relay->TakeMaster() : -1;  // a master only when a tty was made
  if (Status started = StartOrDelete(runtime, options.id); !started) {
    waitpid(init, nullptr, 0);
    if (master_fd >= 0) close(master_fd);
    return std::move(started).error();
  }
  int status = terminal::Supervise({init, signals.fd(), master_fd, /*reap_all=*/true});
  if (master_fd >= 0) close(master_fd);
  if (!keep) BERTH_TRY(Delete(runtime, options.id, /*force=*/true));
  return status;
}

}  // namespace

Result<int> Run(const RuntimeOptions& runtime, const RunOptions& options) {
  if (options.detach) return RunDetached(runtime, options.create);
  return RunInForeground(runtime, options.create, options.keep);
}

}  // namespace berth::container
