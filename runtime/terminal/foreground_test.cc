// Supervise, the foreground runtime's loop (run and exec without -d).
#include "runtime/terminal/foreground.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

namespace berth::terminal {
namespace {

// CPU time (user + system) of the calling process, in milliseconds.
int64_t OwnCpuMillis() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& tv) { return int64_t{tv.tv_sec} * 1000 + tv.tv_usec / 1000; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// A process that closes its terminal and keeps running (a daemon detaching
// from its tty) must not make the supervisor spin: the pty master reports
// POLLHUP for as long as no slave is open. Runs the supervisor in a child
// so its CPU time is its own, and bounds it: a second of the workload's
// sleep costs the supervisor a few milliseconds when it waits in poll, and
// the whole second when it busy-loops on the hang-up.
TEST(Supervise, PtyHangUpWhileTheProcessRunsDoesNotSpin) {
  int report[2];
  ASSERT_EQ(pipe2(report, O_CLOEXEC), 0);
  pid_t supervisor = fork();
  ASSERT_GE(supervisor, 0);
  if (supervisor == 0) {
    close(report[0]);
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(devnull, STDIN_FILENO);
    dup2(devnull, STDOUT_FILENO);
    auto signals = ForegroundSignals::Block();
    if (!signals.ok()) _exit(2);
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) _exit(3);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) _exit(4);
    pid_t workload = fork();
    if (workload < 0) _exit(5);
    if (workload == 0) {
      close(master);
      close(slave);  // the tty is gone; the process goes on
      timespec second{1, 0};
      while (nanosleep(&second, &second) != 0) {
      }
      _exit(0);
    }
    close(slave);
    int64_t before = OwnCpuMillis();
    int status = Supervise({workload, signals->fd(), master, /*reap_all=*/false});
    int64_t used = OwnCpuMillis() - before;
    if (status != 0) _exit(6);
    if (write(report[1], &used, sizeof used) != sizeof used) _exit(7);
    _exit(0);
  }
  close(report[1]);
  int64_t used = -1;
  ssize_t n = read(report[0], &used, sizeof used);
  close(report[0]);
  int status = 0;
  ASSERT_EQ(waitpid(supervisor, &status, 0), supervisor);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "supervisor status " << status;
  ASSERT_EQ(n, static_cast<ssize_t>(sizeof used));
  std::printf("supervisor CPU while the process slept 1 s without a tty: %lld ms\n",
              static_cast<long long>(used));
  EXPECT_LT(used, 100) << "the supervisor used " << used
                       << " ms of CPU while the process slept 1 s without a tty";
}

}  // namespace
}  // namespace berth::terminal
