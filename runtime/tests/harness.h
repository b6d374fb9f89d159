// Test harness for berth integration tests: a busybox-static bundle built in
// a temp dir, the berth binary run as a child with captured output, and
// checks that nothing of a container is left behind.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "spec/config.h"
#include "spec/state.h"

namespace berth::testing {

struct CommandResult {
  int exit_code = -1;  // 128+signal when killed
  std::string out;
  std::string err;
};

// The berth binary from the test's runfiles.
std::string BerthPath();
bool HaveBusybox();
bool IsRoot();

// A bundle in a fresh temp dir: rootfs/ with /bin/busybox and its applets
// (relative symlinks), config.json from DefaultConfig(false) made
// non-interactive (terminal false) and with a writable rootfs.
class Bundle {
 public:
  Bundle() : Bundle("/tmp") {}
  // The same under parent_dir (for a process that does not share /tmp).
  explicit Bundle(const std::string& parent_dir);
  ~Bundle();
  const std::string& dir() const { return dir_; }
  std::string rootfs() const { return dir_ + "/rootfs"; }
  spec::Config& config() { return config_; }
  // Writes config.json from config().
  void Save() const;
  void SetArgs(std::vector<std::string> args);

 private:
  std::string dir_;
  spec::Config config_;
};

// Runs berth with `--root <root>` + args. Extra fds are inherited at 3, 4, ...
CommandResult Berth(const std::string& root, const std::vector<std::string>& args,
                    const std::vector<int>& pass_fds = {}, const std::string& cwd = "");
// Runs any program the same way.
CommandResult RunProgram(const std::vector<std::string>& argv, const std::vector<int>& pass_fds = {},
                         const std::string& cwd = "");
// Starts a program with its stdio on /dev/null and returns its pid, not
// waiting for it (the caller reaps it).
pid_t StartProgram(const std::vector<std::string>& argv);

std::string ReadFileOrEmpty(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);
bool PathExists(const std::string& path);
// A fresh state root under /run/berth-test, unique per test.
std::string FreshRoot(const std::string& name);
// True when /proc/self/mountinfo mentions `text`.
bool MountinfoMentions(const std::string& text);
// Any v1 or v2 cgroup directory named `id` under a "berth" parent.
bool CgroupDirExists(const std::string& id);
// Pids whose /proc/PID/cmdline or root link refer to `text` (stray processes).
std::vector<pid_t> ProcessesWithRootUnder(const std::string& dir);
std::string Trim(std::string s);

// The base fixture of the tests that run real containers through the binary:
// skipped without root or busybox, a fresh state root per test, and on
// teardown every container the test Use()d deleted (--force, last first) and
// the root removed, on every exit path.
class ContainerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // `berth --root <root_> args...` (berth_command_ + the global flag);
  // extra fds are inherited at 3, 4, ...
  CommandResult B(std::vector<std::string> args, const std::vector<int>& fds = {});
  // Records `id` for teardown and returns it.
  std::string Use(const std::string& id);
  // The container's state; a failing `state` is a test failure.
  spec::State StateOf(const std::string& id);
  // The init's pid, or 0 when `state` fails (no test failure).
  pid_t InitPid(const std::string& id);
  // No state dir, cgroup, mount or process of the container left.
  void ExpectNothingLeft(const std::string& id, const Bundle& bundle);
  // The same but for mounts, for a test that compares mount tables itself.
  void ExpectNoStateDirCgroupOrProcess(const std::string& id, const Bundle& bundle);

  // The command B and the teardown run; a fixture may wrap it (`timeout`) or
  // name another binary before its first B.
  std::vector<std::string> berth_command_ = {BerthPath()};
  std::string root_;
  std::vector<std::string> ids_;
};

}  // namespace berth::testing
