// Integration tests: real containers from a busybox bundle, driven through
// the berth binary as an engine would, asserting what the container saw and
// what the host is left with. Need root; tagged exclusive.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "runtime/tests/harness.h"
#include "spec/json.h"
#include "spec/state.h"

namespace berth::testing {
namespace {

class LifecycleTest : public ContainerTest {};

TEST_F(LifecycleTest, CreateStartKillDeleteWithStateAtEachStep) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("life1");
  std::string pid_file = bundle.dir() + "/init.pid";
  CommandResult created = B({"create", "--bundle", bundle.dir(), "--pid-file", pid_file, id});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  spec::State state = StateOf(id);
  EXPECT_EQ(state.status, spec::ContainerStatus::created);
  EXPECT_EQ(state.id, id);
  EXPECT_EQ(state.bundle, bundle.dir());
  EXPECT_GT(state.pid, 0);
  EXPECT_EQ(ReadFileOrEmpty(pid_file), std::to_string(state.pid));
  // Created: the init has not run the user process yet.
  EXPECT_EQ(ReadFileOrEmpty("/proc/" + std::to_string(state.pid) + "/comm").find("sleep"), std::string::npos);

  ASSERT_EQ(B({"start", id}).exit_code, 0);
  state = StateOf(id);
  EXPECT_EQ(state.status, spec::ContainerStatus::running);
  EXPECT_EQ(Trim(ReadFileOrEmpty("/proc/" + std::to_string(state.pid) + "/comm")), "sleep");

  CommandResult again = B({"start", id});
  EXPECT_NE(again.exit_code, 0);
  CommandResult busy = B({"delete", id});
  EXPECT_NE(busy.exit_code, 0);
  EXPECT_NE(busy.err.find("not stopped"), std::string::npos) << busy.err;

  ASSERT_EQ(B({"kill", id, "KILL"}).exit_code, 0);
  for (int i = 0; i < 200 && StateOf(id).status != spec::ContainerStatus::stopped; ++i) usleep(10000);
  state = StateOf(id);
  EXPECT_EQ(state.status, spec::ContainerStatus::stopped);
  EXPECT_EQ(state.pid, 0);
  CommandResult dead = B({"kill", id, "TERM"});
  EXPECT_NE(dead.exit_code, 0);
  EXPECT_NE(dead.err.find("not running"), std::string::npos) << dead.err;

  ASSERT_EQ(B({"delete", id}).exit_code, 0);
  EXPECT_NE(B({"state", id}).exit_code, 0);
  ExpectNothingLeft(id, bundle);
}

TEST_F(LifecycleTest, RunReturnsTheExitCodeAndCleansUp) {
  Bundle bundle;
  bundle.SetArgs({"sh", "-c", "exit 7"});
  std::string id = Use("run1");
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  ExpectNothingLeft(id, bundle);
}

TEST_F(LifecycleTest, RunKilledBySignalReturns128PlusSignal) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("run2");
  std::thread killer([&] {
    for (int i = 0; i < 500; ++i) {
      CommandResult s = B({"state", id});
      if (s.out.find("\"running\"") != std::string::npos) break;
      usleep(10000);
    }
    B({"kill", id, "KILL"});
  });
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  killer.join();
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.err;
  ExpectNothingLeft(id, bundle);
}

// --keep: the stopped container stays for state and delete (runc's run).
TEST_F(LifecycleTest, RunKeepLeavesTheStoppedContainerForDelete) {
  Bundle bundle;
  bundle.SetArgs({"sh", "-c", "exit 3"});
  std::string id = Use("run3");
  CommandResult r = B({"run", "--keep", "-b", bundle.dir(), id});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(StateOf(id).status, spec::ContainerStatus::stopped);
  EXPECT_EQ(B({"delete", id}).exit_code, 0);
  ExpectNothingLeft(id, bundle);
}

