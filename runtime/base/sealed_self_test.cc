// The re-exec of ReexecFromProtectedSelf, observed from a probe program (a
// copy in a temp dir, so it starts on a writable mount): it happens exactly
// once, lands on a protected view of the binary, and passes argv, environ and
// every inherited fd (numbers and flags) on unchanged, adding no mount to the
// mount table.
#include "runtime/base/sealed_self.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace berth::base {
namespace {

std::string ProbeSource() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir && workspace) return std::string(srcdir) + "/" + workspace + "/runtime/base/sealed_self_probe";
  return "runtime/base/sealed_self_probe";
}

std::string ReadFd(int fd) {
  std::string text;
  char buf[4096];
  off_t offset = 0;
  for (ssize_t n; (n = pread(fd, buf, sizeof buf, offset)) > 0; offset += n) text.append(buf, n);
  return text;
}

class SealedSelfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-sealed-self-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);  // the unprivileged cases run the probe too
    probe_ = dir_ + "/probe";
    std::string cmd = "cp '" + ProbeSource() + "' '" + probe_ + "' && chmod 0755 '" + probe_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  void TearDown() override {
    unlink(probe_.c_str());
    rmdir(dir_.c_str());
  }

  // Runs the probe with exactly `argv` and `env`, stdout on a memfd, and
  // `inherited` installed at the given fd numbers (not CLOEXEC).
  std::string RunProbe(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const std::vector<std::pair<int, int>>& inherited, uid_t uid = 0,
                       int expected_exit = 0) {
    int out = memfd_create("probe-out", MFD_CLOEXEC);
    EXPECT_GE(out, 0);
    pid_t pid = fork();
    if (pid == 0) {
      dup2(out, 1);
      for (auto [target, source] : inherited) {
        int high = fcntl(source, F_DUPFD_CLOEXEC, 200);
        dup2(high, target);  // dup2 clears FD_CLOEXEC on the target
      }
      // An unprivileged caller (no CAP_SYS_ADMIN): what rootless berth is.
      if (uid != 0 &&
          (setgroups(0, nullptr) != 0 || setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0))
        _exit(126);
      std::vector<char*> a, e;
      for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
      a.push_back(nullptr);
      for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
      e.push_back(nullptr);
      execve(probe_.c_str(), a.data(), e.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == expected_exit) << "status " << status;
    std::string text = ReadFd(out);
    close(out);
    return text;
  }

  // The probe's reports, split; the "exe:" line is returned apart.
  struct Report {
    std::string exe;
    std::string rest;
  };
  static std::vector<Report> Reports(const std::string& output, std::string* tail) {
    std::vector<Report> reports;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) {
      if (line == "report") {
        reports.push_back({});
      } else if (line.rfind("exe: ", 0) == 0 && !reports.empty()) {
        reports.back().exe = line.substr(5);
      } else if (line == "done" || line.rfind("error: ", 0) == 0) {
        *tail += line;
      } else if (!reports.empty()) {
        reports.back().rest += line + "\n";
      }
    }
    return reports;
  }

  void ExpectOneFaithfulReexec(const std::string& method, const std::string& expected_exe) {
    int extra = memfd_create("inherited", 0);
    int pipe_fds[2];
    ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
    int appender = open(probe_.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(appender, 0);
    ASSERT_EQ(fcntl(extra, F_SETFL, O_APPEND), 0);
    std::vector<std::string> argv = {"argv0-not-a-path", method, "", "two words", "\x01\xff bytes"};
    std::vector<std::string> env = {"LISTEN_FDS=2",   "LISTEN_PID=1", "DUP=1",   "DUP=2",
                                    "NO_EQUALS_SIGN", "EMPTY=",       "=leading"};
    // Sparse fd numbers, as --preserve-fds / LISTEN_FDS / a console socket give.
    std::string output = RunProbe(argv, env, {{3, extra}, {4, pipe_fds[1]}, {9, appender}});
    close(extra);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    close(appender);

    std::string tail;
    std::vector<Report> reports = Reports(output, &tail);
    ASSERT_EQ(reports.size(), 2u) << "exactly one re-exec expected:\n" << output;
    EXPECT_EQ(tail, "done") << output;
    EXPECT_EQ(reports[0].exe, "unprotected") << output;
    EXPECT_EQ(reports[1].exe, expected_exe) << output;
    // argv (argv[0] included), environ (order, duplicates, odd entries), and
    // every fd with its flags, and the mount table: all the same.
    EXPECT_EQ(reports[0].rest, reports[1].rest);
    for (const char* want : {"argv: argv0-not-a-path\n", "argv: \n", "argv: \\x01\\xff bytes\n",
                             "env: NO_EQUALS_SIGN\n", "env: DUP=2\n", "fd 3: ", "fd 4: pipe:", "fd 9: "})
      EXPECT_NE(reports[1].rest.find(want), std::string::npos) << want << "\n" << output;
  }

  std::string dir_, probe_;
};

TEST_F(SealedSelfTest, ReadOnlyBindPreservesArgvEnvironAndFds) {
  if (geteuid() != 0) GTEST_SKIP() << "open_tree(OPEN_TREE_CLONE) needs CAP_SYS_ADMIN";
  ExpectOneFaithfulReexec("bind", "read-only mount");
}

TEST_F(SealedSelfTest, SealedMemfdPreservesArgvEnvironAndFds) {
  ExpectOneFaithfulReexec("memfd", "sealed memfd");
}

TEST_F(SealedSelfTest, AutoPrefersTheReadOnlyBind) {
  if (geteuid() != 0) GTEST_SKIP() << "open_tree(OPEN_TREE_CLONE) needs CAP_SYS_ADMIN";
  ExpectOneFaithfulReexec("auto", "read-only mount");
}

// Without CAP_SYS_ADMIN the bind is refused: kAuto falls back to the sealed
// memfd; kReadOnlyBind alone fails closed, without exec'ing anything.
TEST_F(SealedSelfTest, UnprivilegedAutoFallsBackToTheSealedMemfd) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to switch to an unprivileged uid";
  std::string tail;
  auto reports = Reports(RunProbe({"probe", "auto"}, {"A=1"}, {}, 65534), &tail);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].exe, "unprotected");
  EXPECT_EQ(reports[1].exe, "sealed memfd");
  EXPECT_EQ(reports[0].rest, reports[1].rest);
  EXPECT_EQ(tail, "done");
}

TEST_F(SealedSelfTest, UnprivilegedBindOnlyFailsClosed) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to switch to an unprivileged uid";
  std::string tail;
  auto reports = Reports(RunProbe({"probe", "bind"}, {"A=1"}, {}, 65534, 1), &tail);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_NE(tail.find("error: protect the berth binary (CVE-2019-5736): open_tree"), std::string::npos)
      << tail;
}

TEST(CurrentExeProtection, ATestBinaryOnAWritableMountIsUnprotected) {
  auto protection = CurrentExeProtection();
  ASSERT_TRUE(protection.ok()) << protection.error().ToString();
  // The test binary runs from bazel's output tree, a writable filesystem.
  EXPECT_EQ(*protection, ExeProtection::kNone);
}

}  // namespace
}  // namespace berth::base
