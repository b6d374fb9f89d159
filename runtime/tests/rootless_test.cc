// berth run by an unprivileged user, and by root of a user namespace (as
// rootless podman runs it): a user made for the test (removed on every
// exit path, see TestUser), state under a root that user owns, devices
// bind-mounted, cgroups skipped where not delegated, clear errors for what
// needs root.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include "runtime/tests/harness.h"
#include "spec/config_json.h"
#include "spec/default_config.h"
#include "spec/json.h"

namespace berth::testing {
namespace {

// A user that exists while the test binary does: userdel at TearDown, and,
// should the binary die first, from a watchdog reading a pipe whose only
// writer is this process (EOF = gone).
class TestUser : public ::testing::Environment {
 public:
  static TestUser* instance;
  void SetUp() override {
    instance = this;
    if (!IsRoot()) {
      unavailable = "needs root to create a user";
      return;
    }
    if (access("/usr/sbin/useradd", X_OK) != 0 || access("/usr/bin/setpriv", X_OK) != 0) {
      unavailable = "useradd or setpriv is not installed";
      return;
    }
    name = "berthrl" + std::to_string(getpid());
    char tmpl[] = "/tmp/berth-rootless-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    work = tmpl;
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    pid_t watchdog = fork();
    ASSERT_GE(watchdog, 0);
    if (watchdog == 0) {
      setsid();
      if (fork() != 0) _exit(0);
      dup2(fds[0], 0);
      const std::string script = "read x; /usr/sbin/userdel " + name + " 2>/dev/null; rm -rf " + work;
      execl("/bin/sh", "sh", "-c", script.c_str(), nullptr);
      _exit(127);
    }
    close(fds[0]);
    watchdog_fd_ = fds[1];
    waitpid(watchdog, nullptr, 0);
    // useradd adds /etc/subuid and /etc/subgid ranges (Debian's SUB_UID_COUNT).
    CommandResult added = RunProgram({"/usr/sbin/useradd", "--no-create-home", "--home-dir", work, name});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    struct passwd* pw = getpwnam(name.c_str());
    ASSERT_NE(pw, nullptr);
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    ASSERT_EQ(chown(work.c_str(), uid, gid), 0);
    chmod(work.c_str(), 0755);
    // The binary where the user can run it (the runfiles are under /root).
    berth = work + "/berth";
    ASSERT_EQ(RunProgram({"/bin/cp", BerthPath(), berth}).exit_code, 0);
    chmod(berth.c_str(), 0755);
  }
  void TearDown() override {
    if (!name.empty()) {
      CommandResult removed = RunProgram({"/usr/sbin/userdel", name});
      EXPECT_EQ(removed.exit_code, 0) << removed.err;
      EXPECT_EQ(ReadFileOrEmpty("/etc/subuid").find(name + ":"), std::string::npos) << "subuid entry left";
      RunProgram({"/bin/rm", "-rf", work});
    }
    if (watchdog_fd_ >= 0) close(watchdog_fd_);
  }

  std::string unavailable, name, work, berth;
  uid_t uid = 0;
  gid_t gid = 0;

 private:
  int watchdog_fd_ = -1;
};
TestUser* TestUser::instance = nullptr;

class RootlessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    user_ = TestUser::instance;
    if (!user_->unavailable.empty()) GTEST_SKIP() << user_->unavailable;
    ASSERT_FALSE(user_->name.empty());
    if (!HaveBusybox()) GTEST_SKIP() << "busybox-static is not installed";
    root_ = user_->work + "/state-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  void TearDown() override {
    // A test that stopped half-way leaves no container running.
    if (user_ == nullptr || root_.empty() || !PathExists(root_)) return;
    std::istringstream ids(UserBerth({"list", "-q"}).out);
    for (std::string id; std::getline(ids, id);)
      if (!id.empty()) UserBerth({"delete", "--force", id});
  }

