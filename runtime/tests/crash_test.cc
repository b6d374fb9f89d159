// Crash consistency of `create` (issue 9 item 2): create is SIGKILLed at
// every mkdir/rename/mount/clone it (or the init it clones) makes, with
// strace's fault injection; `delete --force ID` must then leave nothing: no
// state dir, no cgroup directory named after the id in any hierarchy, no
// process, no mount mentioning the bundle. Needs root and strace; exclusive.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <sstream>

#include "gtest/gtest.h"
#include "runtime/tests/harness.h"

namespace berth::testing {
namespace {

constexpr char kStrace[] = "/usr/bin/strace";

// The kill points: every syscall of create that makes something.
const std::vector<std::string>& KillPointSyscalls() {
  static const std::vector<std::string> names = {"mkdir", "mkdirat",    "rename", "renameat", "renameat2",
                                                 "mount", "move_mount", "clone",  "clone3"};
  return names;
}

// "4926  mkdir(..." -> {"4926", "mkdir(..."}: strace pads the pid column to
// a width, so the separator is one space or more (four-digit pids get two).
std::pair<std::string, std::string> SplitStraceLine(const std::string& line) {
  size_t digits = line.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string::npos) return {"", ""};
  size_t rest = line.find_first_not_of(' ', digits);
  if (rest == std::string::npos || rest == digits) return {"", ""};
  return {line.substr(0, digits), line.substr(rest)};
}

// What of container `id` is left on the host, one line per thing.
std::vector<std::string> LeftOver(const std::string& root, const std::string& id, const std::string& bundle) {
  std::vector<std::string> left;
  if (PathExists(root + "/" + id)) left.push_back("state dir " + root + "/" + id);
  for (const std::string base : {"/sys/fs/cgroup"}) {
    DIR* d = opendir(base.c_str());
    if (!d) continue;
    while (struct dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string cgroup = base + "/" + name + "/berth/" + id;
      if (PathExists(cgroup)) left.push_back("cgroup " + cgroup);
    }
    closedir(d);
    if (PathExists(base + "/berth/" + id)) left.push_back("cgroup " + base + "/berth/" + id);
  }
  // Any process whose command line names the state root: create's own
  // process and its init (a clone of it) both do.
  DIR* proc = opendir("/proc");
  while (proc) {
    struct dirent* e = readdir(proc);
    if (!e) break;
    pid_t pid = std::atoi(e->d_name);
    if (pid <= 0 || pid == getpid()) continue;
    std::string cmdline = ReadFileOrEmpty("/proc/" + std::string(e->d_name) + "/cmdline");
    for (char& c : cmdline)
      if (c == '\0') c = ' ';
    if (cmdline.find(root) != std::string::npos && cmdline.find(kStrace) == std::string::npos)
      left.push_back("process " + std::to_string(pid) + ": " + cmdline);
  }
  if (proc) closedir(proc);
  if (MountinfoMentions(bundle)) left.push_back("mount of " + bundle);
  return left;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

class CrashTest : public ContainerTest {
 protected:
  void SetUp() override {
    if (access(kStrace, X_OK) != 0) GTEST_SKIP() << "needs strace (fault injection)";
    ContainerTest::SetUp();
    if (IsSkipped()) return;
    Use(kId);
    char tmpl[] = "/tmp/berth-crash-XXXXXX";
    log_dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    ContainerTest::TearDown();
    if (!log_dir_.empty()) RunProgram({"/bin/rm", "-rf", log_dir_});
  }

  // Runs `strace -f -o LOG <strace_args> berth create` and returns once the
  // create process itself has ended (its init may live on: with no parent,
  // it can block on the exec fifo for good). Returns strace's pid, or -1.
  pid_t StartTracedCreate(const Bundle& bundle, const std::vector<std::string>& strace_args,
                          const std::string& log) {
    unlink(log.c_str());
    std::vector<std::string> argv = {kStrace, "-f", "-o", log};
    argv.insert(argv.end(), strace_args.begin(), strace_args.end());
    for (const std::string& a :
         {std::string("--"), BerthPath(), std::string("--root"), root_, std::string("create"),
          std::string("--bundle"), bundle.dir(), std::string(kId)})
      argv.push_back(a);
    pid_t pid = StartProgram(argv);
    // The first line of the log is the create process's (its init exists
    // only after it clones); its "+++" line says it has ended.
    for (int i = 0; i < 6000; ++i) {  // bounded: a hung create fails the test
      std::string text = ReadFileOrEmpty(log);
      std::string main_pid = text.substr(0, text.find_first_not_of("0123456789"));
      if (!main_pid.empty()) {
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
          auto [pid_text, rest] = SplitStraceLine(line);
          if (pid_text == main_pid && rest.starts_with("+++ ")) return pid;
        }
      }
      int status;
      if (waitpid(pid, &status, WNOHANG) == pid) return 0;  // strace itself ended
      usleep(10000);
    }
    return -1;
  }

  // Reaps strace once nothing it traces is left.
  static void ReapStrace(pid_t pid) {
    if (pid <= 0) return;
    int status;
    for (int i = 0; i < 3000; ++i) {
      if (waitpid(pid, &status, WNOHANG) == pid) return;
      usleep(10000);
    }
    ADD_FAILURE() << "strace still traces a process of the container";
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }

  static constexpr char kId[] = "crash1";
  std::string log_dir_;
};

// Per syscall, how many calls one traced process makes at most.
std::map<std::string, int> MaxCallsPerProcess(const std::string& log) {
  std::map<std::pair<std::string, std::string>, int> per_pid;
  std::istringstream in(ReadFileOrEmpty(log));
  for (std::string line; std::getline(in, line);) {
    auto [pid_text, rest] = SplitStraceLine(line);
    size_t paren = rest.find('(');
    if (pid_text.empty() || paren == std::string::npos) continue;
    std::string name = rest.substr(0, paren);
    if (name.empty() || name.find(' ') != std::string::npos) continue;  // "<... resumed>" and the like
    ++per_pid[{pid_text, name}];
  }
  std::map<std::string, int> max;
  for (const auto& [key, count] : per_pid) max[key.second] = std::max(max[key.second], count);
  return max;
}

TEST_F(CrashTest, CreateKilledAtEveryPointThenDeleteForceLeavesNothing) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string syscalls;
  for (const auto& name : KillPointSyscalls()) syscalls += (syscalls.empty() ? "" : ",") + name;

