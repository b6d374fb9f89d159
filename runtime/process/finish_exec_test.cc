#include "runtime/process/finish_exec.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/process/attributes.h"
#include "runtime/process/capabilities.h"
#include "runtime/process/seccomp.h"
#include "runtime/process/testing/fork_child.h"

namespace berth::process {
namespace {

// Like testing::RunInChild, but the report pipe sits at fd 200, clear of
// the fds under test, and every CloseFdsForExec call below keeps it.
constexpr int kReportFd = 200;

berth::testing::ChildOutcome RunInChild(const std::function<std::string()>& body) {
  berth::testing::ChildOutcome outcome;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return outcome;
  pid_t pid = fork();
  if (pid == 0) {
    if (dup3(fds[1], kReportFd, O_CLOEXEC) < 0) _exit(121);
    close(fds[0]);
    close(fds[1]);
    std::string result = body();
    if (write(kReportFd, result.data(), result.size()) != static_cast<ssize_t>(result.size())) _exit(120);
    _exit(0);
  }
  close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) outcome.output.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  return outcome;
}

// What a static busybox `true` makes after execve (strace), plus execve.
const std::vector<std::string> kBusyboxTrue = {
    "execve",   "brk",       "arch_prctl", "set_tid_address", "set_robust_list", "rseq",      "prlimit64",
    "readlink", "getrandom", "mprotect",   "prctl",           "getuid",          "exit_group"};

bool HaveBusybox() { return access("/bin/busybox", X_OK) == 0; }

int OpenNull(int flags = O_CLOEXEC) { return open("/dev/null", O_RDONLY | flags); }

// "open"/"closed" per fd, as one string.
std::string Describe(const std::vector<int>& fds) {
  std::string out;
  for (int fd : fds) {
    int flags = fcntl(fd, F_GETFD);
    out += std::to_string(fd) + (flags < 0 ? ":closed " : (flags & FD_CLOEXEC) ? ":cloexec " : ":open ");
  }
  return out;
}

// fds 3, 4 preserved (CLOEXEC until handed over), 5 kept (the error-report
// fd), 6, 7 and 40 (without CLOEXEC, as an fd inherited from a caller) stray.
std::vector<int> SetUpFds() {
  int null_fd = OpenNull();
  int high = fcntl(null_fd, F_DUPFD_CLOEXEC, 50);
  close(null_fd);
  for (int fd = 3; fd <= 7; ++fd) dup3(high, fd, O_CLOEXEC);
  dup2(high, 40);  // no CLOEXEC
  close(high);
  return {3, 4, 5, 6, 7, 40};
}
const char kExpected[] = "3:open 4:open 5:cloexec 6:closed 7:closed 40:closed ";

TEST(CloseFdsForExec, PreservedLoseCloexecKeptStayOthersAreClosed) {
  auto outcome = RunInChild([] {
    std::vector<int> fds = SetUpFds();
    if (Status s = CloseFdsForExec(2, {5, kReportFd}); !s) return s.error().ToString();
    return Describe(fds);
  });
  EXPECT_EQ(outcome.output, kExpected);
}

TEST(CloseFdsForExec, OneCloseRangePerGapBetweenKeptFds) {
  static std::vector<std::pair<unsigned, unsigned>> calls;
  calls.clear();
  auto record = +[](unsigned first, unsigned last, unsigned flags) {
    calls.push_back({first, last});
    return static_cast<int>(syscall(SYS_close_range, first, last, flags));
  };
  auto outcome = RunInChild([&] {
    std::vector<int> fds = SetUpFds();
    if (Status s = CloseFdsForExec(2, {5, 1, kReportFd}, record); !s) return s.error().ToString();
    std::string out = Describe(fds);
    for (auto [first, last] : calls) out += "[" + std::to_string(first) + "," + std::to_string(last) + "]";
    return out;
  });
  // fd 1 is below the range and needs no gap.
  EXPECT_EQ(outcome.output, std::string(kExpected) + "[6,199][201,4294967295]");
}

TEST(CloseFdsForExec, MissingPreservedFdIsAnError) {
  auto outcome = RunInChild([] {
    close(3);
    Status s = CloseFdsForExec(1, {});
    return std::string(s.ok() ? "ok" : "error");
  });
  EXPECT_EQ(outcome.output, "error");
}

// The fallback, with close_range refused as a kernel before 5.9 (ENOSYS) or
// the runtime's own seccomp filter (EPERM) refuses it.
class CloseRangeRefused : public ::testing::TestWithParam<int> {};

TEST_P(CloseRangeRefused, FakeRefusalFallsBackToClosingEachFd) {
  static int refused_errno;
  refused_errno = GetParam();
  auto refuse = +[](unsigned, unsigned, unsigned) {
    errno = refused_errno;
    return -1;
  };
  auto outcome = RunInChild([&] {
    std::vector<int> fds = SetUpFds();
    if (Status s = CloseFdsForExec(2, {5, kReportFd}, refuse); !s) return s.error().ToString();
    return Describe(fds);
  });
  EXPECT_EQ(outcome.output, kExpected);
}

TEST_P(CloseRangeRefused, RealSeccompRefusalFallsBackToClosingEachFd) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  spec::SeccompSyscall refuse;
  refuse.names = {"close_range"};
  refuse.action = "SCMP_ACT_ERRNO";
  refuse.errnoRet = static_cast<uint32_t>(GetParam());
  profile.syscalls = {refuse};
  auto filter = CompileSeccomp(profile);
  ASSERT_TRUE(filter.ok()) << filter.error().ToString();
  auto outcome = RunInChild([&] {
    std::vector<int> fds = SetUpFds();
    if (Status s = ApplyNoNewPrivileges(true); !s) return s.error().ToString();
    if (auto fd = InstallSeccomp(*filter); !fd.ok()) return fd.error().ToString();
    if (syscall(SYS_close_range, 100, 101, 0) != -1 || errno != GetParam())
      return std::string("filter did not refuse close_range");
    if (Status s = CloseFdsForExec(2, {5, kReportFd}); !s) return s.error().ToString();
    return Describe(fds);
  });
  EXPECT_EQ(outcome.output, kExpected);
}