// A start that fails (here a poststart hook, which stops the container)
// deletes what create made, in the foreground and detached alike.
TEST_F(LifecycleTest, RunWhoseStartFailsLeavesNothingBehind) {
  for (bool detach : {false, true}) {
    SCOPED_TRACE(detach ? "run -d" : "run");
    Bundle bundle;
    spec::Hooks hooks;
    hooks.poststart = {spec::Hook{"/bin/false", {"false"}, {}, std::nullopt}};
    bundle.config().hooks = hooks;
    bundle.SetArgs({"sleep", "100"});
    std::string id = Use(detach ? "runfail2" : "runfail1");
    std::vector<std::string> args = {"run", "-b", bundle.dir(), id};
    if (detach) args.insert(args.begin() + 1, "-d");
    CommandResult r = B(args);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("poststart"), std::string::npos) << r.err;
    ExpectNothingLeft(id, bundle);
  }
}

// process.terminal without --console-socket: run allocates the pty in the
// container and relays it to its own stdio; detached it has nowhere to go.
TEST_F(LifecycleTest, RunTtyWithoutConsoleSocketRelaysThePty) {
  Bundle bundle;
  bundle.config().process->terminal = true;
  bundle.SetArgs({"sh", "-c", "tty; [ -t 0 ] && echo stdin-is-tty; exit 5"});
  std::string id = Use("runtty1");
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.out.find("/dev/pts/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stdin-is-tty"), std::string::npos) << r.out;
  ExpectNothingLeft(id, bundle);
  std::string detached_id = Use("runtty2");
  CommandResult detached = B({"run", "-d", "-b", bundle.dir(), detached_id});
  EXPECT_NE(detached.exit_code, 0);
  EXPECT_NE(detached.err.find("console"), std::string::npos) << detached.err;
  ExpectNothingLeft(detached_id, bundle);
}

TEST_F(LifecycleTest, ContainerSeesItsOwnPidAndHostname) {
  Bundle bundle;
  bundle.SetArgs({"sh", "-c", "echo pid=$$; hostname"});
  std::string id = Use("view1");
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pid=1\nberth\n");
}

// The parent attaches the init to its cgroup while the init prepares the
// rootfs (sync.h): the init must still wait for it before what shows its
// cgroup. The template's /sys/fs/cgroup mount binds the init's own cgroup
// (pid 1 is in it), and a new cgroup namespace is rooted there ("/").
TEST_F(LifecycleTest, CgroupMountShowsTheContainersOwnCgroup) {
  Bundle bundle;
  bundle.SetArgs({"cat", "/sys/fs/cgroup/pids/cgroup.procs"});
  std::string id = Use("cgmount1");
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1\n") << "the cgroup mount is not the container's cgroup";
  ExpectNothingLeft(id, bundle);
}

TEST_F(LifecycleTest, NewCgroupNamespaceIsRootedAtTheContainersCgroup) {
  Bundle bundle;
  bundle.config().linux_->namespaces.push_back({spec::NamespaceType::cgroup, ""});
  bundle.SetArgs({"cat", "/proc/self/cgroup"});
  std::string id = Use("cgns1");
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count)
    EXPECT_TRUE(line.ends_with(":/")) << line << " (not the namespace's root)";
  EXPECT_GT(count, 0);
  ExpectNothingLeft(id, bundle);
}

// The fds of a running container process, listed from the host (a shell
// inside would see its own transient fds).
std::vector<std::string> FdsOf(int pid) {
  CommandResult r = RunProgram({"/bin/ls", "/proc/" + std::to_string(pid) + "/fd"});
  std::vector<std::string> fds;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) fds.push_back(l);
  std::sort(fds.begin(), fds.end());
  return fds;
}

