// berth --systemd-cgroup against a real systemd (tools/systemd/fixture):
// the transient scope, its properties, the cgroup files, update changing
// both, delete stopping the unit, and a failed create leaving no unit. The D-Bus client itself
// is unit-tested against a fake bus (runtime/cgroups/systemd_manager_test);
// this is what only a real systemd shows.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "runtime/tests/harness.h"
#include "runtime/tests/real_systemd.h"

namespace berth::testing {
namespace {

class SystemdRealTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RealSystemd::host_cannot()) GTEST_SKIP() << RealSystemd::unavailable();
    ASSERT_EQ(RealSystemd::unavailable(), "");
    if (!HaveBusybox()) GTEST_SKIP() << "busybox-static is not installed";
    root_ = RealSystemd::dir() + "/state-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  bool UnitLoaded(const std::string& unit) {
    CommandResult units =
        RealSystemd::Run({"systemctl", "list-units", "--all", "--no-legend", "--plain", unit});
    return units.out.find(unit) != std::string::npos;
  }

  static std::string CgroupFile(const std::string& controller, const std::string& unit,
                                const std::string& file) {
    return Trim(ReadFileOrEmpty("/sys/fs/cgroup/" + controller + "/system.slice/" + unit + "/" + file));
  }

  static bool AnyCgroupDir(const std::string& unit) {
    for (const char* c : {"memory", "cpu", "pids", "devices", "freezer", "cpuset", "systemd", "unified"})
      if (PathExists(std::string("/sys/fs/cgroup/") + c + "/system.slice/" + unit)) return true;
    return false;
  }

  std::string root_;
};

spec::Resources Limits() {
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 64 << 20;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 25000;
  r.cpu->period = 100000;
  r.cpu->cpus = "0";
  r.cpu->mems = "0";
  r.pids.emplace();
  r.pids->limit = 42;
  r.blockIO.emplace();
  r.blockIO->weight = 300;
  return r;
}

