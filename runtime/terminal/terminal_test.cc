#include "runtime/terminal/terminal.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <cstring>
#include <thread>

#include "runtime/process/testing/fork_child.h"

namespace berth::terminal {
namespace {

using berth::testing::RunInChild;

// In the calling (forked) process: a private mount namespace whose root is a
// tmpfs holding dev/pts (a fresh devpts instance) and dev/ptmx -> pts/ptmx,
// like a container after EnterRootfs. Returns "" or what failed.
std::string EnterFakeContainer(bool console_is_symlink) {
  if (unshare(CLONE_NEWNS) != 0) return "unshare";
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return "make private";
  // A tmpfs over /tmp, visible only in this mount namespace: nothing is
  // created on the host.
  const char* dir = "/tmp";
  if (mount("tmpfs", dir, "tmpfs", 0, "mode=0755") != 0) return "tmpfs";
  std::string root = dir;
  if (mkdir((root + "/dev").c_str(), 0755) != 0 || mkdir((root + "/dev/pts").c_str(), 0755) != 0)
    return "mkdir dev";
  if (mount("devpts", (root + "/dev/pts").c_str(), "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=0620") != 0)
    return "devpts";
  if (symlink("pts/ptmx", (root + "/dev/ptmx").c_str()) != 0) return "ptmx symlink";
  if (console_is_symlink) {
    int fd = open((root + "/secret").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    close(fd);
    if (symlink("/secret", (root + "/dev/console").c_str()) != 0) return "console symlink";
  }
  if (chroot(dir) != 0 || chdir("/") != 0) return "chroot";
  return "";
}

int ReceiveFd(int sock, std::string* payload) {
  char buf[64];
  iovec iov{buf, sizeof(buf)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  if (n <= 0) return -1;
  payload->assign(buf, static_cast<size_t>(n));
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return fd;
}

TEST(Terminal, ConsoleMasterOverSocketAndControllingTerminal) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a mount namespace and devpts";
  int sp[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);

  // The engine's side: receive the master, read what the container prints,
  // answer on its stdin.
  std::string payload, seen;
  bool master_is_tty = false;
  std::thread engine([&] {
    int master = ReceiveFd(sp[0], &payload);
    if (master < 0) return;
    master_is_tty = isatty(master);
    char buf[256];
    while (seen.find("ready") == std::string::npos) {
      ssize_t n = read(master, buf, sizeof(buf));
      if (n <= 0) break;
      seen.append(buf, static_cast<size_t>(n));
    }
    (void)!write(master, "bye\n", 4);
    // Drain until the container side closes.
    while (read(master, buf, sizeof(buf)) > 0) {
    }
    close(master);
  });

  auto outcome = RunInChild([&] {
    close(sp[0]);
    if (std::string e = EnterFakeContainer(false); !e.empty()) return "setup: " + e;
    auto pair = OpenConsole();
    if (!pair) return pair.error().ToString();
    struct stat console, peer;
    if (stat("/dev/console", &console) != 0 || fstat(pair->peer_fd, &peer) != 0) return std::string("stat");
    std::string out =
        S_ISCHR(console.st_mode) && major(console.st_rdev) == 136 && console.st_rdev == peer.st_rdev
            ? "console=peer"
            : "console wrong";
    if (Status s = SendConsoleMaster(sp[1], pair->master_fd); !s) return s.error().ToString();
    close(pair->master_fd);
    if (Status s = BecomeControllingTerminal(pair->peer_fd, spec::ConsoleSize{24, 80}); !s)
      return s.error().ToString();
    winsize ws{};
    ioctl(0, TIOCGWINSZ, &ws);
    out += " ctty=" + std::string(tcgetsid(0) == getpid() ? "yes" : "no");
    out += " size=" + std::to_string(ws.ws_row) + "x" + std::to_string(ws.ws_col);
    out += " tty012=" + std::to_string(isatty(0) + isatty(1) + isatty(2));
    (void)!write(1, "ready\n", 6);
    char line[16] = {};
    ssize_t n = read(0, line, sizeof(line) - 1);
    out += " stdin=" + std::string(line, n > 0 ? static_cast<size_t>(n) : 0);
    return out;
  });
  close(sp[1]);
  engine.join();
  close(sp[0]);
  EXPECT_EQ(outcome.output, "console=peer ctty=yes size=24x80 tty012=3 stdin=bye\n");
  EXPECT_EQ(payload, "/dev/ptmx");
  EXPECT_TRUE(master_is_tty);
  EXPECT_NE(seen.find("ready"), std::string::npos) << seen;
}

TEST(Terminal, RefusesASymlinkedDevConsole) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a mount namespace and devpts";
  auto outcome = RunInChild([] {
    if (std::string e = EnterFakeContainer(true); !e.empty()) return "setup: " + e;
    auto pair = OpenConsole();
    if (pair) return std::string("opened");
    struct stat st;
    lstat("/secret", &st);
    return pair.error().ToString() + (S_ISREG(st.st_mode) ? " secret-intact" : " secret-changed");
  });
  EXPECT_NE(outcome.output.find("/dev/console"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("secret-intact"), std::string::npos) << outcome.output;
}

TEST(Terminal, SendConsoleMasterFailsOnAClosedPeer) {
  int sp[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
  close(sp[0]);
  Status s = SendConsoleMaster(sp[1], 0);
  close(sp[1]);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EPIPE);
}

}  // namespace
}  // namespace berth::terminal