  // argv run as the user (no supplementary groups, no capabilities).
  CommandResult AsUser(std::vector<std::string> argv, const std::string& cwd = "") {
    std::vector<std::string> full = {"/usr/bin/setpriv", "--reuid=" + std::to_string(user_->uid),
                                     "--regid=" + std::to_string(user_->gid), "--clear-groups", "--"};
    full.insert(full.end(), argv.begin(), argv.end());
    return RunProgram(full, {}, cwd);
  }
  CommandResult UserBerth(std::vector<std::string> args) {
    args.insert(args.begin(), {user_->berth, "--root", root_});
    return AsUser(args);
  }
  // A bundle the user owns, with runc's rootless template mapping the user.
  void MakeBundle(Bundle& bundle, const std::vector<std::string>& args, uid_t map_uid, gid_t map_gid) {
    spec::Config& c = bundle.config();
    c = spec::DefaultConfig(true);
    c.process->terminal = false;
    c.process->args = args;
    c.root->path = "rootfs";
    c.root->readonly = false;
    c.linux_->uidMappings = {spec::IdMapping{0, map_uid, 1}};
    c.linux_->gidMappings = {spec::IdMapping{0, map_gid, 1}};
    bundle.Save();
    RunProgram(
        {"/bin/chown", "-R", std::to_string(user_->uid) + ":" + std::to_string(user_->gid), bundle.dir()});
  }

  TestUser* user_ = nullptr;
  std::string root_;
};

TEST_F(RootlessTest, SpecRootlessIsRuncsTemplateForTheCaller) {
  std::string dir = user_->work + "/spec";
  ASSERT_EQ(AsUser({"/bin/mkdir", dir}).exit_code, 0);
  CommandResult made = AsUser({user_->berth, "spec", "--rootless", "--bundle", dir});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto config = spec::ParseConfig(ReadFileOrEmpty(dir + "/config.json"));
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const spec::Linux& l = *config->linux_;
  ASSERT_EQ(l.uidMappings.size(), 1u);
  EXPECT_EQ(l.uidMappings[0].hostID, user_->uid);
  EXPECT_EQ(l.uidMappings[0].containerID, 0u);
  EXPECT_EQ(l.uidMappings[0].size, 1u);
  ASSERT_EQ(l.gidMappings.size(), 1u);
  EXPECT_EQ(l.gidMappings[0].hostID, user_->gid);
  EXPECT_NE(l.FindNamespace(spec::NamespaceType::user), nullptr);
  EXPECT_EQ(l.FindNamespace(spec::NamespaceType::network), nullptr);
  EXPECT_FALSE(l.resources.has_value());
  // Field by field as runc writes it, but for the two names.
  if (access("/usr/bin/runc", X_OK) == 0 || access("/usr/sbin/runc", X_OK) == 0) {
    std::string runc_dir = user_->work + "/runc-spec";
    ASSERT_EQ(AsUser({"/bin/mkdir", runc_dir}).exit_code, 0);
    std::string runc = access("/usr/bin/runc", X_OK) == 0 ? "/usr/bin/runc" : "/usr/sbin/runc";
    ASSERT_EQ(AsUser({runc, "spec", "--rootless", "--bundle", runc_dir}).exit_code, 0);
    auto theirs = spec::ParseConfig(ReadFileOrEmpty(runc_dir + "/config.json"));
    ASSERT_TRUE(theirs.ok());
    theirs->hostname = config->hostname;
    theirs->ociVersion = config->ociVersion;
    EXPECT_EQ(spec::SerializeConfig(*theirs), spec::SerializeConfig(*config));
  }
}

