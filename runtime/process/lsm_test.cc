#include "runtime/process/lsm.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>

#include "runtime/process/testing/fork_child.h"

namespace berth::process {
namespace {

namespace fs = std::filesystem;

// A fake /sys + /proc/thread-self/attr tree in a temporary directory.
class FakeLsmTree : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-lsm-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ / "attr/apparmor");
    fs::create_directories(root_ / "selinux");
    paths_.apparmor_enabled = root_ / "apparmor_enabled";
    paths_.apparmor_exec = root_ / "attr/apparmor/exec";
    paths_.attr_exec = root_ / "attr/exec";
    paths_.selinux_enforce = root_ / "selinux/enforce";
    paths_.verify_filesystems = false;
    Write(paths_.attr_exec, "");
  }
  void TearDown() override { fs::remove_all(root_); }

  static void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path root_;
  LsmPaths paths_;
};

TEST_F(FakeLsmTree, NothingRequestedWritesNothing) {
  EXPECT_TRUE(ApplyLsmLabels(spec::Process{}, paths_).ok());
  EXPECT_EQ(Read(paths_.attr_exec), "");
}

TEST_F(FakeLsmTree, AppArmorProfileGoesToTheAppArmorExecAttribute) {
  Write(paths_.apparmor_enabled, "Y\n");
  Write(paths_.apparmor_exec, "");
  spec::Process p;
  p.apparmorProfile = "berth-default";
  ASSERT_TRUE(AppArmorEnabled(paths_));
  Status s = ApplyLsmLabels(p, paths_);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(Read(paths_.apparmor_exec), "exec berth-default");
  EXPECT_EQ(Read(paths_.attr_exec), "");
}

TEST_F(FakeLsmTree, AppArmorFallsBackToTheSharedExecAttribute) {
  Write(paths_.apparmor_enabled, "Y\n");
  spec::Process p;
  p.apparmorProfile = "old-kernel";
  ASSERT_TRUE(ApplyLsmLabels(p, paths_).ok());
  EXPECT_EQ(Read(paths_.attr_exec), "exec old-kernel");
}

TEST_F(FakeLsmTree, AppArmorRequestedButDisabledIsAClearError) {
  Write(paths_.apparmor_enabled, "N\n");
  spec::Process p;
  p.apparmorProfile = "x";
  Status s = ApplyLsmLabels(p, paths_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "apparmor profile x requested but AppArmor is not enabled");
  fs::remove(paths_.apparmor_enabled);  // module absent altogether
  s = ApplyLsmLabels(p, paths_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EOPNOTSUPP);
  EXPECT_EQ(Read(paths_.attr_exec), "");
}

TEST_F(FakeLsmTree, SelinuxLabelGoesToExecAttribute) {
  Write(paths_.selinux_enforce, "0");  // permissive still counts as enabled
  spec::Process p;
  p.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2";
  ASSERT_TRUE(SelinuxEnabled(paths_));
  ASSERT_TRUE(ApplyLsmLabels(p, paths_).ok());
  EXPECT_EQ(Read(paths_.attr_exec), "system_u:system_r:container_t:s0:c1,c2");
}

TEST_F(FakeLsmTree, SelinuxRequestedButAbsentIsAClearError) {
  spec::Process p;
  p.selinuxLabel = "system_u:system_r:container_t:s0";
  Status s = ApplyLsmLabels(p, paths_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(),
            "selinux label system_u:system_r:container_t:s0 requested but SELinux is not enabled");
}

TEST_F(FakeLsmTree, FilesNotOnProcfsOrSelinuxfsAreRefused) {
  // The same fake tree with filesystem checks on, as a planted /proc would be.
  Write(paths_.apparmor_enabled, "Y\n");
  Write(paths_.selinux_enforce, "1");
  paths_.verify_filesystems = true;
  EXPECT_FALSE(AppArmorEnabled(paths_));  // not sysfs
  EXPECT_FALSE(SelinuxEnabled(paths_));   // not selinuxfs
}

