// RunHooks with real /bin/sh hook scripts in a temporary directory.
#include "runtime/hooks/hooks.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace berth::hooks {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class HooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = getenv("TEST_TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/hooks.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // An executable /bin/sh script; returns its path.
  std::string Script(const std::string& name, const std::string& body) {
    std::string path = dir_ + "/" + name;
    WriteFile(path, "#!/bin/sh\n" + body + "\n");
    chmod(path.c_str(), 0755);
    return path;
  }
  static void WriteFile(const std::string& path, const std::string& content) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    close(fd);
  }
  static std::string ReadFile(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "<missing>";
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    close(fd);
    return out;
  }
  static spec::Hook Hook(std::string path, std::vector<std::string> args = {},
                         std::vector<std::string> env = {}) {
    spec::Hook h;
    h.path = std::move(path);
    h.args = std::move(args);
    h.env = std::move(env);
    return h;
  }

  std::string dir_;
};

constexpr std::string_view kState =
    R"({"ociVersion":"1.3.0","id":"c1","status":"creating","pid":42,"bundle":"/b"})";

TEST_F(HooksTest, StdinCarriesTheStateExactly) {
  std::string out = dir_ + "/stdin";
  std::string hook = Script("h", "/bin/cat > \"$1\"");
  Status s = RunHooks({Hook(hook, {hook, out})}, kState, "createRuntime");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(ReadFile(out), kState);
}

TEST_F(HooksTest, EnvironmentIsExactlyTheHooksEnv) {
  std::string out = dir_ + "/env";
  // /proc/$$/environ is what execve gave the shell, before it adds anything.
  std::string hook = Script("h", "/bin/cat /proc/$$/environ > \"$1\"");
  Status s = RunHooks({Hook(hook, {hook, out}, {"A=1", "B=two words", "EMPTY="})}, kState, "prestart");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(ReadFile(out), std::string("A=1\0B=two words\0EMPTY=\0", 23));
  // No env: nothing inherited, not even PATH.
  s = RunHooks({Hook(hook, {hook, out})}, kState, "prestart");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(ReadFile(out), "");
}

TEST_F(HooksTest, ArgsAreArgvIncludingArgvZero) {
  std::string out = dir_ + "/argv";
  Status s = RunHooks({Hook("/bin/sh", {"custom-name", "-c", "/bin/cat /proc/$$/cmdline > \"$0\"", out})},
                      kState, "poststart");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  std::string expected = "custom-name";
  expected += '\0';
  expected += "-c";
  expected += '\0';
  expected += "/bin/cat /proc/$$/cmdline > \"$0\"";
  expected += '\0';
  expected += out;
  expected += '\0';
  EXPECT_EQ(ReadFile(out), expected);
}

TEST_F(HooksTest, NoArgsMeansArgvIsThePath) {
  std::string out = dir_ + "/argv0";
  std::string hook = Script("h", "echo \"$0\" > " + out);
  ASSERT_TRUE(RunHooks({Hook(hook)}, kState, "poststop").ok());
  EXPECT_EQ(ReadFile(out), hook + "\n");
}

TEST_F(HooksTest, HooksRunInOrderAndStopAtTheFirstFailure) {
  std::string log = dir_ + "/log";
  std::string one = Script("one", "echo one >> " + log);
  std::string two = Script("two", "echo two >> " + log + "; exit 1");
  std::string three = Script("three", "echo three >> " + log);
  ASSERT_TRUE(RunHooks({Hook(one), Hook(three), Hook(one)}, kState, "createContainer").ok());
  EXPECT_EQ(ReadFile(log), "one\nthree\none\n");
  WriteFile(log, "");
  EXPECT_FALSE(RunHooks({Hook(one), Hook(two), Hook(three)}, kState, "createContainer").ok());
  EXPECT_EQ(ReadFile(log), "one\ntwo\n");
}

TEST_F(HooksTest, FailureReportsStatusAndStderrTail) {
  std::string hook = Script("fail", "echo 'not from stderr'; echo 'device busy' >&2; exit 3");
  Status s = RunHooks({Hook(hook)}, kState, "prestart");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "hook " + hook + " (prestart) exited with status 3: device busy");
}

