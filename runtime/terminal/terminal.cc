// Child side: the container console and runc's --console-socket protocol.
#include "runtime/terminal/terminal.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "runtime/base/scm_rights.h"

namespace berth::terminal {
namespace {

// UNIX98 pty slaves (devpts) have majors 136-143.
bool IsPtySlave(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143;
}

// An O_PATH fd of /dev/console that is certainly not a symlink, creating an
// empty regular file as the mount target when it does not exist.
Result<int> OpenConsoleTarget() {
  int fd = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    int created = open("/dev/console", O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600);
    if (created < 0) return Error::Sys("create /dev/console");
    close(created);
    fd = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) return Error::Sys("open /dev/console");
  struct stat st;
  if (fstat(fd, &st) != 0) {
    Error err = Error::Sys("stat /dev/console");
    close(fd);
    return err;
  }
  if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode)) {
    close(fd);
    return Error(ELOOP, "/dev/console is a symlink or directory; refusing to mount over it");
  }
  return fd;
}

// Bind-mounts the file behind from_fd onto the file behind target_fd, never
// re-resolving a path (the mount API's fd-to-fd form; /proc/self/fd as the
// fallback for kernels without it).
Status BindFdOntoFd(int from_fd, int target_fd) {
  int tree = open_tree(from_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree >= 0) {
    int rc = move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    Error err = Error::Sys("move_mount pty peer onto /dev/console");
    close(tree);
    if (rc != 0) return err;
    return Ok();
  }
  if (errno != ENOSYS) return Error::Sys("open_tree pty peer");
  std::string from = "/proc/self/fd/" + std::to_string(from_fd);
  std::string to = "/proc/self/fd/" + std::to_string(target_fd);
  if (mount(from.c_str(), to.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return Error::Sys("bind pty peer onto /dev/console");
  return Ok();
}

}  // namespace

Result<ConsolePair> OpenPty() {
  ConsolePair pair;
  pair.master_fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (pair.master_fd < 0) return Error::Sys("open /dev/ptmx");
  auto fail = [&](Error err) -> Result<ConsolePair> {
    if (pair.peer_fd >= 0) close(pair.peer_fd);
    close(pair.master_fd);
    return err;
  };
  int unlock = 0;
  if (ioctl(pair.master_fd, TIOCSPTLCK, &unlock) != 0) return fail(Error::Sys("unlockpt"));
  // The peer comes from the master itself: no /dev/pts/N path that a
  // container process could swap for a symlink (CVE-2025-52565).
  pair.peer_fd = ioctl(pair.master_fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (pair.peer_fd < 0) return fail(Error::Sys("ioctl(TIOCGPTPEER)"));
  struct stat st;
  if (fstat(pair.peer_fd, &st) != 0) return fail(Error::Sys("stat pty peer"));
  if (!IsPtySlave(st))
    return fail(
        Error(ENOTTY, "pty peer is not a devpts device (major " + std::to_string(major(st.st_rdev)) + ")"));
  return pair;
}

Result<ConsolePair> OpenConsole() {
  ConsolePair pair = BERTH_TRY(OpenPty());
  auto fail = [&](Error err) -> Result<ConsolePair> {
    close(pair.peer_fd);
    close(pair.master_fd);
    return err;
  };
  auto target = OpenConsoleTarget();
  if (!target) return fail(std::move(target).error());
  Status bound = BindFdOntoFd(pair.peer_fd, *target);
  close(*target);
  if (!bound) return fail(std::move(bound).error());
  return pair;
}

Status SendConsoleMaster(int console_socket_fd, int master_fd) {
  // runc's protocol: one message, payload the terminal's name, the master
  // as SCM_RIGHTS.
  Status sent = base::SendFd(console_socket_fd, "/dev/ptmx", master_fd);
  if (!sent) return std::move(sent).error().Context("send console master to --console-socket");
  return Ok();
}

Status BecomeControllingTerminal(int peer_fd, const std::optional<spec::ConsoleSize>& size) {
  // A new session, unless this process already leads one.
  if (setsid() < 0 && !(errno == EPERM && getsid(0) == getpid())) return Error::Sys("setsid");
  if (ioctl(peer_fd, TIOCSCTTY, 0) != 0) return Error::Sys("ioctl(TIOCSCTTY)");
  if (size) {
    winsize ws;
    std::memset(&ws, 0, sizeof(ws));
    ws.ws_row = static_cast<unsigned short>(size->height);
    ws.ws_col = static_cast<unsigned short>(size->width);
    if (ioctl(peer_fd, TIOCSWINSZ, &ws) != 0) return Error::Sys("ioctl(TIOCSWINSZ)");
  }
  for (int target = 0; target <= 2; ++target) {
    if (peer_fd == target) {  // keep it across execve
      int flags = fcntl(peer_fd, F_GETFD);
      if (flags < 0 || fcntl(peer_fd, F_SETFD, flags & ~FD_CLOEXEC) != 0)
        return Error::Sys("clear close-on-exec on the console");
      continue;
    }
    if (dup2(peer_fd, target) < 0) return Error::Sys("dup2 console onto fd " + std::to_string(target));
  }
  return Ok();
}

}  // namespace berth::terminal