// A real sysfs file that reads "Y", standing in for AppArmor's "enabled".
std::string SysfsFileReadingY() {
  std::error_code ec;
  for (const auto& module : fs::directory_iterator("/sys/module", ec)) {
    std::error_code ec2;
    for (const auto& param : fs::directory_iterator(module.path() / "parameters", ec2)) {
      std::ifstream in(param.path());
      std::string v;
      if (in >> v && v == "Y") return param.path();
    }
  }
  return "";
}

TEST_F(FakeLsmTree, ExecAttributeNotOnProcfsIsRefused) {
  std::string yes = SysfsFileReadingY();
  if (yes.empty()) GTEST_SKIP() << "no sysfs module parameter reads Y on this host";
  LsmPaths checked = paths_;
  checked.verify_filesystems = true;
  checked.apparmor_enabled = yes;    // a real sysfs file: passes the sysfs check
  Write(checked.apparmor_exec, "");  // a planted file on tmpfs/ext4, not procfs
  spec::Process p;
  p.apparmorProfile = "x";
  Status s = ApplyLsmLabels(p, checked);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("is not on procfs"), std::string::npos) << s.error().message();
  EXPECT_EQ(Read(checked.apparmor_exec), "");
}

// In a forked child with its own mount namespace: apply an AppArmor profile
// through the real /proc/thread-self/attr/exec, optionally with a harmless
// proc file bound over it first. Returns the error text or "ok".
std::string ApplyThroughRealProc(bool overmount) {
  std::string yes = SysfsFileReadingY();
  auto outcome = berth::testing::RunInChild([&] {
    if (unshare(CLONE_NEWNS) != 0) return std::string("unshare");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return std::string("private");
    if (overmount &&
        mount("/proc/self/attr/sockcreate", "/proc/thread-self/attr/exec", nullptr, MS_BIND, nullptr) != 0)
      return std::string("bind");
    LsmPaths paths;
    paths.apparmor_enabled = yes;                // pretend AppArmor is on
    paths.apparmor_exec = "/nonexistent/berth";  // use the shared attr/exec
    spec::Process p;
    p.apparmorProfile = "berth-test";
    Status s = ApplyLsmLabels(p, paths);
    return s ? std::string("ok") : s.error().ToString();
  });
  return outcome.output;
}

TEST(LsmOnThisHost, OvermountedExecAttributeIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a mount namespace";
  if (SysfsFileReadingY().empty()) GTEST_SKIP() << "no sysfs module parameter reads Y";
  std::string got = ApplyThroughRealProc(true);
  EXPECT_NE(got.find("/proc/thread-self/attr/exec is overmounted"), std::string::npos) << got;
  // Without the bind the checks pass and the kernel itself answers (no
  // AppArmor here, so it rejects the value; with AppArmor it would be "ok").
  got = ApplyThroughRealProc(false);
  EXPECT_TRUE(got == "ok" ||
              got.find("set apparmor profile berth-test: write /proc/thread-self/attr/exec") == 0)
      << got;
}

TEST(LsmOnThisHost, RealPaths) {
  if (!AppArmorEnabled() && !SelinuxEnabled())
    GTEST_SKIP() << "this host has neither AppArmor nor SELinux (selinuxfs not mounted)";
  // With an LSM present, an empty request must still be a no-op.
  EXPECT_TRUE(ApplyLsmLabels(spec::Process{}).ok());
}

TEST(LsmOnThisHost, RequestWithoutAppArmorFails) {
  if (AppArmorEnabled()) GTEST_SKIP() << "AppArmor is enabled here";
  spec::Process p;
  p.apparmorProfile = "docker-default";
  Status s = ApplyLsmLabels(p);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "apparmor profile docker-default requested but AppArmor is not enabled");
}

}  // namespace
}  // namespace berth::process
