#include "runtime/tests/harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "spec/config_json.h"
#include "spec/default_config.h"
#include "testing/busybox_rootfs.h"

namespace berth::testing {

std::string BerthPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir && workspace) return std::string(srcdir) + "/" + workspace + "/runtime/berth";
  return "runtime/berth";
}

bool HaveBusybox() { return !HostBusybox().empty(); }
bool IsRoot() { return geteuid() == 0; }

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
}

bool PathExists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t start = 0;
  while (start < s.size() && (s[start] == ' ' || s[start] == '\n')) ++start;
  return s.substr(start);
}

Bundle::Bundle(const std::string& parent_dir) {
  std::string tmpl = parent_dir + "/berth-bundle-XXXXXX";
  dir_ = mkdtemp(tmpl.data());
  berth::testing::RootfsLayout layout;
  layout.busybox = HostBusybox();
  layout.dirs.push_back("shared");
  // Tests check HaveBusybox() first: a rootfs that cannot be made is a broken host.
  if (Status st = BuildRootfs(rootfs(), layout); !st.ok()) {
    std::fprintf(stderr, "Bundle: %s\n", st.error().ToString().c_str());
    std::abort();
  }
  config_ = spec::DefaultConfig(false);
  config_.process->terminal = false;
  config_.root->path = "rootfs";
  config_.root->readonly = false;
  Save();
}

Bundle::~Bundle() { RunProgram({"/bin/rm", "-rf", dir_}); }

void Bundle::Save() const { WriteFile(dir_ + "/config.json", spec::SerializeConfig(config_)); }

void Bundle::SetArgs(std::vector<std::string> args) {
  config_.process->args = std::move(args);
  Save();
}

namespace {

// Forks argv with stdin on /dev/null and stdout/stderr on `out`/`err`
// (/dev/null when -1); pass_fds at 3, 4, ...
pid_t Spawn(const std::vector<std::string>& argv, int out, int err, const std::vector<int>& pass_fds,
            const std::string& cwd) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int null = open("/dev/null", O_RDWR);
  dup2(null, 0);
  dup2(out >= 0 ? out : null, 1);
  dup2(err >= 0 ? err : null, 2);
  // Pass fds at 3, 4, ...: dup high first so targets never clobber sources.
  std::vector<int> high;
  high.reserve(pass_fds.size());
  for (int fd : pass_fds) high.push_back(fcntl(fd, F_DUPFD_CLOEXEC, 100));
  for (size_t i = 0; i < high.size(); ++i) dup2(high[i], 3 + static_cast<int>(i));
  if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

}  // namespace

pid_t StartProgram(const std::vector<std::string>& argv) { return Spawn(argv, -1, -1, {}, ""); }

// Output goes to memfds, not pipes: a detached container inherits the
// caller's stdio and keeps it open, so waiting for EOF would never end.
CommandResult RunProgram(const std::vector<std::string>& argv, const std::vector<int>& pass_fds,
                         const std::string& cwd) {
  CommandResult result;
  int out = memfd_create("out", MFD_CLOEXEC);
  int err = memfd_create("err", MFD_CLOEXEC);
  if (out < 0 || err < 0) return result;
  pid_t pid = Spawn(argv, out, err, pass_fds, cwd);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  for (auto [fd, text] : {std::pair{out, &result.out}, std::pair{err, &result.err}}) {
    char buf[4096];
    ssize_t n;
    off_t offset = 0;
    while ((n = pread(fd, buf, sizeof buf, offset)) > 0) {
      text->append(buf, n);
      offset += n;
    }
    close(fd);
  }
  return result;
}

CommandResult Berth(const std::string& root, const std::vector<std::string>& args,
                    const std::vector<int>& pass_fds, const std::string& cwd) {
  std::vector<std::string> argv = {BerthPath(), "--root", root};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, pass_fds, cwd);
}

std::string FreshRoot(const std::string& name) {
  mkdir("/run/berth-test", 0700);
  std::string root = "/run/berth-test/" + name + "-" + std::to_string(getpid());
  RunProgram({"/bin/rm", "-rf", root});
  return root;
}

bool MountinfoMentions(const std::string& text) {
  return ReadFileOrEmpty("/proc/self/mountinfo").find(text) != std::string::npos;
}

bool CgroupDirExists(const std::string& id) {
  for (const char* h :
       {"cpu", "memory", "pids", "devices", "freezer", "blkio", "cpuset", "systemd", "unified", ""}) {
    std::string base = std::string("/sys/fs/cgroup/") + h;
    if (PathExists(base + "/berth/" + id)) return true;
  }
  return false;
}

std::vector<pid_t> ProcessesWithRootUnder(const std::string& dir) {
  std::vector<pid_t> found;
  DIR* proc = opendir("/proc");
  if (!proc) return found;
  while (struct dirent* e = readdir(proc)) {
    pid_t pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    char target[4096];
    std::string link = "/proc/" + std::string(e->d_name) + "/root";
    ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = 0;
    if (std::string(target).find(dir) == 0) found.push_back(pid);
  }
  closedir(proc);
  return found;
}

void ContainerTest::SetUp() {
  if (!IsRoot()) GTEST_SKIP() << "needs root (namespaces, mounts, cgroups)";
  if (!HaveBusybox()) GTEST_SKIP() << "needs /bin/busybox (busybox-static)";
  // Parameterized names hold a '/': one flat directory per test.
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::replace(name.begin(), name.end(), '/', '_');
  root_ = FreshRoot(name);
}

void ContainerTest::TearDown() {
  if (root_.empty()) return;
  // Best effort: remove whatever a failed test left, the last made first.
  for (auto id = ids_.rbegin(); id != ids_.rend(); ++id) B({"delete", "--force", *id});
  RunProgram({"/bin/rm", "-rf", root_});
}

CommandResult ContainerTest::B(std::vector<std::string> args, const std::vector<int>& fds) {
  std::vector<std::string> argv = berth_command_;
  argv.push_back("--root");
  argv.push_back(root_);
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, fds);
}

std::string ContainerTest::Use(const std::string& id) {
  ids_.push_back(id);
  return id;
}

spec::State ContainerTest::StateOf(const std::string& id) {
  CommandResult r = B({"state", id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto state = spec::ParseState(r.out);
  EXPECT_TRUE(state.ok()) << r.out;
  return state.ok() ? *state : spec::State{};
}

pid_t ContainerTest::InitPid(const std::string& id) {
  auto state = spec::ParseState(B({"state", id}).out);
  return state.ok() ? state->pid : 0;
}

void ContainerTest::ExpectNothingLeft(const std::string& id, const Bundle& bundle) {
  ExpectNoStateDirCgroupOrProcess(id, bundle);
  EXPECT_FALSE(MountinfoMentions(bundle.dir())) << "mount left behind";
}

void ContainerTest::ExpectNoStateDirCgroupOrProcess(const std::string& id, const Bundle& bundle) {
  EXPECT_FALSE(PathExists(root_ + "/" + id)) << "state dir left behind";
  EXPECT_FALSE(CgroupDirExists(id)) << "cgroup left behind";
  EXPECT_TRUE(ProcessesWithRootUnder(bundle.rootfs()).empty()) << "process left behind";
}

}  // namespace berth::testing
