// exec into real busybox containers (root). Output is written by the exec'd
// command into the container's /tmp and read from the host side of the rootfs.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "runtime/container/container.h"
#include "runtime/exec/exec.h"
#include "spec/config_json.h"
#include "spec/default_config.h"

namespace berth::exec {
namespace {

using namespace container;  // the lifecycle around the exec

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

int Shell(const std::string& cmd) { return system(cmd.c_str()); }

class ExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "needs /bin/busybox";
    char tmpl[] = "/tmp/berth-exec-XXXXXX";
    bundle_ = mkdtemp(tmpl);
    std::string rootfs = bundle_ + "/rootfs";
    for (const char* d : {"", "/bin", "/proc", "/sys", "/dev", "/tmp", "/etc"})
      mkdir((rootfs + d).c_str(), 0755);
    chmod((rootfs + "/tmp").c_str(), 01777);  // non-root exec users write their output here
    Shell("cp /bin/busybox " + rootfs +
          "/bin/busybox && for a in $(/bin/busybox --list); do "
          "[ \"$a\" = busybox ] || ln -sf busybox " +
          rootfs + "/bin/$a; done");
    spec::Config config = spec::DefaultConfig(false);
    config.process->terminal = false;
    config.process->args = {"sleep", "1000"};
    config.root->path = "rootfs";
    config.root->readonly = false;
    Configure(config);
    std::ofstream(bundle_ + "/config.json") << spec::SerializeConfig(config);
    runtime_.root = "/run/berth-exec-test-" + std::to_string(getpid());
    id_ = "exec" + std::to_string(getpid());
    CreateOptions create;
    create.id = id_;
    create.bundle = bundle_;
    auto pid = Create(runtime_, create);
    ASSERT_TRUE(pid.ok()) << pid.error().ToString();
    init_ = *pid;
    ASSERT_TRUE(Start(runtime_, id_).ok());
  }
  void TearDown() override {
    if (!id_.empty()) (void)Delete(runtime_, id_, true);
    if (!bundle_.empty()) Shell("rm -rf " + bundle_ + " " + runtime_.root);
  }
  virtual void Configure(spec::Config&) {}
  // Runs sh -c `script` in the container; returns the exit status.
  Result<int> Sh(const std::string& script, ExecOptions o = {}) {
    o.id = id_;
    o.args = {"sh", "-c", script};
    return Exec(runtime_, o);
  }
  std::string Out(const std::string& name = "out") { return Read(bundle_ + "/rootfs/tmp/" + name); }

  std::string bundle_, id_;
  RuntimeOptions runtime_;
  pid_t init_ = 0;
};

TEST_F(ExecTest, JoinsInitNamespacesAndCgroup) {
  auto r = Sh("for n in pid mnt uts ipc net; do readlink /proc/self/ns/$n; done > /tmp/out");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(*r, 0);
  std::string expected;
  for (const char* n : {"pid", "mnt", "uts", "ipc", "net"}) {
    char buf[128] = {};
    std::string link = "/proc/" + std::to_string(init_) + "/ns/" + n;
    ASSERT_GT(readlink(link.c_str(), buf, sizeof buf - 1), 0);
    expected += std::string(buf) + "\n";
  }
  expected.pop_back();
  EXPECT_EQ(Out(), expected);
  ASSERT_EQ(*Sh("cat /proc/self/cgroup > /tmp/out"), 0);
  std::string init_cgroup = Read("/proc/" + std::to_string(init_) + "/cgroup");
  // The container has its own cgroup namespace or not: compare the v2 lines'
  // relation by checking that each of our v1/v2 paths ends the same way.
  EXPECT_FALSE(Out().empty());
  auto pids = Processes(runtime_, id_);
  ASSERT_TRUE(pids.ok());
  ExecOptions detached;
  detached.detach = true;
  detached.id = id_;
  detached.args = {"sleep", "30"};
  auto started = StartExec(runtime_, detached);
  ASSERT_TRUE(started.ok()) << started.error().ToString();
  auto after = Processes(runtime_, id_);
  ASSERT_TRUE(after.ok());
  EXPECT_NE(std::find(after->begin(), after->end(), *started), after->end())
      << "exec process not in the container's cgroup";
  // In every hierarchy (v1 ones included, where CLONE_INTO_CGROUP cannot
  // place it): the process was born where the init is.
  EXPECT_EQ(Read("/proc/" + std::to_string(*started) + "/cgroup"), init_cgroup);
  kill(*started, SIGKILL);
  waitpid(*started, nullptr, 0);
}

