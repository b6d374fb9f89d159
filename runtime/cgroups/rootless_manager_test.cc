#include "runtime/cgroups/rootless_manager.h"

#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace berth::cgroups {
namespace {

using ::testing::HasSubstr;

// A manager whose every operation fails with one errno.
class FailingManager : public Manager {
 public:
  explicit FailingManager(int code) : code_(code) {}
  Status Create() override { return Fail("mkdir /sys/fs/cgroup/x"); }
  Status AddProcess(pid_t) override { return Fail("write cgroup.procs"); }
  Status ApplyResources(const spec::Resources&) override { return Fail("write devices.deny"); }
  Status Update(const spec::Resources&) override { return Fail("write memory.max"); }
  Result<Stats> GetStats() override { return Fail("read memory.stat"); }
  Result<std::unique_ptr<OomWatcher>> WatchOom() override { return Fail("open memory.events"); }
  Status Freeze() override { return Fail("freeze"); }
  Status Thaw() override { return Fail("thaw"); }
  Result<bool> IsFrozen() override { return Fail("frozen"); }
  Result<std::vector<pid_t>> Pids() override { return Fail("pids"); }
  Status KillAll(int) override { return Fail("kill"); }
  Status Destroy() override { return Fail("rmdir"); }
  std::string Serialize() const override { return "v2-root /x\nv2 /y\n"; }
  std::string Path() const override { return "/y"; }

 private:
  Error Fail(const std::string& what) { return Error(code_, what); }
  int code_;
};

TEST(RootlessManager, PermissionDeniedWithoutLimitsRunsWithoutACgroup) {
  RootlessManager m(std::make_unique<FailingManager>(EACCES));
  ASSERT_TRUE(m.Create().ok());
  EXPECT_TRUE(m.without_cgroup());
  EXPECT_TRUE(m.AddProcess(5).ok());
  spec::Resources only_devices;
  only_devices.devices.emplace_back();
  EXPECT_TRUE(m.ApplyResources(only_devices).ok());
  spec::Resources limits;
  limits.pids = spec::PidsResources{10};
  Status s = m.ApplyResources(limits);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("cannot have linux.resources limits"));
  EXPECT_THAT(s.error().message(), HasSubstr("mkdir /sys/fs/cgroup/x"));
}

TEST(RootlessManager, WithoutACgroupTheStateLoadsAsNoCgroupForExecKillAndDelete) {
  // exec, kill and delete rebuild the manager from the state file: it must
  // not name cgroup paths that were never made (exec failed with "open
  // .../cgroup.procs: No such file or directory").
  RootlessManager m(std::make_unique<FailingManager>(EACCES));
  ASSERT_TRUE(m.Create().ok());
  auto loaded = LoadManager(m.Serialize());
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  Manager& later = **loaded;
  EXPECT_TRUE(later.AddProcess(5).ok());
  EXPECT_TRUE(later.KillAll(SIGKILL).ok());
  EXPECT_TRUE(later.Destroy().ok());
  EXPECT_TRUE(later.Pids()->empty());
  EXPECT_EQ(later.Path(), "");
  Status frozen = later.Freeze();
  ASSERT_FALSE(frozen.ok());
  EXPECT_THAT(frozen.error().message(), HasSubstr("without a cgroup"));
  EXPECT_EQ(LoadManager(later.Serialize()).value()->Serialize(), later.Serialize());
  // Limits cannot be applied there either (update).
  spec::Resources limits;
  limits.pids = spec::PidsResources{10};
  EXPECT_FALSE(later.ApplyResources(limits).ok());
  EXPECT_TRUE(later.ApplyResources(spec::Resources()).ok());
}

// Create fails part-way (EACCES in the second hierarchy), having made the first.
class PartlyCreatingManager : public FailingManager {
 public:
  PartlyCreatingManager() : FailingManager(EACCES) {}
  Status Destroy() override {
    destroyed = true;
    return Ok();
  }
  bool destroyed = false;
};

TEST(RootlessManager, APartialCreateIsUndoneBeforeRunningWithoutACgroup) {
  auto inner = std::make_unique<PartlyCreatingManager>();
  PartlyCreatingManager* seen = inner.get();
  RootlessManager m(std::move(inner));
  ASSERT_TRUE(m.Create().ok());
  EXPECT_TRUE(seen->destroyed);
}

TEST(RootlessManager, OtherErrorsAreNotHidden) {
  RootlessManager m(std::make_unique<FailingManager>(ENOSPC));
  EXPECT_FALSE(m.Create().ok());
  EXPECT_FALSE(m.without_cgroup());
}

TEST(RootlessManager, RequestsLimits) {
  spec::Resources r;
  EXPECT_FALSE(RequestsLimits(r));
  r.devices.emplace_back();
  EXPECT_FALSE(RequestsLimits(r));
  r.memory.emplace();
  EXPECT_TRUE(RequestsLimits(r));
}

TEST(RootlessManager, UpdateWithoutACgroupIsRefusedWithTheReason) {
  RootlessManager m(std::make_unique<FailingManager>(EACCES));
  ASSERT_TRUE(m.Create().ok());
  ASSERT_TRUE(m.without_cgroup());
  spec::Resources r;
  r.pids.emplace().limit = 5;
  Status s = m.Update(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().ToString(), HasSubstr("without a cgroup cannot have its resources updated"));
  EXPECT_THAT(s.error().ToString(), HasSubstr("mkdir /sys/fs/cgroup/x"));
}

}  // namespace
}  // namespace berth::cgroups
