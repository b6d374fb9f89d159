#include "runtime/container/fds.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "gtest/gtest.h"

namespace berth::container {
namespace {

// In a forked child: open extra fds, close for exec, report which survive.
TEST(FdsTest, OnlyStdioPreservedAndTheKeptOneSurvive) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Make fds 3 and 4 the "preserved" ones (no CLOEXEC expected afterwards).
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int high = fcntl(null_fd, F_DUPFD_CLOEXEC, 50);
    close(null_fd);
    if (high < 0 || dup3(high, 3, O_CLOEXEC) < 0 || dup3(high, 4, O_CLOEXEC) < 0) _exit(10);
    close(high);
    int keep = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int stray1 = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int stray2 = open("/dev/null", O_RDONLY);
    if (dup2(stray2, 40) < 0) _exit(11);
    if (!CloseFdsForExec(2, keep)) _exit(12);
    if (fcntl(3, F_GETFD) != 0 || fcntl(4, F_GETFD) != 0) _exit(13);  // open, no CLOEXEC
    if (fcntl(keep, F_GETFD) != FD_CLOEXEC) _exit(14);
    if (fcntl(stray1, F_GETFD) != -1 || fcntl(stray2, F_GETFD) != -1 || fcntl(40, F_GETFD) != -1)
      _exit(15);
    if (CountOpenFds() != 6) _exit(16);  // 0,1,2,3,4,keep
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(FdsTest, MissingPreservedFdIsAnError) {
  pid_t pid = fork();
  if (pid == 0) {
    close(3);
    _exit(CloseFdsForExec(1, -1).ok() ? 1 : 0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(FdsTest, ListenFdsCountOnlyForThisPid) {
  setenv("LISTEN_FDS", "2", 1);
  setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
  EXPECT_EQ(CountExtraFds(3).listen_fds, 2);
  EXPECT_EQ(CountExtraFds(3).total(), 5);
  setenv("LISTEN_PID", "1", 1);
  EXPECT_EQ(CountExtraFds(3).listen_fds, 0);
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_PID");
  EXPECT_EQ(CountExtraFds(-1).total(), 0);
}

}  // namespace
}  // namespace berth::container
