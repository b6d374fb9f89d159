#include "runtime/cli/run_foreground.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "runtime/terminal/foreground.h"

namespace berth::cli {

Result<int> RunForeground(const container::RuntimeOptions& runtime,
                          container::CreateOptions options, bool keep) {
  auto signals = BERTH_TRY(terminal::ForegroundSignals::Block());
  // Orphans of the container (without a pid namespace) are reaped by us.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  // No --console-socket: a socketpair stands in, and we relay the pty.
  std::optional<terminal::ConsoleRelay> relay;
  if (options.console_socket.empty()) {
    relay.emplace(BERTH_TRY(terminal::ConsoleRelay::Open()));
    options.console_socket_fd = relay->child_fd();
  }

  pid_t init = BERTH_TRY(container::Create(runtime, options));
  int master_fd = relay ? relay->TakeMaster() : -1;
  Status started = container::Start(runtime, options.id);
  if (!started) {
    (void)container::Delete(runtime, options.id, true);
    waitpid(init, nullptr, 0);
    if (master_fd >= 0) close(master_fd);
    return std::move(started).error();
  }
  int status = terminal::Supervise({init, signals.fd(), master_fd, /*reap_all=*/true});
  if (master_fd >= 0) close(master_fd);
  if (!keep) BERTH_TRY(container::Delete(runtime, options.id, true));
  return status;
}

}  // namespace berth::cli