TEST_F(SystemdRealTest, ScopeCarriesTheLimitsAsPropertiesAndInCgroupFiles) {
  Bundle bundle(RealSystemd::dir());
  bundle.SetArgs({"sleep", "1000"});
  bundle.config().linux_->cgroupsPath = "system.slice:berth:real1";
  bundle.config().linux_->resources = Limits();
  bundle.Save();
  const std::string unit = "berth-real1.scope";

  CommandResult created = RealSystemd::Berth(root_, {"create", "-b", bundle.dir(), "real1"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_TRUE(UnitLoaded(unit));
  EXPECT_EQ(RealSystemd::Show(unit, "ActiveState"), "active");
  EXPECT_EQ(RealSystemd::Show(unit, "ControlGroup"), "/system.slice/" + unit);
  EXPECT_EQ(RealSystemd::Show(unit, "Delegate"), "yes");
  // The v1 (hybrid) property set, as runc sends it.
  EXPECT_EQ(RealSystemd::Show(unit, "MemoryLimit"), std::to_string(64 << 20));
  EXPECT_EQ(RealSystemd::Show(unit, "CPUShares"), "512");
  EXPECT_EQ(RealSystemd::Show(unit, "CPUQuotaPerSecUSec"), "250ms");
  EXPECT_EQ(RealSystemd::Show(unit, "CPUQuotaPeriodUSec"), "100ms");
  EXPECT_EQ(RealSystemd::Show(unit, "TasksMax"), "42");
  EXPECT_EQ(RealSystemd::Show(unit, "BlockIOWeight"), "300");
  EXPECT_EQ(RealSystemd::Show(unit, "AllowedCPUs"), "0");
  EXPECT_EQ(RealSystemd::Show(unit, "AllowedMemoryNodes"), "0");
  // And the cgroup files, in the host's hierarchies.
  EXPECT_EQ(CgroupFile("memory", unit, "memory.limit_in_bytes"), std::to_string(64 << 20));
  EXPECT_EQ(CgroupFile("cpu", unit, "cpu.shares"), "512");
  EXPECT_EQ(CgroupFile("cpu", unit, "cpu.cfs_quota_us"), "25000");
  EXPECT_EQ(CgroupFile("pids", unit, "pids.max"), "42");
  EXPECT_EQ(CgroupFile("cpuset", unit, "cpuset.cpus"), "0");
  // A controller systemd does not manage for the unit (devices, freezer):
  // the init is in the container's cgroup there too.
  CommandResult state = RealSystemd::Berth(root_, {"state", "real1"});
  ASSERT_EQ(state.exit_code, 0) << state.err;
  for (const char* c : {"devices", "freezer", "memory", "pids", "systemd"})
    EXPECT_NE(CgroupFile(c, unit, "cgroup.procs"), "") << c;

  CommandResult started = RealSystemd::Berth(root_, {"start", "real1"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  CommandResult exec = RealSystemd::Berth(root_, {"exec", "real1", "cat", "/proc/self/cgroup"});
  ASSERT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_NE(exec.out.find(":memory:/system.slice/" + unit + "\n"), std::string::npos) << exec.out;
  EXPECT_NE(exec.out.find(":devices:/system.slice/" + unit + "\n"), std::string::npos) << exec.out;
  EXPECT_NE(exec.out.find(":name=systemd:/system.slice/" + unit + "\n"), std::string::npos) << exec.out;

  ASSERT_EQ(RealSystemd::Berth(root_, {"kill", "real1", "KILL"}).exit_code, 0);
  CommandResult deleted = RealSystemd::Berth(root_, {"delete", "--force", "real1"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_FALSE(UnitLoaded(unit));
  EXPECT_FALSE(AnyCgroupDir(unit));
  EXPECT_FALSE(PathExists(root_ + "/real1"));
}

// update changes both the unit's properties and the cgroup files, so that
// systemd re-applying the unit's settings (daemon-reload) keeps the new
// limits instead of putting create's back.
TEST_F(SystemdRealTest, UpdateChangesTheUnitsPropertiesAndItsCgroupFiles) {
  Bundle bundle(RealSystemd::dir());
  bundle.SetArgs({"sleep", "1000"});
  bundle.config().linux_->cgroupsPath = "system.slice:berth:real4";
  spec::Resources limits;
  limits.memory.emplace().limit = 64 << 20;
  limits.pids.emplace().limit = 42;
  bundle.config().linux_->resources = limits;
  bundle.Save();
  const std::string unit = "berth-real4.scope";
  CommandResult created = RealSystemd::Berth(root_, {"create", "-b", bundle.dir(), "real4"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(RealSystemd::Show(unit, "MemoryLimit"), std::to_string(64 << 20));
  ASSERT_EQ(RealSystemd::Show(unit, "TasksMax"), "42");

  CommandResult updated = RealSystemd::Berth(
      root_, {"update", "--memory", std::to_string(128 << 20), "--pids-limit", "100", "real4"});
  EXPECT_EQ(updated.exit_code, 0) << updated.err;
  CommandResult shown = RealSystemd::Run({"systemctl", "show", "-p", "MemoryLimit,TasksMax", unit});
  EXPECT_NE(shown.out.find("MemoryLimit=" + std::to_string(128 << 20) + "\n"), std::string::npos)
      << shown.out;
  EXPECT_NE(shown.out.find("TasksMax=100\n"), std::string::npos) << shown.out;
  EXPECT_EQ(CgroupFile("memory", unit, "memory.limit_in_bytes"), std::to_string(128 << 20));
  EXPECT_EQ(CgroupFile("pids", unit, "pids.max"), "100");

  CommandResult reloaded = RealSystemd::Run({"systemctl", "daemon-reload"});
  ASSERT_EQ(reloaded.exit_code, 0) << reloaded.err;
  EXPECT_EQ(RealSystemd::Show(unit, "MemoryLimit"), std::to_string(128 << 20));
  EXPECT_EQ(RealSystemd::Show(unit, "TasksMax"), "100");
  EXPECT_EQ(CgroupFile("memory", unit, "memory.limit_in_bytes"), std::to_string(128 << 20));
  EXPECT_EQ(CgroupFile("pids", unit, "pids.max"), "100");

  CommandResult deleted = RealSystemd::Berth(root_, {"delete", "--force", "real4"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_FALSE(UnitLoaded(unit));
  EXPECT_FALSE(AnyCgroupDir(unit));
}

TEST_F(SystemdRealTest, FailedCreateLeavesNoUnitBehind) {
  // systemd takes AllowedCPUs=4000 (a bitmask); the cgroupfs write of
  // cpuset.cpus then fails, after the unit was started.
  Bundle bundle(RealSystemd::dir());
  bundle.SetArgs({"sleep", "1000"});
  bundle.config().linux_->cgroupsPath = "system.slice:berth:real2";
  spec::Resources limits;
  limits.cpu.emplace();
  limits.cpu->cpus = "4000";
  bundle.config().linux_->resources = limits;
  bundle.Save();

  CommandResult created = RealSystemd::Berth(root_, {"create", "-b", bundle.dir(), "real2"});
  EXPECT_NE(created.exit_code, 0);
  EXPECT_NE(created.err.find("cpuset.cpus"), std::string::npos) << created.err;
  EXPECT_FALSE(UnitLoaded("berth-real2.scope"));
  EXPECT_FALSE(AnyCgroupDir("berth-real2.scope"));
  EXPECT_FALSE(PathExists(root_ + "/real2"));
}

TEST_F(SystemdRealTest, UnitOfTheSameNameAlreadyRunningIsRefusedAndLeftAlone) {
  // A scope systemd-run made (someone else's) under the name berth would use.
  CommandResult other =
      RealSystemd::Run({"systemd-run", "--scope", "--unit=berth-real3.scope", "--slice=system.slice",
                        "--no-block", "/bin/sh", "-c", "exec sleep 1000 >/dev/null 2>&1 &"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  // The scope holds the background sleep; it stays active with it.
  ASSERT_TRUE(UnitLoaded("berth-real3.scope"));
  Bundle bundle(RealSystemd::dir());
  bundle.SetArgs({"sleep", "1000"});
  bundle.config().linux_->cgroupsPath = "system.slice:berth:real3";
  bundle.Save();

  CommandResult created = RealSystemd::Berth(root_, {"create", "-b", bundle.dir(), "real3"});
  EXPECT_NE(created.exit_code, 0);
  EXPECT_TRUE(UnitLoaded("berth-real3.scope"));
  EXPECT_EQ(RealSystemd::Show("berth-real3.scope", "ActiveState"), "active");
  RealSystemd::Run({"systemctl", "stop", "berth-real3.scope"});
}

}  // namespace
}  // namespace berth::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  berth::testing::AddRealSystemdEnvironment();
  return RUN_ALL_TESTS();
}