TEST_F(LifecycleTest, ContainerProcessHasOnlyStdioFds) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("fds0");
  ASSERT_EQ(B({"run", "-d", "-b", bundle.dir(), id}).exit_code, 0);
  EXPECT_EQ(FdsOf(StateOf(id).pid), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

TEST_F(LifecycleTest, PreserveFdsHandsOverExactlyThoseFds) {
  Bundle bundle;
  bundle.SetArgs({"sh", "-c", "echo through-fd3 >&3; exec sleep 100"});
  std::string id = Use("fds1");
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  CommandResult r = B({"run", "-d", "--preserve-fds", "1", "-b", bundle.dir(), id}, {p[1]});
  close(p[1]);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  char buf[64] = {};
  ssize_t n = read(p[0], buf, sizeof buf - 1);
  close(p[0]);
  EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "through-fd3\n");
  EXPECT_EQ(FdsOf(StateOf(id).pid), (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

TEST_F(LifecycleTest, HooksRunInOrderWithStateOnStdin) {
  Bundle bundle;
  std::string log = bundle.dir() + "/hooks.log";
  // The in-container hooks (createContainer before pivot_root, startContainer
  // after) reach the log through a bind mount at /shared.
  bundle.config().mounts.push_back({"/shared", "bind", bundle.dir(), {"rbind", "rw"}, {}, {}});
  auto hook = [&](const std::string& name, const std::string& target) {
    return spec::Hook{
        "/bin/sh", {"sh", "-c", "read -r s; echo \"" + name + " $s\" >> " + target}, {"PATH=/bin"}, 5};
  };
  spec::Hooks hooks;
  hooks.prestart = {hook("prestart", log)};
  hooks.createRuntime = {hook("createRuntime", log)};
  hooks.createContainer = {hook("createContainer", log)};
  hooks.startContainer = {hook("startContainer", "/shared/hooks.log")};
  hooks.poststart = {hook("poststart", log)};
  hooks.poststop = {hook("poststop", log)};
  bundle.config().hooks = hooks;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("hooks1");
  ASSERT_EQ(B({"create", "-b", bundle.dir(), id}).exit_code, 0);
  ASSERT_EQ(B({"start", id}).exit_code, 0);
  ASSERT_EQ(B({"kill", id, "KILL"}).exit_code, 0);
  for (int i = 0; i < 200 && StateOf(id).status != spec::ContainerStatus::stopped; ++i) usleep(10000);
  ASSERT_EQ(B({"delete", id}).exit_code, 0);
  std::vector<std::string> lines;
  std::istringstream in(ReadFileOrEmpty(log));
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 6u) << ReadFileOrEmpty(log);
  const char* order[] = {"prestart",       "createRuntime", "createContainer",
                         "startContainer", "poststart",     "poststop"};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(lines[i].rfind(order[i], 0), 0u) << lines[i];
    EXPECT_NE(lines[i].find("\"id\":\"" + id + "\""), std::string::npos) << lines[i];
  }
  EXPECT_NE(lines[0].find("\"status\":\"creating\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[4].find("\"status\":\"running\""), std::string::npos) << lines[4];
  EXPECT_NE(lines[5].find("\"status\":\"stopped\""), std::string::npos) << lines[5];
}

TEST_F(LifecycleTest, FailingPrestartHookLeavesNothingBehind) {
  Bundle bundle;
  spec::Hooks hooks;
  hooks.prestart = {spec::Hook{"/bin/false", {"false"}, {}, std::nullopt}};
  bundle.config().hooks = hooks;
  bundle.SetArgs({"true"});
  std::string id = Use("fail1");
  int before = 0;
  CommandResult r = B({"create", "-b", bundle.dir(), id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("prestart"), std::string::npos) << r.err;
  (void)before;
  ExpectNothingLeft(id, bundle);
}

TEST_F(LifecycleTest, MissingExecutableFailsCreateAndLeavesNothingBehind) {
  Bundle bundle;
  bundle.SetArgs({"/no/such/binary"});
  std::string id = Use("fail2");
  CommandResult r = B({"create", "-b", bundle.dir(), id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/no/such/binary"), std::string::npos) << r.err;
  ExpectNothingLeft(id, bundle);
}

TEST_F(LifecycleTest, BadRootfsFailsCreateAndLeavesNothingBehind) {
  Bundle bundle;
  bundle.config().root->path = "missing-rootfs";
  bundle.Save();
  std::string id = Use("fail3");
  CommandResult r = B({"create", "-b", bundle.dir(), id});
  EXPECT_NE(r.exit_code, 0);
  ExpectNothingLeft(id, bundle);
}

TEST_F(LifecycleTest, DuplicateIdIsRejectedWithoutTouchingTheFirst) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("dup1");
  ASSERT_EQ(B({"create", "-b", bundle.dir(), id}).exit_code, 0);
  int pid = StateOf(id).pid;
  CommandResult r = B({"create", "-b", bundle.dir(), id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  spec::State state = StateOf(id);
  EXPECT_EQ(state.status, spec::ContainerStatus::created);
  EXPECT_EQ(state.pid, pid);
  // runtime.md: delete of a not-stopped container fails and changes nothing.
  EXPECT_NE(B({"delete", id}).exit_code, 0);
  EXPECT_EQ(StateOf(id).pid, pid);
  EXPECT_EQ(B({"delete", "--force", id}).exit_code, 0);
  ExpectNothingLeft(id, bundle);
}

TEST_F(LifecycleTest, UnknownIdIsAnErrorForEveryCommand) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"state", "nope"}, {"start", "nope"}, {"kill", "nope"}, {"delete", "nope"}, {"pause", "nope"}}) {
    CommandResult r = B(args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << args[0] << ": " << r.err;
  }
  EXPECT_EQ(B({"delete", "--force", "nope"}).exit_code, 0);  // as runc
}

TEST_F(LifecycleTest, ReusedPidReadsAsStopped) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("reuse1");
  ASSERT_EQ(B({"create", "-b", bundle.dir(), id}).exit_code, 0);
  int pid = StateOf(id).pid;
  ASSERT_EQ(B({"kill", id, "KILL"}).exit_code, 0);
  for (int i = 0; i < 200 && StateOf(id).status != spec::ContainerStatus::stopped; ++i) usleep(10000);
  // Pretend the init's pid now belongs to another live process: ours. The
  // recorded start time differs, so the container must still read stopped.
  std::string init = ReadFileOrEmpty(root_ + "/" + id + "/init");
  ASSERT_EQ(init.rfind(std::to_string(pid) + " ", 0), 0u);
  WriteFile(root_ + "/" + id + "/init", std::to_string(getpid()) + init.substr(init.find(' ')));
  EXPECT_EQ(StateOf(id).status, spec::ContainerStatus::stopped);
  EXPECT_NE(B({"kill", id, "TERM"}).exit_code, 0);  // and we were not signalled
  EXPECT_EQ(B({"delete", id}).exit_code, 0);
}

TEST_F(LifecycleTest, InitExecutableIsNotWritableBeforeExec) {
  Bundle bundle;
  bundle.config().mounts.push_back({"/shared", "bind", bundle.dir(), {"rbind", "rw"}, {}, {}});
  spec::Hooks hooks;
  // startContainer hooks run inside the container while the init is still
  // berth: the CVE-2019-5736 window.
  hooks.startContainer = {spec::Hook{
      "/bin/sh",
      {"sh", "-c", "if echo x >> /proc/1/exe; then echo writable; else echo denied; fi > /shared/exe"},
      {"PATH=/bin"},
      5}};
  bundle.config().hooks = hooks;
  bundle.SetArgs({"true"});
  std::string id = Use("exe1");
  ASSERT_EQ(B({"create", "-b", bundle.dir(), id}).exit_code, 0);
  int pid = StateOf(id).pid;
  // From the host too: the created init's executable is busy.
  int fd = open(("/proc/" + std::to_string(pid) + "/exe").c_str(), O_WRONLY | O_CLOEXEC);
  EXPECT_LT(fd, 0);
  if (fd >= 0) close(fd);
  std::string before = RunProgram({"/usr/bin/sha256sum", BerthPath()}).out;
  ASSERT_EQ(B({"start", id}).exit_code, 0);
  EXPECT_EQ(Trim(ReadFileOrEmpty(bundle.dir() + "/exe")), "denied");
  EXPECT_EQ(RunProgram({"/usr/bin/sha256sum", BerthPath()}).out, before);
  B({"delete", "--force", id});
}

TEST_F(LifecycleTest, CwdThroughLeakedFdIsRefused) {
  Bundle bundle;
  std::string id = Use("cwd1");
  for (int n = 3; n <= 12; ++n) {
    bundle.config().process->cwd = "/proc/self/fd/" + std::to_string(n);
    bundle.SetArgs({"sh", "-c", "pwd"});
    CommandResult r = B({"run", "-b", bundle.dir(), id});
    // Either refused, or the process is somewhere inside the container.
    if (r.exit_code == 0) {
      EXPECT_EQ(r.out.find("unreachable"), std::string::npos) << r.out;
    }
    EXPECT_FALSE(PathExists(root_ + "/" + id));
  }
  ExpectNothingLeft(id, bundle);
}

TEST_F(LifecycleTest, JsonLogGetsOneErrorLineAndStderrThePlainMessage) {
  std::string log = root_ + ".log";
  CommandResult r = B({"--log", log, "--log-format", "json", "state", "nope"});
  // Global flags after --root are still global flags.
  EXPECT_EQ(r.exit_code, 1);
  std::string text = ReadFileOrEmpty(log);
  EXPECT_EQ(
      text.rfind("{\"level\":\"error\",\"msg\":\"container \\\"nope\\\" does not exist\",\"time\":\"", 0), 0u)
      << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_EQ(r.err, "container \"nope\" does not exist\n");
  unlink(log.c_str());
}

TEST_F(LifecycleTest, ListShowsContainersInTableJsonAndQuiet) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("list1");
  ASSERT_EQ(B({"create", "-b", bundle.dir(), id}).exit_code, 0);
  CommandResult table = B({"list"});
  EXPECT_EQ(table.out.rfind("ID   ", 0), 0u) << table.out;
  EXPECT_NE(table.out.find(id), std::string::npos);
  EXPECT_NE(table.out.find("created"), std::string::npos);
  EXPECT_EQ(B({"list", "-q"}).out, id + "\n");
  CommandResult json = B({"list", "--format", "json"});
  EXPECT_NE(json.out.find("\"id\":\"" + id + "\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"status\":\"created\""), std::string::npos) << json.out;
  // The table leaves config.json unread; the JSON format still shows the rootfs.
  EXPECT_NE(json.out.find("\"rootfs\":\"/"), std::string::npos) << json.out;
  // The container is still created: only a forced delete removes it (runtime.md delete).
  EXPECT_EQ(B({"delete", "--force", id}).exit_code, 0);
  EXPECT_EQ(B({"list", "--format", "json"}).out, "null\n");
}

