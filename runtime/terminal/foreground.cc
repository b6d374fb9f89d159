#include "runtime/terminal/foreground.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <utility>

#include "runtime/base/scm_rights.h"

namespace berth::terminal {
namespace {

// Signals a foreground runtime forwards to the container (runc's set: all
// but those it cannot or must not forward, SIGCHLD being ours).
constexpr int kForwarded[] = {SIGHUP,  SIGINT,   SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE,
                              SIGALRM, SIGCONT,  SIGTSTP, SIGTTIN, SIGTTOU, SIGURG,  SIGVTALRM,
                              SIGPROF, SIGWINCH, SIGIO,   SIGPWR,  SIGSYS};

// Our terminal in raw mode while relaying, so keys reach the container's pty
// line discipline untouched; restored on every exit path.
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
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

void ResizeFrom(int from_fd, int to_fd) {
  winsize ws;
  if (ioctl(from_fd, TIOCGWINSZ, &ws) == 0) ioctl(to_fd, TIOCSWINSZ, &ws);
}

// One read, written out whole. False at end of file or error.
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

}  // namespace

Result<ForegroundSignals> ForegroundSignals::Block() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  for (int sig : kForwarded) sigaddset(&set, sig);
  ForegroundSignals out;
  if (sigprocmask(SIG_BLOCK, &set, &out.previous_) != 0) return Error::Sys("block signals");
  out.restore_ = true;
  out.fd_ = signalfd(-1, &set, SFD_CLOEXEC);
  if (out.fd_ < 0) return Error::Sys("signalfd");
  return out;
}

ForegroundSignals::ForegroundSignals(ForegroundSignals&& other) noexcept
    : fd_(other.fd_), previous_(other.previous_), restore_(other.restore_) {
  other.fd_ = -1;
  other.restore_ = false;
}

ForegroundSignals::~ForegroundSignals() {
  if (fd_ >= 0) close(fd_);
  if (restore_) sigprocmask(SIG_SETMASK, &previous_, nullptr);
}

Result<int> ConnectConsoleSocket(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return Error(ENAMETOOLONG, "console socket path " + path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error::Sys("console socket");
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    Error e = Error::Sys("connect to console socket " + path);
    close(fd);
    return e;
  }
  return fd;
}

Result<ConsoleRelay> ConsoleRelay::Open() {
  ConsoleRelay relay;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, relay.fds_) != 0)
    return Error::Sys("console socketpair");
  return relay;
}

ConsoleRelay::ConsoleRelay(ConsoleRelay&& other) noexcept {
  for (int i : {0, 1}) fds_[i] = std::exchange(other.fds_[i], -1);
}

ConsoleRelay::~ConsoleRelay() {
  for (int fd : fds_)
    if (fd >= 0) close(fd);
}

int ConsoleRelay::TakeMaster() {
  auto master = base::ReceiveFd(fds_[0], /*wait=*/false);
  for (int& fd : fds_) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  return master ? *master : -1;
}

int ShellExitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

int Supervise(const SuperviseOptions& o) {
  std::optional<RawTerminal> raw;
  if (o.master_fd >= 0) {
    raw.emplace(STDIN_FILENO);
    ResizeFrom(STDIN_FILENO, o.master_fd);
  }
  bool stdin_open = o.master_fd >= 0;
  // The relay ends when the pty hangs up (no slave open: the process closed
  // its tty) or fails: a master that reports POLLHUP does so on every poll,
  // and polling it further would spin while the process runs on.
  bool master_open = o.master_fd >= 0;
  std::optional<int> exit_status;
  while (!exit_status) {
    pollfd fds[3] = {{o.signal_fd, POLLIN, 0},
                     {master_open ? o.master_fd : -1, POLLIN, 0},
                     {stdin_open && master_open ? STDIN_FILENO : -1, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    // Data first; read fails (EIO) once it is drained after a hang-up.
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) master_open = Copy(o.master_fd, STDOUT_FILENO);
    if (fds[1].revents & POLLNVAL) master_open = false;
    if (fds[2].revents & (POLLIN | POLLHUP)) stdin_open = Copy(STDIN_FILENO, o.master_fd);
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo info;
    if (read(o.signal_fd, &info, sizeof info) != sizeof info) continue;
    if (info.ssi_signo == SIGCHLD) {
      int status;
      pid_t reaped;
      while ((reaped = waitpid(o.reap_all ? -1 : o.pid, &status, WNOHANG)) > 0)
        if (reaped == o.pid) exit_status = ShellExitStatus(status);
    } else if (info.ssi_signo == SIGWINCH && o.master_fd >= 0) {
      ResizeFrom(STDIN_FILENO, o.master_fd);
    } else {
      kill(o.pid, static_cast<int>(info.ssi_signo));
    }
  }
  if (o.master_fd >= 0) {
    // Drain what the process wrote before it exited.
    fcntl(o.master_fd, F_SETFL, O_NONBLOCK);
    while (Copy(o.master_fd, STDOUT_FILENO)) {
    }
  }
  return exit_status.value_or(255);
}

}  // namespace berth::terminal