TEST_F(RootlessTest, UnprivilegedLifecycleWithoutCgroupsAndWithBoundDevices) {
  Bundle bundle(user_->work);
  MakeBundle(bundle, {"sleep", "1000"}, user_->uid, user_->gid);
  CommandResult created = UserBerth({"create", "-b", bundle.dir(), "rl1"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_FALSE(CgroupDirExists("rl1"));  // not delegated here: none made
  ASSERT_EQ(UserBerth({"start", "rl1"}).exit_code, 0);
  CommandResult id = UserBerth({"exec", "rl1", "id", "-u"});
  ASSERT_EQ(id.exit_code, 0) << id.err;
  EXPECT_EQ(Trim(id.out), "0");
  CommandResult map = UserBerth({"exec", "rl1", "cat", "/proc/self/uid_map"});
  EXPECT_EQ(Trim(map.out).substr(0, 1), "0") << map.out;
  EXPECT_NE(map.out.find(" " + std::to_string(user_->uid) + " "), std::string::npos) << map.out;
  // /dev/null is a usable character device (bound from the host: no mknod).
  CommandResult dev =
      UserBerth({"exec", "rl1", "sh", "-c", "test -c /dev/null && echo hi >/dev/null && echo ok"});
  EXPECT_EQ(Trim(dev.out), "ok") << dev.err;
  CommandResult paused = UserBerth({"pause", "rl1"});
  EXPECT_NE(paused.exit_code, 0);
  EXPECT_NE(paused.err.find("without a cgroup"), std::string::npos) << paused.err;
  ASSERT_EQ(UserBerth({"kill", "rl1", "KILL"}).exit_code, 0);
  CommandResult deleted = UserBerth({"delete", "--force", "rl1"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_FALSE(PathExists(root_ + "/rl1"));
  EXPECT_TRUE(ProcessesWithRootUnder(bundle.rootfs()).empty());
}

TEST_F(RootlessTest, LimitsWithoutADelegatedCgroupAreAClearErrorAndLeaveNothing) {
  Bundle bundle(user_->work);
  MakeBundle(bundle, {"sleep", "1000"}, user_->uid, user_->gid);
  bundle.config().linux_->resources.emplace().pids = spec::PidsResources{10};
  bundle.Save();
  CommandResult created = UserBerth({"create", "-b", bundle.dir(), "rl2"});
  EXPECT_NE(created.exit_code, 0);
  EXPECT_NE(created.err.find("cannot have linux.resources limits"), std::string::npos) << created.err;
  EXPECT_FALSE(PathExists(root_ + "/rl2"));
  EXPECT_FALSE(CgroupDirExists("rl2"));
  EXPECT_TRUE(ProcessesWithRootUnder(bundle.rootfs()).empty());
}

TEST_F(RootlessTest, AJoinRefusedAfterCreateIsRecordedSoExecWorks) {
  // The container's cgroup directories exist and are the user's, but their
  // cgroup.procs files are not (a half-delegated tree): create makes
  // nothing, the join is refused, and the container runs without a cgroup.
  // exec must then not try to join the paths either.
  const std::string id = "rlj" + std::to_string(getpid());
  std::vector<std::string> made;
  for (const char* h : {"blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "hugetlb", "memory",
                        "net_cls", "net_prio", "perf_event", "pids", "systemd", "unified"}) {
    std::string base = std::string("/sys/fs/cgroup/") + h;
    if (!PathExists(base + "/cgroup.procs")) continue;
    mkdir((base + "/berth").c_str(), 0755);
    std::string dir = base + "/berth/" + id;
    if (mkdir(dir.c_str(), 0755) != 0) continue;
    made.push_back(dir);
    if (std::string(h) == "cpuset") {
      WriteFile(dir + "/cpuset.cpus", ReadFileOrEmpty(base + "/cpuset.cpus"));
      WriteFile(dir + "/cpuset.mems", ReadFileOrEmpty(base + "/cpuset.mems"));
    }
    ASSERT_EQ(chown(dir.c_str(), user_->uid, user_->gid), 0);
  }
  ASSERT_FALSE(made.empty());
  Bundle bundle(user_->work);
  MakeBundle(bundle, {"sleep", "1000"}, user_->uid, user_->gid);
  CommandResult ran = UserBerth({"run", "-d", "-b", bundle.dir(), id});
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  CommandResult exec = UserBerth({"exec", id, "id", "-u"});
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_EQ(Trim(exec.out), "0");
  EXPECT_EQ(UserBerth({"delete", "--force", id}).exit_code, 0);
  EXPECT_FALSE(PathExists(root_ + "/" + id));
  for (const auto& dir : made) rmdir(dir.c_str());
}

TEST_F(RootlessTest, SeveralIdsMappedThroughNewuidmap) {
  if (access("/usr/bin/newuidmap", X_OK) != 0)
    GTEST_SKIP() << "uidmap (newuidmap/newgidmap) is not installed";
  std::string subuid = ReadFileOrEmpty("/etc/subuid"), subgid = ReadFileOrEmpty("/etc/subgid");
  auto start_of = [&](const std::string& table) -> uint32_t {
    size_t at = table.find(user_->name + ":");
    if (at == std::string::npos) return 0;
    return static_cast<uint32_t>(std::stoul(table.substr(at + user_->name.size() + 1)));
  };
  uint32_t first_uid = start_of(subuid), first_gid = start_of(subgid);
  if (first_uid == 0 || first_gid == 0) GTEST_SKIP() << "useradd made no /etc/subuid, /etc/subgid ranges";
  Bundle bundle(user_->work);
  MakeBundle(bundle, {"sleep", "1000"}, user_->uid, user_->gid);
  bundle.config().linux_->uidMappings.push_back(spec::IdMapping{1, first_uid, 1000});
  bundle.config().linux_->gidMappings.push_back(spec::IdMapping{1, first_gid, 1000});
  bundle.Save();
  CommandResult ran = UserBerth({"run", "-d", "-b", bundle.dir(), "rl3"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  CommandResult id = UserBerth({"exec", "--user", "500:500", "rl3", "id"});
  EXPECT_EQ(Trim(id.out), "uid=500 gid=500") << id.err;
  CommandResult gids = UserBerth({"exec", "rl3", "cat", "/proc/self/gid_map"});
  EXPECT_NE(gids.out.find(std::to_string(first_gid)), std::string::npos) << gids.out;
  EXPECT_EQ(UserBerth({"delete", "--force", "rl3"}).exit_code, 0);
  EXPECT_FALSE(PathExists(root_ + "/rl3"));
}

TEST_F(RootlessTest, RootOfAUserNamespaceIsRootlessByDefault) {
  // Rootless podman's call: euid 0 in the user's namespace. The host's
  // cgroups are not writable there; --rootless auto must carry on without.
  if (access("/usr/bin/unshare", X_OK) != 0) GTEST_SKIP() << "unshare is not installed";
  Bundle bundle(user_->work);
  MakeBundle(bundle, {"sleep", "1000"}, 0, 0);  // ids of the namespace berth runs in
  const std::string in_userns = "cd " + bundle.dir() + " && " + user_->berth + " --root " + root_;
  CommandResult ran = AsUser({"/usr/bin/unshare", "--user", "--map-root-user", "/bin/sh", "-c",
                              in_userns + " run -d rl4 && " + in_userns + " exec rl4 id -u && " + in_userns +
                                  " delete --force rl4"});
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(Trim(ran.out), "0");
  EXPECT_FALSE(PathExists(root_ + "/rl4"));
  // --rootless false there is the error the issue quotes.
  CommandResult strict = AsUser({"/usr/bin/unshare", "--user", "--map-root-user", "/bin/sh", "-c",
                                 in_userns + " --rootless false run -d rl5"});
  EXPECT_NE(strict.exit_code, 0);
  EXPECT_NE(strict.err.find("Permission denied"), std::string::npos) << strict.err;
  EXPECT_FALSE(PathExists(root_ + "/rl5"));
}

}  // namespace
}  // namespace berth::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new berth::testing::TestUser);
  return RUN_ALL_TESTS();
}
