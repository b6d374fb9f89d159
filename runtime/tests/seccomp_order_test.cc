// Integration tests for configs berth did not write (issue 8, failures 1 and
// 4): seccomp profiles that allow nothing berth might call after loading the
// filter (old errno-default profiles without close_range, a minimal
// allow-list), for run and exec, with and without noNewPrivileges; fds
// handed over under such a profile; and exec into a container whose profile
// uses SCMP_ACT_NOTIFY, with a seccomp agent answering. Need root.
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "runtime/tests/harness.h"
#include "spec/config_json.h"
#include "spec/state.h"

namespace berth::testing {
namespace {

constexpr const char* kRunc = "/usr/sbin/runc";

// conformance/fixtures/seccomp/<name>.json from the runfiles.
std::string FixturePath(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::string base = srcdir && workspace ? std::string(srcdir) + "/" + workspace + "/" : "";
  return base + "conformance/fixtures/seccomp/" + name + ".json";
}

// A linux.seccomp object as the typed model.
std::optional<spec::Seccomp> LoadProfile(const std::string& name) {
  std::string json = ReadFileOrEmpty(FixturePath(name));
  if (json.empty()) return std::nullopt;
  auto config = spec::ParseConfig(R"({"ociVersion":"1.3.0","linux":{"seccomp":)" + json + "}}");
  if (!config.ok() || !config->linux_ || !config->linux_->seccomp) return std::nullopt;
  return config->linux_->seccomp;
}

class SeccompOrderTest : public ContainerTest {};

struct ProfileCase {
  const char* profile;
  bool no_new_privileges;
};

std::string CaseName(const ::testing::TestParamInfo<ProfileCase>& info) {
  std::string name = info.param.profile;
  std::replace(name.begin(), name.end(), '-', '_');
  std::replace(name.begin(), name.end(), '.', '_');
  return name + (info.param.no_new_privileges ? "_nnp" : "_no_nnp");
}

class ProfileTest : public SeccompOrderTest, public ::testing::WithParamInterface<ProfileCase> {};

// `run` of `true` exits 0, and `exec` of `true` into a running container
// with the same profile exits 0. The one exception is the minimal profile
// without noNewPrivileges: the user and capability calls that must follow
// the filter then (it needs CAP_SYS_ADMIN) are not in it, so no runtime can
// start it; berth must fail as runc does, leaving nothing behind.
TEST_P(ProfileTest, RunAndExecStart) {
  const ProfileCase& c = GetParam();
  auto profile = LoadProfile(c.profile);
  ASSERT_TRUE(profile) << "fixture " << FixturePath(c.profile);
  Bundle bundle;
  bundle.config().process->noNewPrivileges = c.no_new_privileges;
  bundle.config().linux_->seccomp = *profile;
  bundle.SetArgs({"true"});
  const bool startable = c.no_new_privileges || std::string(c.profile) != "minimal-static-true";

  std::string id = Use("run");
  CommandResult run = B({"run", "-b", bundle.dir(), id});
  if (startable) {
    EXPECT_EQ(run.exit_code, 0) << run.err;
  } else {
    EXPECT_NE(run.exit_code, 0) << run.err;
    // Refused at create, naming the call the profile denies (before: exit 1
    // with nothing on stderr, the init failing after the filter took write).
    EXPECT_NE(run.err.find("capset"), std::string::npos) << run.err;
    CommandResult create = B({"create", "-b", bundle.dir(), id});
    EXPECT_NE(create.exit_code, 0);
    EXPECT_NE(create.err.find("linux.seccomp: the profile answers capset with SCMP_ACT_ERRNO"),
              std::string::npos)
        << create.err;
    if (access(kRunc, X_OK) == 0) {
      std::string runc_root = root_ + "-runc";
      CommandResult runc = RunProgram({kRunc, "--root", runc_root, "run", "-b", bundle.dir(), id});
      RunProgram({kRunc, "--root", runc_root, "delete", "--force", id});
      RunProgram({"/bin/rm", "-rf", runc_root});
      EXPECT_NE(runc.exit_code, 0) << "runc started it: berth should too";
    }
  }
  ExpectNothingLeft(id, bundle);
  if (!startable) return;

  // exec: the container runs `sleep` (the minimal profile allows it too).
  bundle.SetArgs({"sleep", "100"});
  std::string running = Use("exec");
  CommandResult detached = B({"run", "-d", "-b", bundle.dir(), running});
  ASSERT_EQ(detached.exit_code, 0) << detached.err;
  CommandResult exec = B({"exec", running, "true"});
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_EQ(B({"delete", "-f", running}).exit_code, 0);
  ExpectNothingLeft(running, bundle);
}

// exec of a process without noNewPrivileges into a container whose profile
// lacks capset: refused by exec itself, naming the call; the container runs on.
TEST_F(SeccompOrderTest, ExecWithoutNoNewPrivilegesUnderMinimalProfileNamesCapset) {
  auto profile = LoadProfile("minimal-static-true");
  ASSERT_TRUE(profile) << "fixture " << FixturePath("minimal-static-true");
  Bundle bundle;
  bundle.config().process->noNewPrivileges = true;
  bundle.config().linux_->seccomp = *profile;
  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("execcapset");
  CommandResult detached = B({"run", "-d", "-b", bundle.dir(), id});
  ASSERT_EQ(detached.exit_code, 0) << detached.err;
  const std::string process_json = bundle.dir() + "/exec-process.json";
  WriteFile(process_json, R"({"args":["true"],"cwd":"/","user":{"uid":0,"gid":0},"noNewPrivileges":false})");
  CommandResult exec = B({"exec", "-p", process_json, id});
  EXPECT_NE(exec.exit_code, 0);
  EXPECT_NE(exec.err.find("the profile answers capset with SCMP_ACT_ERRNO"), std::string::npos) << exec.err;
  // The same process with noNewPrivileges runs.
  WriteFile(process_json, R"({"args":["true"],"cwd":"/","user":{"uid":0,"gid":0},"noNewPrivileges":true})");
  CommandResult allowed = B({"exec", "-p", process_json, id});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
  ExpectNothingLeft(id, bundle);
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, ProfileTest,
    ::testing::Values(ProfileCase{"minimal-static-true", true}, ProfileCase{"minimal-static-true", false},
                      ProfileCase{"docker-19.03-default", true}, ProfileCase{"docker-19.03-default", false},
                      ProfileCase{"podman-4.3-default", true}, ProfileCase{"podman-4.3-default", false}),
    CaseName);

// The fds a shell inside sees, from `ls -l /proc/self/fd` (ls's own handle
// on that directory left out): "N -> target" per line, sorted.
std::vector<int> FdNumbers(const std::string& ls_output) {
  std::vector<int> fds;
  std::istringstream in(ls_output);
  for (std::string line; std::getline(in, line);) {
    size_t arrow = line.find(" -> ");
    if (arrow == std::string::npos) continue;
    std::string target = line.substr(arrow + 4);
    if (target.size() >= 3 && target.compare(target.size() - 3, 3, "/fd") == 0) continue;
    size_t start = line.rfind(' ', arrow - 1);
    fds.push_back(std::atoi(line.c_str() + start + 1));
  }
  std::sort(fds.begin(), fds.end());
  return fds;
}

std::string ReadPipe(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  return out;
}

// Under docker 19.03's profile (no close_range): a LISTEN_FDS fd (3) and a
// --preserve-fds fd (4) reach the process, and nothing else does.
TEST_F(SeccompOrderTest, ListenAndPreservedFdsReachTheProcessAndNothingElse) {
  auto profile = LoadProfile("docker-19.03-default");
  ASSERT_TRUE(profile);
  Bundle bundle;
  bundle.config().linux_->seccomp = *profile;
  bundle.SetArgs({"sh", "-c", "ls -l /proc/self/fd; echo listen=$LISTEN_FDS >&3; echo kept >&4"});
  int listen[2], preserved[2];
  ASSERT_EQ(pipe2(listen, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(preserved, O_CLOEXEC), 0);
  std::string id = Use("fds");
  // LISTEN_PID must be berth's own pid: the shell execs berth in its place.
  CommandResult r = RunProgram({"/bin/sh", "-c", "LISTEN_FDS=1 LISTEN_PID=$$ exec \"$0\" \"$@\"", BerthPath(),
                                "--root", root_, "run", "--preserve-fds", "1", "-b", bundle.dir(), id},
                               {listen[1], preserved[1]});
  close(listen[1]);
  close(preserved[1]);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadPipe(listen[0]), "listen=1\n");
  EXPECT_EQ(ReadPipe(preserved[0]), "kept\n");
  close(listen[0]);
  close(preserved[0]);
  EXPECT_EQ(FdNumbers(r.out), (std::vector<int>{0, 1, 2, 3, 4})) << r.out;

  // exec under the same profile: the preserved fd, and nothing else.
  bundle.SetArgs({"sleep", "100"});
  std::string running = Use("fds-exec");
  ASSERT_EQ(B({"run", "-d", "-b", bundle.dir(), running}).exit_code, 0);
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  CommandResult e =
      B({"exec", "--preserve-fds", "1", running, "sh", "-c", "ls -l /proc/self/fd; echo exec-kept >&3"},
        {p[1]});
  close(p[1]);
  EXPECT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(ReadPipe(p[0]), "exec-kept\n");
  close(p[0]);
  EXPECT_EQ(FdNumbers(e.out), (std::vector<int>{0, 1, 2, 3})) << e.out;
  EXPECT_EQ(B({"delete", "-f", running}).exit_code, 0);
}

// A seccomp agent: accepts connections on a unix socket, takes the state
// JSON and the notify fd of each, and answers every notification of the
// n-th fd with answers[n] (0: success, else that errno).
class SeccompAgent {
 public:
  SeccompAgent(std::string path, std::vector<int> answers)
      : path_(std::move(path)), answers_(std::move(answers)) {
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    unlink(path_.c_str());
    ok_ = listen_fd_ >= 0 && bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
          listen(listen_fd_, 4) == 0;
    thread_ = std::thread([this] { Serve(); });
  }
  ~SeccompAgent() {
    stop_ = true;
    thread_.join();
    for (int fd : notify_fds_) close(fd);
    if (listen_fd_ >= 0) close(listen_fd_);
    unlink(path_.c_str());
  }
  bool ok() const { return ok_; }
  std::vector<std::string> states() {
    std::lock_guard<std::mutex> lock(mu_);
    return states_;
  }
  // How many notifications were answered, per fd.
  std::vector<int> answered() {
    std::lock_guard<std::mutex> lock(mu_);
    return answered_;
  }