TEST_F(LifecycleTest, PauseAndResumeFreezeTheContainer) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("pause1");
  ASSERT_EQ(B({"run", "-d", "-b", bundle.dir(), id}).exit_code, 0);
  ASSERT_EQ(B({"pause", id}).exit_code, 0);
  EXPECT_EQ(StateOf(id).status, spec::ContainerStatus::paused);
  ASSERT_EQ(B({"resume", id}).exit_code, 0);
  EXPECT_EQ(StateOf(id).status, spec::ContainerStatus::running);
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
  ExpectNothingLeft(id, bundle);
}

// Docker's defaults: a seccomp profile, noNewPrivileges false, and a process
// without CAP_SYS_ADMIN. The filter must go in before the user change and
// the capability drop, or seccomp(2) refuses it.
TEST_F(LifecycleTest, SeccompWithoutNoNewPrivilegesForAnUnprivilegedUser) {
  Bundle bundle;
  bundle.config().process->noNewPrivileges = false;
  bundle.config().process->user.uid = 1000;
  bundle.config().process->user.gid = 1000;
  spec::Seccomp seccomp;
  seccomp.defaultAction = "SCMP_ACT_ALLOW";
  spec::SeccompSyscall deny;
  deny.names = {"mkdir", "mkdirat"};
  deny.action = "SCMP_ACT_ERRNO";
  deny.errnoRet = 28;  // ENOSPC: only the filter would answer that
  seccomp.syscalls = {deny};
  bundle.config().linux_->seccomp = seccomp;
  bundle.SetArgs({"sh", "-c", "id -u; grep NoNewPrivs /proc/self/status; mkdir /tmp/x || echo denied"});
  std::string id = Use("seccomp1");
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1000\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NoNewPrivs:\t0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("denied"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  ExpectNothingLeft(id, bundle);
}

TEST_F(LifecycleTest, StateIsRuncsIndentedJson) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("state1");
  ASSERT_EQ(B({"create", "-b", bundle.dir(), id}).exit_code, 0);
  CommandResult r = B({"state", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\n  \"ociVersion\": ", 0), 0u) << r.out;
  auto doc = spec::json::Parse(r.out);
  ASSERT_TRUE(doc.ok()) << r.out;
  ASSERT_NE(doc->Find("rootfs"), nullptr);
  EXPECT_EQ(doc->Find("rootfs")->text, bundle.rootfs());
  ASSERT_NE(doc->Find("created"), nullptr);
  EXPECT_EQ(doc->Find("created")->text.rfind("20", 0), 0u) << doc->Find("created")->text;
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

// runc lets exec join a created container (its namespaces and rootfs are
// ready); the container stays created.
TEST_F(LifecycleTest, ExecIntoCreatedContainer) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("exec1");
  ASSERT_EQ(B({"create", "-b", bundle.dir(), id}).exit_code, 0);
  CommandResult r = B({"exec", id, "sh", "-c", "echo in-$(hostname)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Trim(r.out), "in-berth");
  EXPECT_EQ(StateOf(id).status, spec::ContainerStatus::created);
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
  ExpectNothingLeft(id, bundle);
}

TEST_F(LifecycleTest, ExecIntoPausedContainerNeedsIgnorePaused) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("exec2");
  ASSERT_EQ(B({"run", "-d", "-b", bundle.dir(), id}).exit_code, 0);
  ASSERT_EQ(B({"pause", id}).exit_code, 0);
  CommandResult r = B({"exec", id, "true"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("paused"), std::string::npos) << r.err;
  // The process joins the frozen cgroup and can only execve after resume
  // (as with runc): exec returns once that has happened.
  CommandResult ignored;
  std::thread exec([&] {
    ignored = B({"exec", "--ignore-paused", "-d", id, "sh", "-c", "echo ran > /tmp/ip"});
  });
  usleep(300000);
  EXPECT_EQ(B({"resume", id}).exit_code, 0);
  exec.join();
  EXPECT_EQ(ignored.exit_code, 0) << ignored.err;
  for (int i = 0; i < 300 && ReadFileOrEmpty(bundle.rootfs() + "/tmp/ip").empty(); ++i) usleep(10000);
  EXPECT_EQ(Trim(ReadFileOrEmpty(bundle.rootfs() + "/tmp/ip")), "ran");
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

// exec -t without --console-socket: berth allocates the pty in the
// container and relays it to its own stdio, as runc does.
TEST_F(LifecycleTest, ExecTtyWithoutConsoleSocketRelaysThePty) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("exec3");
  ASSERT_EQ(B({"run", "-d", "-b", bundle.dir(), id}).exit_code, 0);
  CommandResult r = B({"exec", "-t", id, "sh", "-c", "tty; [ -t 0 ] && echo stdin-is-tty; exit 3"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("/dev/pts/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stdin-is-tty"), std::string::npos) << r.out;
  CommandResult detached = B({"exec", "-t", "-d", id, "true"});
  EXPECT_NE(detached.exit_code, 0);
  EXPECT_NE(detached.err.find("console socket"), std::string::npos) << detached.err;
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

// A foreground exec forwards the signals it gets to the process: SIGTERM to
// berth reaches the shell's trap, and berth exits with the shell's status.
TEST_F(LifecycleTest, ForegroundExecForwardsSignals) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("exec4");
  ASSERT_EQ(B({"run", "-d", "-b", bundle.dir(), id}).exit_code, 0);
  CommandResult r =
      RunProgram({"/usr/bin/timeout", "--preserve-status", "-s", "TERM", "2", BerthPath(), "--root", root_,
                  "exec", id, "sh", "-c", "trap 'exit 7' TERM; while true; do sleep 0.1; done"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

// The same command sequence through berth and runc: same exit codes, same
// status at every step.
TEST_F(LifecycleTest, SameExitCodesAndStatusesAsRunc) {
  if (access("/usr/sbin/runc", X_OK) != 0) GTEST_SKIP() << "runc is not installed";
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("cmp1");
  auto sequence = [&](const std::string& binary, const std::string& root) {
    std::vector<std::string> trace;
    auto run = [&](std::vector<std::string> args) {
      std::vector<std::string> argv = {binary, "--root", root};
      argv.insert(argv.end(), args.begin(), args.end());
      CommandResult r = RunProgram(argv);
      std::string step = args[0] + "=" + std::to_string(r.exit_code);
      if (args[0] == "state" && r.exit_code == 0) {
        auto state = spec::ParseState(r.out);
        step += state.ok() ? std::string(":") + std::string(spec::ContainerStatusName(state->status))
                           : ":unparsable";
        // Engines parse runc's output: the same members, in the same order.
        if (auto doc = spec::json::Parse(r.out); doc.ok())
          for (const auto& m : doc->members) step += " " + m.key;
      }
      trace.push_back(step);
      return r;
    };
    run({"state", id});
    run({"create", "--bundle", bundle.dir(), id});
    run({"create", "--bundle", bundle.dir(), id});
    run({"state", id});
    run({"start", id});
    run({"state", id});
    run({"start", id});
    run({"delete", id});
    run({"kill", id, "SIGKILL"});
    for (int i = 0; i < 300; ++i) {
      std::vector<std::string> argv = {binary, "--root", root, "state", id};
      if (RunProgram(argv).out.find("stopped") != std::string::npos) break;
      usleep(10000);
    }
    run({"state", id});
    run({"kill", id, "TERM"});
    run({"delete", id});
    run({"state", id});
    run({"delete", "--force", id});
    return trace;
  };
  std::vector<std::string> berth = sequence(BerthPath(), root_);
  std::string runc_root = root_ + "-runc";
  std::vector<std::string> runc = sequence("/usr/sbin/runc", runc_root);
  RunProgram({"/usr/sbin/runc", "--root", runc_root, "delete", "--force", id});
  RunProgram({"/bin/rm", "-rf", runc_root});
  EXPECT_EQ(berth, runc);
  EXPECT_EQ(berth[3], "state=0:created ociVersion id pid status bundle rootfs created owner");
  EXPECT_EQ(berth[5], "state=0:running ociVersion id pid status bundle rootfs created owner");
}

// Processes in cgroups nested under the container's (made by the container
// with a writable cgroup mount, or by a manager such as systemd) are the
// container's too: `delete --force` kills them and removes the nested
// cgroups. Before, kill read only the top cgroup.procs, the nested process
// survived, and delete retried the removal for minutes (bounded here by
// timeout 60).
TEST_F(LifecycleTest, DeleteForceKillsProcessesInNestedCgroupsAndDoesNotHang) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "1000"});
  std::string id = Use("nested" + std::to_string(getpid()));
  ASSERT_EQ(B({"run", "-d", "--bundle", bundle.dir(), id}).exit_code, 0);
  std::string nested = "/sys/fs/cgroup/pids/berth/" + id + "/inner";
  ASSERT_EQ(mkdir(nested.c_str(), 0755), 0) << strerror(errno);
  pid_t stray = fork();
  if (stray == 0) {
    execl("/bin/busybox", "sleep", "1000", nullptr);
    _exit(127);
  }
  ASSERT_GT(stray, 0);
  WriteFile(nested + "/cgroup.procs", std::to_string(stray));
  CommandResult r =
      RunProgram({"/usr/bin/timeout", "60", BerthPath(), "--root", root_, "delete", "--force", id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The stray is our child: reaped here once killed.
  int status = 0;
  pid_t reaped = waitpid(stray, &status, WNOHANG);
  for (int i = 0; i < 200 && reaped == 0; ++i) {
    usleep(10000);
    reaped = waitpid(stray, &status, WNOHANG);
  }
  if (reaped == 0) {
    kill(stray, SIGKILL);
    waitpid(stray, &status, 0);
    ADD_FAILURE() << "the process in the nested cgroup survived delete --force";
  } else {
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  }
  rmdir(nested.c_str());
  ExpectNothingLeft(id, bundle);
}

}  // namespace
}  // namespace berth::testing