  // An untampered create, to count the kill points.
  std::string log = log_dir_ + "/trace";
  pid_t tracer = StartTracedCreate(bundle, {"-e", "trace=" + syscalls}, log);
  ASSERT_GE(tracer, 0) << "traced create did not end";
  // The created init waits on the exec fifo, traced, until it is deleted.
  CommandResult deleted = B({"delete", "--force", kId});
  ReapStrace(tracer);
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  std::map<std::string, int> points = MaxCallsPerProcess(log);
  ASSERT_GT(points["mkdir"] + points["mkdirat"], 5) << ReadFileOrEmpty(log);
  ASSERT_EQ(LeftOver(root_, kId, bundle.dir()), std::vector<std::string>());

  int swept = 0;
  for (const auto& [name, count] : points) {
    for (int when = 1; when <= count; ++when) {
      SCOPED_TRACE(name + " call " + std::to_string(when));
      pid_t pid = StartTracedCreate(
          bundle,
          {"-e", "trace=" + name, "-e", "inject=" + name + ":signal=KILL:when=" + std::to_string(when)}, log);
      EXPECT_GE(pid, 0) << "create killed at " << name << " did not end";
      CommandResult forced = B({"delete", "--force", kId});
      EXPECT_EQ(forced.exit_code, 0) << forced.err;
      ReapStrace(pid);
      std::vector<std::string> left = LeftOver(root_, kId, bundle.dir());
      EXPECT_TRUE(left.empty()) << "create killed at " << name << " call " << when
                                << ", then delete --force, left:\n"
                                << Join(left);
      if (!left.empty()) {
        // Clean up by hand so the next point starts from nothing.
        for (const auto& l : left)
          if (l.rfind("cgroup ", 0) == 0) rmdir(l.substr(7).c_str());
        RunProgram({"/bin/rm", "-rf", root_ + "/" + kId});
      }
      ++swept;
    }
  }
  RecordProperty("kill_points", swept);
  std::cerr << "create killed at " << swept << " points\n";
}

// Issue 9 item 3: a truncated state.json. `state` refuses it; `list` shows the
// container as "damaged" rather than hiding it; `delete --force` removes what
// the intact files describe (cgroup record, init pid + start time).
TEST_F(CrashTest, DamagedStateDirIsListedAndDeleteForceRemovesEverything) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  ASSERT_EQ(B({"run", "-d", "--bundle", bundle.dir(), kId}).exit_code, 0);
  // A second process in the container: only the cgroup knows it.
  ASSERT_EQ(B({"exec", "-d", kId, "sleep", "200"}).exit_code, 0);
  WriteFile(root_ + "/" + kId + "/state.json", "{\"ociVersion\": \"1.3.0\", \"id\": \"cra");

  CommandResult state = B({"state", kId});
  EXPECT_NE(state.exit_code, 0);
  EXPECT_NE(state.err.find("damaged"), std::string::npos) << state.err;

  CommandResult list = B({"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(std::string(kId)), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("damaged"), std::string::npos) << list.out;
  CommandResult json = B({"list", "--format", "json"});
  EXPECT_NE(json.out.find("\"status\":\"damaged\""), std::string::npos) << json.out;

  CommandResult forced = B({"delete", "--force", kId});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(LeftOver(root_, kId, bundle.dir()), std::vector<std::string>());
  EXPECT_TRUE(ProcessesWithRootUnder(bundle.rootfs()).empty()) << "process left behind";
}

// The init record names a pid that now belongs to another process (a
// different start time): delete --force must not kill it.
TEST_F(CrashTest, DeleteForceNeverKillsARecycledInitPid) {
  pid_t bystander = fork();
  if (bystander == 0) {
    pause();
    _exit(0);
  }
  ASSERT_GT(bystander, 0);
  std::string dir = root_ + "/" + kId;
  ASSERT_EQ(RunProgram({"/bin/mkdir", "-p", dir}).exit_code, 0);
  // Start time 1 tick: never this process's.
  WriteFile(dir + "/init", std::to_string(bystander) + " 1 0\n");
  WriteFile(dir + "/state.json", "{");
  CommandResult forced = B({"delete", "--force", kId});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_FALSE(PathExists(dir));
  int status = 0;
  EXPECT_EQ(waitpid(bystander, &status, WNOHANG), 0) << "the bystander was killed";
  kill(bystander, SIGKILL);
  waitpid(bystander, &status, 0);
}

}  // namespace
}  // namespace berth::testing