TEST_F(HooksTest, LongStderrIsCutToItsTail) {
  std::string hook =
      Script("noisy", "i=0; while [ $i -lt 100 ]; do echo \"line $i\" >&2; i=$((i+1)); done; exit 1");
  Status s = RunHooks({Hook(hook)}, kState, "poststart");
  ASSERT_FALSE(s.ok());
  const std::string& msg = s.error().message();
  EXPECT_THAT(msg, HasSubstr("line 99"));
  EXPECT_THAT(msg, ::testing::Not(HasSubstr("line 1\n")));
  EXPECT_LT(msg.size(), hook.size() + 260);
}

TEST_F(HooksTest, DeathBySignalIsReported) {
  std::string hook = Script("killed", "kill -9 $$");
  Status s = RunHooks({Hook(hook)}, kState, "startContainer");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "hook " + hook + " (startContainer) killed by signal 9");
}

TEST_F(HooksTest, TimeoutKillsTheHookAndItsChildren) {
  std::string pidfile = dir_ + "/pid";
  std::string hook = Script("slow", "/bin/sleep 30 & echo $! > " + pidfile + "; wait");
  spec::Hook h = Hook(hook);
  h.timeout = 1;
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  Status s = RunHooks({h}, kState, "createRuntime");
  clock_gettime(CLOCK_MONOTONIC, &end);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "hook " + hook + " (createRuntime) timed out after 1s");
  double elapsed =
      static_cast<double>(end.tv_sec - start.tv_sec) + static_cast<double>(end.tv_nsec - start.tv_nsec) / 1e9;
  EXPECT_GE(elapsed, 0.9);
  EXPECT_LT(elapsed, 5.0);
  pid_t sleeper = static_cast<pid_t>(atoi(ReadFile(pidfile).c_str()));
  ASSERT_GT(sleeper, 0);
  // The grandchild was in the hook's process group: gone (or a zombie
  // about to be reaped by init) shortly after.
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    std::string stat = ReadFile("/proc/" + std::to_string(sleeper) + "/stat");
    gone = stat == "<missing>" || stat.find(") Z ") != std::string::npos;
    if (!gone) usleep(10000);
  }
  EXPECT_TRUE(gone) << "the hook's child " << sleeper << " survived the timeout";
}

TEST_F(HooksTest, HookThatFinishesWithinItsTimeoutSucceeds) {
  spec::Hook h = Hook(Script("quick", "exit 0"));
  h.timeout = 5;
  EXPECT_TRUE(RunHooks({h}, kState, "poststop").ok());
}

TEST_F(HooksTest, HookSeesOnlyFdsZeroToTwo) {
  std::string out = dir_ + "/fds";
  // The shell execs ls, whose own directory fd is the 4th entry.
  int leaked_if_not_cloexec = open("/dev/null", O_RDONLY | O_CLOEXEC);
  Status s =
      RunHooks({Hook("/bin/sh", {"sh", "-c", "exec /bin/ls /proc/self/fd > " + out})}, kState, "prestart");
  close(leaked_if_not_cloexec);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(ReadFile(out), "0\n1\n2\n3\n");
}

TEST_F(HooksTest, HookIgnoringALargeStdinDoesNotKillTheRuntime) {
  std::string big(1 << 20, 'x');
  std::string hook = Script("deaf", "exec 0<&-; exit 0");
  Status s = RunHooks({Hook(hook)}, big, "prestart");
  EXPECT_TRUE(s.ok()) << s.error().ToString();
}

TEST_F(HooksTest, BadHooksAreErrors) {
  Status s = RunHooks({Hook(dir_ + "/missing")}, kState, "prestart");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), StartsWith("hook " + dir_ + "/missing (prestart)"));
  EXPECT_EQ(s.error().code(), ENOENT);
  s = RunHooks({Hook("relative/path")}, kState, "prestart");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("must be absolute"));
  spec::Hook zero = Hook("/bin/true");
  zero.timeout = 0;
  EXPECT_FALSE(RunHooks({zero}, kState, "prestart").ok());
}

TEST_F(HooksTest, EmptyListSucceeds) { EXPECT_TRUE(RunHooks({}, kState, "poststop").ok()); }

}  // namespace
}  // namespace berth::hooks
