// Sysctls written in real namespaces, through the private procfs handle.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/rootfs/root_test_util.h"
#include "runtime/rootfs/rootfs.h"
#include "runtime/rootfs/sysctl.h"

namespace berth::rootfs {
namespace {

using testing::ReadFile;

#define EXPECT_CHILD_OK(report)                          \
  do {                                                   \
    std::string child_report_ = (report);                \
    EXPECT_TRUE(child_report_.empty()) << child_report_; \
  } while (0)

class SysctlRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::RunningAsRoot()) GTEST_SKIP() << "needs root for namespaces";
    rootfs_ = dir_.path() + "/rootfs";
    Status made = testing::MakeBusyboxRootfs(rootfs_);
    ASSERT_TRUE(made.ok()) << made.error().ToString();
    config_.root = spec::Root{"rootfs", false};
    config_.linux_.emplace();
    config_.linux_->namespaces = {{spec::NamespaceType::mount, ""},
                                  {spec::NamespaceType::network, ""},
                                  {spec::NamespaceType::ipc, ""},
                                  {spec::NamespaceType::uts, ""}};
    spec::Mount proc;
    proc.destination = "/proc";
    proc.type = "proc";
    proc.source = "proc";
    config_.mounts = {proc};
    // The default hardening makes /proc/sys read-only before sysctls run.
    config_.linux_->readonlyPaths = {"/proc/sys"};
    options_.rootfs = rootfs_;
    options_.bundle = dir_.path();
    host_forward_ = ReadFile("/proc/sys/net/ipv4/ip_forward");
    host_shmmni_ = ReadFile("/proc/sys/kernel/shmmni");
    host_hostname_ = ReadFile("/proc/sys/kernel/hostname");
  }
  void TearDown() override {
    if (!testing::RunningAsRoot()) return;
    EXPECT_EQ(ReadFile("/proc/sys/net/ipv4/ip_forward"), host_forward_);
    EXPECT_EQ(ReadFile("/proc/sys/kernel/shmmni"), host_shmmni_);
    EXPECT_EQ(ReadFile("/proc/sys/kernel/hostname"), host_hostname_);
  }

  std::string Run(const std::function<std::string()>& body) {
    return testing::RunInChild(body, CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS);
  }

  testing::TempDir dir_;
  std::string rootfs_, host_forward_, host_shmmni_, host_hostname_;
  spec::Config config_;
  RootfsOptions options_;
};

TEST_F(SysctlRootTest, WritesNamespacedSysctlsDespiteReadOnlyProcSys) {
  const std::string forward = host_forward_ == "1\n" ? "0" : "1";
  config_.linux_->sysctl = {
      {"net.ipv4.ip_forward", forward}, {"kernel.shmmni", "1234"}, {"kernel.hostname", "from-sysctl"}};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    CHILD_OK(ApplySysctls(config_));
    CHILD_CHECK(ReadFile("/proc/sys/net/ipv4/ip_forward") == forward + "\n");
    CHILD_CHECK(ReadFile("/proc/sys/kernel/shmmni") == "1234\n");
    CHILD_CHECK(ReadFile("/proc/sys/kernel/hostname") == "from-sysctl\n");
    return "";
  }));
}

TEST_F(SysctlRootTest, AFileBoundOverTheTargetDoesNotRedirectTheWrite) {
  // CVE-2025-52881: something in the container's mount tree replaces the
  // sysctl file; the write must still reach the real sysctl.
  config_.linux_->readonlyPaths.clear();
  config_.linux_->sysctl = {{"kernel.shmmni", "2345"}};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    const std::string decoy_before = ReadFile("/proc/sys/kernel/msgmni");
    CHILD_CHECK(mount("/proc/sys/kernel/msgmni", "/proc/sys/kernel/shmmni", nullptr, MS_BIND, nullptr) == 0);
    CHILD_OK(ApplySysctls(config_));
    CHILD_CHECK(umount2("/proc/sys/kernel/shmmni", MNT_DETACH) == 0);
    CHILD_CHECK(ReadFile("/proc/sys/kernel/shmmni") == "2345\n");
    CHILD_CHECK(ReadFile("/proc/sys/kernel/msgmni") == decoy_before);
    return "";
  }));
}

TEST_F(SysctlRootTest, HostSysctlIsRefusedAndNothingWritten) {
  config_.linux_->sysctl = {{"kernel.shmmni", "3456"}, {"vm.swappiness", "1"}};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    const std::string before = ReadFile("/proc/sys/kernel/shmmni");
    Status s = ApplySysctls(config_);
    CHILD_CHECK(!s.ok());
    CHILD_CHECK(s.error().message().find("vm.swappiness") != std::string::npos);
    CHILD_CHECK(ReadFile("/proc/sys/kernel/shmmni") == before);
    return "";
  }));
}

TEST_F(SysctlRootTest, UnknownSysctlNamesTheKey) {
  config_.linux_->sysctl = {{"net.ipv4.no_such_knob", "1"}};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    Status s = ApplySysctls(config_);
    CHILD_CHECK(!s.ok());
    CHILD_CHECK(s.error().code() == ENOENT);
    CHILD_CHECK(s.error().message().find("net.ipv4.no_such_knob") != std::string::npos);
    return "";
  }));
}

// Rootless-style: the container has its own user namespace (and pid, net,
// ipc). The private procfs must still be allowed (not "too revealing") and
// the sysctls land in the container's namespaces.
TEST_F(SysctlRootTest, InsideAUserNamespace) {
  config_.linux_->namespaces = {{spec::NamespaceType::user, ""},
                                {spec::NamespaceType::mount, ""},
                                {spec::NamespaceType::pid, ""},
                                {spec::NamespaceType::network, ""},
                                {spec::NamespaceType::ipc, ""}};
  config_.linux_->maskedPaths = {"/proc/keys", "/proc/acpi"};
  spec::Mount dev;
  dev.destination = "/dev";
  dev.type = "tmpfs";
  dev.source = "tmpfs";
  dev.options = {"nosuid", "mode=755"};
  config_.mounts.push_back(dev);
  config_.linux_->sysctl = {{"net.ipv4.ip_forward", host_forward_ == "1\n" ? "0" : "1"},
                            {"kernel.shmmni", "4567"}};
  EXPECT_CHILD_OK(testing::RunInChild(
      [&]() -> std::string {
        CHILD_CHECK(unshare(CLONE_NEWUSER) == 0);
        testing::WriteFile("/proc/self/uid_map", "0 0 1");
        testing::WriteFile("/proc/self/setgroups", "deny");
        testing::WriteFile("/proc/self/gid_map", "0 0 1");
        CHILD_CHECK(unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC) == 0);
        CHILD_CHECK(mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) == 0);
        // The pid namespace takes effect for a child: it is the container init.
        int fds[2];
        CHILD_CHECK(pipe2(fds, O_CLOEXEC) == 0);
        pid_t pid = fork();
        if (pid == 0) {
          std::string r;
          Status s = PrepareRootfs(config_, options_);
          if (s) s = EnterRootfs(config_, options_);
          if (s) s = ApplySysctls(config_);
          if (!s)
            r = s.error().ToString();
          else if (ReadFile("/proc/sys/kernel/shmmni") != "4567\n")
            r = "shmmni not written";
          (void)!write(fds[1], r.data(), r.size());
          _exit(0);
        }
        close(fds[1]);
        char buf[512];
        ssize_t n = read(fds[0], buf, sizeof(buf));
        waitpid(pid, nullptr, 0);
        if (n > 0) return std::string(buf, static_cast<size_t>(n));
        return "";
      },
      0));
}

}  // namespace
}  // namespace berth::rootfs