TEST_F(ExecTest, OverridesEnvCwdUser) {
  ExecOptions o;
  o.env = {"FOO=bar"};
  o.cwd = "/etc";
  o.uid = 1234;
  o.gid = 567;
  ASSERT_EQ(*Sh("echo $FOO $(pwd) $(id -u) $(id -g) > /tmp/out", o), 0);
  EXPECT_EQ(Out(), "bar /etc 1234 567");
}

TEST_F(ExecTest, CapAddsNoInheritableOrAmbient) {
  ExecOptions o;
  o.caps = {"CAP_KILL"};
  ASSERT_EQ(*Sh("grep -E 'Cap(Inh|Amb|Eff)' /proc/self/status > /tmp/out", o), 0);
  std::string out = Out();
  EXPECT_NE(out.find("CapInh:\t0000000000000000"), std::string::npos) << out;
  EXPECT_NE(out.find("CapAmb:\t0000000000000000"), std::string::npos) << out;
  // CAP_KILL is bit 5 (0x20) of the effective set.
  size_t eff = out.find("CapEff:\t");
  ASSERT_NE(eff, std::string::npos);
  uint64_t mask = std::stoull(out.substr(eff + 8, 16), nullptr, 16);
  EXPECT_TRUE(mask & (1ull << 5)) << out;
}

TEST_F(ExecTest, ExitStatusPropagated) {
  EXPECT_EQ(*Sh("exit 7"), 7);
  EXPECT_EQ(*Sh("kill -9 $$"), 128 + 9);
}

TEST_F(ExecTest, OnlyStdioAndPreservedFds) {
  ASSERT_EQ(*Sh("ls /proc/self/fd | sort -n | tr '\\n' ' ' > /tmp/out"), 0);
  // ls's own directory fd is 3 at the time it lists.
  EXPECT_EQ(Out(), "0 1 2 3 ");
}

TEST_F(ExecTest, LeakedFdCwdDoesNotEscape) {
  for (int n = 3; n <= 32; ++n) {
    ExecOptions o;
    o.cwd = "/proc/self/fd/" + std::to_string(n);
    auto r = Sh("pwd > /tmp/cwd" + std::to_string(n), o);
    if (!r.ok()) continue;  // refused: fine
    std::string cwd = Out("cwd" + std::to_string(n));
    EXPECT_EQ(cwd.rfind('/', 0), 0u) << "fd " << n << " cwd " << cwd;
  }
}

// The test process's children (every thread's) and its open fds: a failed
// exec must leave both as they were.
std::set<pid_t> Children() {
  std::set<pid_t> out;
  DIR* tasks = opendir("/proc/self/task");
  while (dirent* t = tasks ? readdir(tasks) : nullptr) {
    if (t->d_name[0] == '.') continue;
    std::istringstream in(Read(std::string("/proc/self/task/") + t->d_name + "/children"));
    for (pid_t p; in >> p;) out.insert(p);
  }
  if (tasks) closedir(tasks);
  return out;
}

std::set<std::string> OpenFds() {
  std::set<std::string> out;
  DIR* fds = opendir("/proc/self/fd");
  if (!fds) return out;
  while (dirent* d = readdir(fds))
    if (d->d_name[0] != '.') out.insert(d->d_name);
  out.erase(std::to_string(dirfd(fds)));  // the listing's own fd
  closedir(fds);
  return out;
}