INSTANTIATE_TEST_SUITE_P(Errnos, CloseRangeRefused, ::testing::Values(ENOSYS, EPERM));

// The order rule itself: under a filter whose default action kills the
// process, allowing only execve and what `true` then needs, FinishAndExec
// must reach execve with every other step (fds, affinity, no_new_privs)
// done before the filter. Any other system call after it is SIGSYS.
spec::Seccomp KillUnlessListed(std::vector<std::string> extra = {}) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_KILL_PROCESS";
  spec::SeccompSyscall allow;
  allow.names = kBusyboxTrue;
  allow.names.insert(allow.names.end(), extra.begin(), extra.end());
  allow.action = "SCMP_ACT_ALLOW";
  profile.syscalls = {allow};
  return profile;
}

// Under AddressSanitizer its runtime makes system calls of its own (at exit
// and around execve) that no allow-list of a program's calls expects: the
// real-filter tests run in the default build, and the order is also checked
// by the recording fake (finish_exec_order_test) in both.
bool UnderAddressSanitizer() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#else
  return false;
#endif
}

TEST(FinishAndExec, NothingButExecveAfterTheFilter) {
  if (!HaveBusybox()) GTEST_SKIP() << "needs /bin/busybox (busybox-static)";
  if (UnderAddressSanitizer()) GTEST_SKIP() << "ASan's runtime makes its own calls after the filter";
  auto filter = CompileSeccomp(KillUnlessListed());
  ASSERT_TRUE(filter.ok()) << filter.error().ToString();
  const std::vector<std::string> args = {"/bin/busybox", "true"};
  const std::vector<std::string> env = {"PATH=/bin"};
  auto outcome = RunInChild([&] {
    SetUpFds();
    FinalSteps steps;
    steps.path = "/bin/busybox";
    steps.args = &args;
    steps.env = &env;
    steps.preserved_fds = 2;
    steps.keep_fds = {5, kReportFd};
    steps.final_cpus = "0";
    steps.no_new_privileges = true;
    steps.seccomp = &*filter;
    return FinishAndExec(steps).error().ToString();
  });
  EXPECT_EQ(outcome.signal, 0) << "a system call after the filter";
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
}

// Without no_new_privs the filter needs CAP_SYS_ADMIN: retained across the
// capability change, dropped by exactly one capset after the filter.
TEST(FinishAndExec, WithoutNoNewPrivsOnlyCapsetFollowsTheFilter) {
  if (!HaveBusybox()) GTEST_SKIP() << "needs /bin/busybox (busybox-static)";
  if (UnderAddressSanitizer()) GTEST_SKIP() << "ASan's runtime makes its own calls after the filter";
  if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_SYS_ADMIN for the filter)";
  const std::vector<std::string> args = {"/bin/busybox", "true"};
  const std::vector<std::string> env;
  auto run = [&](const spec::Seccomp& profile) {
    auto filter = CompileSeccomp(profile);
    EXPECT_TRUE(filter.ok());
    return RunInChild([&] {
      spec::Capabilities caps;
      caps.bounding = caps.effective = caps.permitted = {"CAP_KILL"};
      auto final_sets = ApplyCapabilitiesRetaining(caps, uint64_t{1} << 21 /* CAP_SYS_ADMIN */);
      if (!final_sets.ok()) return final_sets.error().ToString();
      if (!final_sets->has_value()) return std::string("nothing retained");
      FinalSteps steps;
      steps.path = "/bin/busybox";
      steps.args = &args;
      steps.env = &env;
      steps.keep_fds = {kReportFd};
      steps.seccomp = &*filter;
      steps.final_capabilities = **final_sets;
      return FinishAndExec(steps).error().ToString();
    });
  };
  auto with_capset = run(KillUnlessListed({"capset"}));
  EXPECT_EQ(with_capset.signal, 0);
  EXPECT_EQ(with_capset.exit_code, 0) << with_capset.output;
  auto without = run(KillUnlessListed());
  EXPECT_EQ(without.signal, SIGSYS) << "capset is the one call after the filter";
}

TEST(ApplyCapabilitiesRetaining, NothingRetainedWhenConfiguredOrZero) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  auto outcome = RunInChild([] {
    spec::Capabilities caps;
    caps.bounding = caps.effective = caps.permitted = {"CAP_SYS_ADMIN"};
    auto retained = ApplyCapabilitiesRetaining(caps, uint64_t{1} << 21);
    if (!retained.ok()) return retained.error().ToString();
    auto none = ApplyCapabilitiesRetaining(caps, 0);
    if (!none.ok()) return none.error().ToString();
    return std::string(retained->has_value() || none->has_value() ? "retained" : "none");
  });
  EXPECT_EQ(outcome.output, "none");
}

}  // namespace
}  // namespace berth::process
