#include "runtime/cli/run_foreground.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/terminal/foreground.h"

namespace berth::cli {

Result<int> RunForeground(const container::RuntimeOptions& runtime,
                          container::CreateOptions options, bool keep) {
  auto signals = BERTH_TRY(terminal::ForegroundSignals::Block());
  // Orphans of the container (without a pid namespace) are reaped by us.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  // No --console-socket: a socketpair stands in, and we relay the pty.
  int console_pair[2] = {-1, -1};
  if (options.console_socket.empty()) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console_pair) != 0)
      return Error::Sys("console socketpair");
    options.console_socket_fd = console_pair[1];
  }
  int master_fd = -1;
  auto close_fds = [&] {
    for (int fd : {console_pair[0], console_pair[1], master_fd})
      if (fd >= 0) close(fd);
  };

  auto created = container::Create(runtime, options);
  if (!created) {
    close_fds();
    return std::move(created).error();
  }
  pid_t init = *created;
  if (console_pair[0] >= 0) {
    auto master = terminal::ReceiveFd(console_pair[0], false);
    if (master) master_fd = *master;
  }
  Status started = container::Start(runtime, options.id);
  if (!started) {
    (void)container::Delete(runtime, options.id, true);
    waitpid(init, nullptr, 0);
    close_fds();
    return std::move(started).error();
  }
  int status = terminal::Supervise({init, signals.fd(), master_fd, /*reap_all=*/true});
  close_fds();
  if (!keep) BERTH_TRY(container::Delete(runtime, options.id, true));
  return status;
}

}  // namespace berth::cli