TEST_F(ExecTest, StoppedAndUnknownContainersFailLeavingNothing) {
  ExecOptions unknown;
  unknown.id = "no-such-container";
  unknown.args = {"true"};
  std::set<pid_t> children = Children();
  std::set<std::string> fds = OpenFds();
  auto r = Exec(runtime_, unknown);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().ToString().find("no-such-container"), std::string::npos);
  EXPECT_EQ(Children(), children);
  EXPECT_EQ(OpenFds(), fds);

  ASSERT_TRUE(Kill(runtime_, id_, SIGKILL, false).ok());
  // The test process created the container, so the init is its child: reap it.
  ASSERT_EQ(waitpid(init_, nullptr, 0), init_);
  children = Children();
  fds = OpenFds();
  auto stopped = Sh("true");
  ASSERT_FALSE(stopped.ok());
  EXPECT_NE(stopped.error().ToString().find(id_), std::string::npos);
  EXPECT_NE(stopped.error().ToString().find("stopped"), std::string::npos);
  EXPECT_EQ(Children(), children);
  EXPECT_EQ(OpenFds(), fds);
}

// The process fails before execve (a missing cwd): its error is returned
// and it is reaped, whether its kError reaches the parent before or after the
// intermediate's kInitPid (nothing orders them without a seccomp listener).
TEST_F(ExecTest, FailedProcessIsReportedAndReaped) {
  std::set<pid_t> children = Children();
  std::set<std::string> fds = OpenFds();
  for (int i = 0; i < 20; ++i) {
    ExecOptions o;
    o.id = id_;
    o.args = {"true"};
    o.cwd = "/no-such-dir";
    o.detach = true;
    auto r = StartExec(runtime_, o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().ToString().find("/no-such-dir"), std::string::npos) << r.error().ToString();
    EXPECT_EQ(Children(), children) << "attempt " << i;
    EXPECT_EQ(OpenFds(), fds) << "attempt " << i;
  }
}

// With linux.seccomp, the profile is compiled once per container, by create:
// the program is kept in the state dir (so execs skip libseccomp, its CPU
// and its memory), is what the process runs under, and goes with delete.
class ExecSeccompTest : public ExecTest {
 protected:
  void Configure(spec::Config& config) override {
    spec::Seccomp seccomp;
    seccomp.defaultAction = "SCMP_ACT_ALLOW";
    seccomp.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    spec::SeccompSyscall denied;
    denied.names = {"mkdir", "mkdirat"};
    denied.action = "SCMP_ACT_ERRNO";
    denied.errnoRet = 1;  // EPERM
    seccomp.syscalls = {denied};
    config.linux_->seccomp = seccomp;
  }
  std::vector<std::string> CompiledPrograms() {
    std::vector<std::string> names;
    std::string dir = runtime_.root + "/" + id_;
    if (DIR* d = opendir(dir.c_str())) {
      while (struct dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name.size() > 4 && name.substr(name.size() - 4) == ".bpf") names.push_back(name);
      }
      closedir(d);
    }
    return names;
  }
  ino_t ProgramInode() {
    auto names = CompiledPrograms();
    struct stat st;
    if (names.size() != 1 || stat((runtime_.root + "/" + id_ + "/" + names[0]).c_str(), &st) != 0) return 0;
    return st.st_ino;
  }
};

TEST_F(ExecSeccompTest, CompiledOnceKeptInTheStateDirAndRemovedWithIt) {
  // create keeps the program it compiled: even the first exec compiles none.
  ASSERT_EQ(CompiledPrograms().size(), 1u) << "create kept no program";
  const ino_t kept_by_create = ProgramInode();
  auto first = Sh("mkdir /tmp/a 2>/dev/null; echo $? > /tmp/out");
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(Out(), "1");  // the filter applies: mkdir refused
  ASSERT_EQ(CompiledPrograms().size(), 1u);
  // exec used create's program: it did not compile and store its own.
  EXPECT_EQ(ProgramInode(), kept_by_create) << "exec replaced the program create kept";
  auto second = Sh("mkdir /tmp/b 2>/dev/null; echo $? > /tmp/out");
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(Out(), "1");  // the kept program is the same filter
  EXPECT_EQ(CompiledPrograms().size(), 1u);
  ASSERT_TRUE(Delete(runtime_, id_, true).ok());
  struct stat st;
  EXPECT_NE(stat((runtime_.root + "/" + id_).c_str(), &st), 0) << "state dir left behind";
  id_.clear();
}

}  // namespace
}  // namespace berth::exec
