#include "runtime/process/signal_dispositions.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace berth::process {
namespace {

TEST(ParseStatusSignalMask, ReadsTheNamedField) {
  const char* status =
      "Name:\tcat\nSigQ:\t0/63\nSigPnd:\t0000000000000000\nSigBlk:\t0000000000010000\n"
      "SigIgn:\t0000000000001006\nSigCgt:\t0000000180000000\n";
  EXPECT_EQ(ParseStatusSignalMask(status, "SigIgn"), uint64_t{0x1006});
  EXPECT_EQ(ParseStatusSignalMask(status, "SigCgt"), uint64_t{0x180000000});
  EXPECT_EQ(ParseStatusSignalMask(status, "SigBlk"), uint64_t{0x10000});
}

TEST(ParseStatusSignalMask, AbsentOrMalformedIsNullopt) {
  EXPECT_EQ(ParseStatusSignalMask("SigIgnX:\t01\n", "SigIgn"), std::nullopt);
  EXPECT_EQ(ParseStatusSignalMask("SigIgn:\tzz\n", "SigIgn"), std::nullopt);
  EXPECT_EQ(ParseStatusSignalMask("SigIgn:\t\n", "SigIgn"), std::nullopt);
  EXPECT_EQ(ParseStatusSignalMask("", "SigIgn"), std::nullopt);
}

void Handler(int) {}

// In a child, so the test process keeps its own dispositions.
TEST(ResetSignalDispositions, IgnoredCaughtAndBlockedSignalsAreReset) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signal(SIGUSR1, SIG_IGN);
    signal(SIGRTMIN + 3, SIG_IGN);
    signal(SIGUSR2, Handler);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, nullptr);
    ResetSignalDispositions(ChangedSignalDispositions());
    int bad = 0;
    for (int sig : {SIGUSR1, SIGUSR2, static_cast<int>(SIGRTMIN + 3)}) {
      struct sigaction now;
      if (sigaction(sig, nullptr, &now) != 0 || now.sa_handler != SIG_DFL) bad |= 1;
    }
    sigset_t mask;
    sigprocmask(SIG_SETMASK, nullptr, &mask);
    if (sigismember(&mask, SIGTERM)) bad |= 2;
    _exit(bad);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: a disposition kept, 2: a signal still blocked";
}

TEST(ChangedSignalDispositions, NamesTheIgnoredSignals) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_IGN);
    uint64_t changed = ChangedSignalDispositions();
    _exit((changed & (uint64_t{1} << (SIGUSR2 - 1))) && !(changed & (uint64_t{1} << (SIGUSR1 - 1))) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace berth::process