 private:
  void Accept() {
    int conn = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) return;
    std::string json(size_t{64} * 1024, '\0');
    iovec iov{json.data(), json.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    close(conn);
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    if (n <= 0 || !cmsg || cmsg->cmsg_type != SCM_RIGHTS) return;
    int fd;
    std::memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
    std::lock_guard<std::mutex> lock(mu_);
    json.resize(static_cast<size_t>(n));
    states_.push_back(json);
    notify_fds_.push_back(fd);
    answered_.push_back(0);
  }
  void Answer(size_t index) {
    seccomp_notif req{};
    if (ioctl(notify_fds_[index], SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return;
    seccomp_notif_resp resp{};
    resp.id = req.id;
    int answer = index < answers_.size() ? answers_[index] : EPERM;
    resp.error = answer == 0 ? 0 : -answer;
    resp.val = 0;
    if (ioctl(notify_fds_[index], SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      ++answered_[index];
    }
  }
  // Polls until stopped (a loop condition, not a timed assertion).
  void Serve() {
    while (!stop_) {
      std::vector<pollfd> fds = {{listen_fd_, POLLIN, 0}};
      for (int fd : notify_fds_) fds.push_back({fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), 50) <= 0) continue;
      if (fds[0].revents & POLLIN) Accept();
      for (size_t i = 1; i < fds.size(); ++i)
        if (fds[i].revents & POLLIN) Answer(i - 1);
    }
  }

  std::string path_;
  std::vector<int> answers_;
  int listen_fd_ = -1;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> states_;
  std::vector<int> notify_fds_;
  std::vector<int> answered_;
};

// The agent gets the init's notify fd at create and the exec'd process's at
// exec, and answers mkdir for each: success (without making anything) for
// the init, EDQUOT for the exec'd process.
TEST_F(SeccompOrderTest, ExecSendsItsNotifyFdToTheAgent) {
  Bundle bundle;
  SeccompAgent agent(bundle.dir() + "/agent.sock", {0, EDQUOT});
  ASSERT_TRUE(agent.ok());
  spec::Seccomp seccomp;
  seccomp.defaultAction = "SCMP_ACT_ALLOW";
  seccomp.listenerPath = bundle.dir() + "/agent.sock";
  seccomp.listenerMetadata = "berth-test";
  spec::SeccompSyscall notify;
  notify.names = {"mkdir", "mkdirat"};
  notify.action = "SCMP_ACT_NOTIFY";
  seccomp.syscalls = {notify};
  bundle.config().linux_->seccomp = seccomp;
  bundle.SetArgs({"sh", "-c", "mkdir /tmp/by-init && echo init-mkdir-ok > /tmp/init; exec sleep 100"});
  std::string id = Use("notify");
  ASSERT_EQ(B({"run", "-d", "-b", bundle.dir(), id}).exit_code, 0);
  for (int i = 0; i < 500 && ReadFileOrEmpty(bundle.rootfs() + "/tmp/init").empty(); ++i) usleep(10000);
  EXPECT_EQ(ReadFileOrEmpty(bundle.rootfs() + "/tmp/init"), "init-mkdir-ok\n");
  EXPECT_FALSE(PathExists(bundle.rootfs() + "/tmp/by-init")) << "the agent answered, not the kernel";

  CommandResult e = B({"exec", id, "sh", "-c", "mkdir /tmp/by-exec; echo rc=$?"});
  EXPECT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(e.out, "rc=1\n");
  EXPECT_NE(e.err.find("Disk quota exceeded"), std::string::npos) << e.err;
  EXPECT_FALSE(PathExists(bundle.rootfs() + "/tmp/by-exec"));

  const int init_pid = InitPid(id);
  std::vector<std::string> states = agent.states();
  ASSERT_EQ(states.size(), 2u);
  const std::string init_member = "\"pid\":" + std::to_string(init_pid);
  // create: the process is the init, the container is creating.
  EXPECT_NE(states[0].find("\"seccompFd\""), std::string::npos) << states[0];
  EXPECT_NE(states[0].find("\"metadata\":\"berth-test\""), std::string::npos) << states[0];
  EXPECT_NE(states[0].find("\"status\":\"creating\""), std::string::npos) << states[0];
  EXPECT_EQ(states[0].find(init_member), states[0].find("\"pid\":")) << states[0];
  // exec: the process is the new one; the container's state names the init.
  EXPECT_NE(states[1].find("\"status\":\"running\""), std::string::npos) << states[1];
  EXPECT_NE(states[1].find("\"metadata\":\"berth-test\""), std::string::npos) << states[1];
  size_t state_at = states[1].find("\"state\":");
  ASSERT_NE(state_at, std::string::npos) << states[1];
  EXPECT_NE(states[1].find(init_member, state_at), std::string::npos) << states[1];
  EXPECT_EQ(states[1].find(init_member), states[1].find(init_member, state_at))
      << "the process pid is the exec'd process, not the init: " << states[1];
  std::vector<int> answered = agent.answered();
  EXPECT_GE(answered[0], 1);
  EXPECT_GE(answered[1], 1);
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
  ExpectNothingLeft(id, bundle);
}

}  // namespace
}  // namespace berth::testing
