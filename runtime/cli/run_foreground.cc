#include "runtime/cli/run_foreground.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "runtime/cli/commands.h"

namespace berth::cli {
namespace {

// Signals a foreground runtime forwards to the container (as runc does).
constexpr int kForwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE,
                              SIGALRM, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGVTALRM,
                              SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS};

class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (!isatty(fd) || tcgetattr(fd, &saved_) != 0) return;
    termios raw = saved_;
    cfmakeraw(&raw);
    if (tcsetattr(fd, TCSANOW, &raw) == 0) active_ = true;
  }
  ~RawTerminal() {
    if (active_) tcsetattr(fd_, TCSANOW, &saved_);
  }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

void ResizeFrom(int from_fd, int to_fd) {
  winsize ws;
  if (ioctl(from_fd, TIOCGWINSZ, &ws) == 0) ioctl(to_fd, TIOCSWINSZ, &ws);
}

bool Copy(int from, int to) {
  char buf[16384];
  ssize_t n = read(from, buf, sizeof buf);
  if (n <= 0) return false;
  ssize_t done = 0;
  while (done < n) {
    ssize_t w = write(to, buf + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    done += w;
  }
  return true;
}

// Forwards signals, relays the pty, reaps children until the init exits.
int Supervise(pid_t init, int signal_fd, int master_fd) {
  std::optional<RawTerminal> raw;
  if (master_fd >= 0) {
    raw.emplace(STDIN_FILENO);
    ResizeFrom(STDIN_FILENO, master_fd);
  }
  bool stdin_open = master_fd >= 0;
  std::optional<int> exit_status;
  while (!exit_status) {
    pollfd fds[3] = {{signal_fd, POLLIN, 0}, {master_fd, POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & POLLIN) Copy(master_fd, STDOUT_FILENO);
    if (fds[2].revents & (POLLIN | POLLHUP)) stdin_open = Copy(STDIN_FILENO, master_fd);
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo info;
    if (read(signal_fd, &info, sizeof info) != sizeof info) continue;
    if (info.ssi_signo == SIGCHLD) {
      // We are a subreaper: reap everything, note the init's status.
      int status;
      pid_t pid;
      while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        if (pid == init) exit_status = ExitStatusOf(status);
    } else if (info.ssi_signo == SIGWINCH && master_fd >= 0) {
      ResizeFrom(STDIN_FILENO, master_fd);
    } else {
      kill(init, info.ssi_signo);
    }
  }
  if (master_fd >= 0) {
    // Drain what the container wrote before it exited.
    fcntl(master_fd, F_SETFL, O_NONBLOCK);
    while (Copy(master_fd, STDOUT_FILENO)) {
    }
  }
  return exit_status.value_or(255);
}

}  // namespace

Result<int> ReceiveFd(int socket_fd, bool wait) {
  char payload[4096];
  iovec iov{payload, sizeof payload};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
  if (n < 0) return Error::Sys("receive console fd");
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return fd;
    }
  }
  return Error(EPROTO, "console socket message without a file descriptor");
}

Result<int> RunForeground(const container::RuntimeOptions& runtime,
                          container::CreateOptions options, bool keep) {
  sigset_t forwarded;
  sigemptyset(&forwarded);
  sigaddset(&forwarded, SIGCHLD);
  for (int sig : kForwarded) sigaddset(&forwarded, sig);
  sigset_t previous;
  sigprocmask(SIG_BLOCK, &forwarded, &previous);
  int signal_fd = signalfd(-1, &forwarded, SFD_CLOEXEC);
  if (signal_fd < 0) return Error::Sys("signalfd");
  // Orphans of the container (without a pid namespace) are reaped by us.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  int console_pair[2] = {-1, -1};
  if (options.console_socket.empty()) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console_pair) != 0)
      return Error::Sys("console socketpair");
    options.console_socket_fd = console_pair[1];
  }
  auto close_all = [&] {
    for (int fd : console_pair)
      if (fd >= 0) close(fd);
    close(signal_fd);
    sigprocmask(SIG_SETMASK, &previous, nullptr);
  };

  auto created = container::Create(runtime, options);
  if (!created) {
    close_all();
    return std::move(created).error();
  }
  pid_t init = *created;
  int master_fd = -1;
  if (console_pair[0] >= 0) {
    auto master = ReceiveFd(console_pair[0], false);
    if (master) master_fd = *master;
  }
  Status started = container::Start(runtime, options.id);
  if (!started) {
    (void)container::Delete(runtime, options.id, true);
    waitpid(init, nullptr, 0);
    if (master_fd >= 0) close(master_fd);
    close_all();
    return std::move(started).error();
  }
  int status = Supervise(init, signal_fd, master_fd);
  if (master_fd >= 0) close(master_fd);
  close_all();
  if (!keep) BERTH_TRY(container::Delete(runtime, options.id, true));
  return status;
}

}  // namespace berth::cli
