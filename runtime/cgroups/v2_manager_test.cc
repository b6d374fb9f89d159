// V2Manager against a temporary directory laid out like a cgroup2 root:
// controller delegation, every resource field, unified, the device program.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/cgroups/layout.h"
#include "runtime/cgroups/testing/fake_tree.h"
#include "runtime/cgroups/v2_manager.h"

namespace berth::cgroups {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadFile;

const std::vector<std::string> kAll = {"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma"};

class V2ManagerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Manager> Created(const std::vector<std::string>& controllers = kAll,
                                   const std::string& path = "/berth/c1") {
    testing::MakeV2Tree(tmp_.path(), controllers);
    fs_ = std::make_shared<testing::RecordingCgroupFs>(tmp_.path());
    Host host;
    host.layout = Layout::kV2;
    host.v2 = fs_;
    CgroupSpec spec;
    spec.container_id = "c1";
    spec.cgroups_path = path;
    auto m = NewManagerOn(host, spec, "");
    EXPECT_TRUE(m.ok()) << m.error().ToString();
    Status s = (*m)->Create();
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    fs_->writes.clear();
    return std::move(m).value();
  }
  std::string File(const std::string& file) { return ReadFile(tmp_.path() + "/berth/c1/" + file); }
  void Apply(Manager& m, const spec::Resources& r) {
    Status s = m.ApplyResources(r);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
  }

  testing::TempDir tmp_;
  std::shared_ptr<testing::RecordingCgroupFs> fs_;
};

TEST_F(V2ManagerTest, CreateMakesOneDirectory) {
  auto m = Created();
  EXPECT_TRUE(testing::Exists(tmp_.path() + "/berth/c1/cgroup.procs"));
  EXPECT_EQ(m->Serialize(), "v2-root " + tmp_.path() + "\nv2 /berth/c1\n");
  ASSERT_TRUE(m->AddProcess(77).ok());
  EXPECT_EQ(File("cgroup.procs"), "77");
}

TEST_F(V2ManagerTest, CreateRefusesACgroupThatAlreadyHoldsProcesses) {
  auto first = Created();
  testing::WriteFile(tmp_.path() + "/berth/c1/cgroup.procs", "123\n456\n");
  Host host;
  host.layout = Layout::kV2;
  host.v2 = fs_;
  CgroupSpec spec;
  spec.container_id = "c1";
  spec.cgroups_path = "/berth/c1";
  auto m = NewManagerOn(host, spec, "");
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  Status s = (*m)->Create();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EBUSY);
  EXPECT_THAT(s.error().ToString(),
              HasSubstr("cgroup " + tmp_.path() + "/berth/c1 already contains processes"));
  EXPECT_TRUE((*m)->Destroy().ok());
  EXPECT_EQ(File("cgroup.procs"), "123\n456\n");
}

TEST_F(V2ManagerTest, NeededControllersAreEnabledInEveryAncestor) {
  auto m = Created();
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 1 << 20;
  r.pids = spec::PidsResources{10};
  Apply(*m, r);
  EXPECT_THAT(fs_->WritesTo("/", "cgroup.subtree_control"), ElementsAre("+memory +pids"));
  EXPECT_THAT(fs_->WritesTo("/berth", "cgroup.subtree_control"), ElementsAre("+memory +pids"));
  // Never in the container's own cgroup: it would then refuse processes.
  EXPECT_TRUE(fs_->WritesTo("/berth/c1", "cgroup.subtree_control").empty());
  // Already delegated controllers are not asked for again.
  fs_->writes.clear();
  testing::WriteFile(tmp_.path() + "/cgroup.subtree_control", "memory pids\n");
  testing::WriteFile(tmp_.path() + "/berth/cgroup.subtree_control", "memory\n");
  Apply(*m, r);
  EXPECT_TRUE(fs_->WritesTo("/", "cgroup.subtree_control").empty());
  EXPECT_THAT(fs_->WritesTo("/berth", "cgroup.subtree_control"), ElementsAre("+pids"));
}

TEST_F(V2ManagerTest, MemoryFields) {
  auto m = Created();
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 100 << 20;
  r.memory->reservation = 50 << 20;
  r.memory->swap = 300 << 20;
  Apply(*m, r);
  EXPECT_EQ(File("memory.max"), "104857600");
  EXPECT_EQ(File("memory.low"), "52428800");
  // v1's swap is memory+swap; v2's swap.max is swap alone.
  EXPECT_EQ(File("memory.swap.max"), "209715200");
}

TEST_F(V2ManagerTest, UnlimitedMemoryAndSwapAreMax) {
  auto m = Created();
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = -1;
  r.memory->swap = -1;
  Apply(*m, r);
  EXPECT_EQ(File("memory.max"), "max");
  EXPECT_EQ(File("memory.swap.max"), "max");
}

TEST_F(V2ManagerTest, SwapErrors) {
  auto m = Created();
  spec::Resources r;
  r.memory.emplace();
  r.memory->swap = 100;  // no memory limit
  Status s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("needs a memory limit"));
  r.memory->limit = 200;  // swap (memory+swap) below the limit
  s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("below the memory limit"));
}

TEST_F(V2ManagerTest, CheckBeforeUpdateRefusesALimitBelowUsage) {
  auto m = Created();
  testing::WriteFile(tmp_.path() + "/berth/c1/memory.current", "5000\n");
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 4000;
  r.memory->checkBeforeUpdate = true;
  Status s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("rejecting memory limit 4000 <= usage 5000"));
  EXPECT_EQ(File("memory.max"), "");
  r.memory->limit = 6000;
  Apply(*m, r);
  EXPECT_EQ(File("memory.max"), "6000");
}

TEST_F(V2ManagerTest, CpuFields) {
  auto m = Created();
  spec::Resources r;
  r.cpu.emplace();
  r.cpu->shares = 1024;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->burst = 2000;
  r.cpu->idle = 1;
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  Apply(*m, r);
  EXPECT_EQ(File("cpu.weight"), "39");  // 1 + (1024 - 2) * 9999 / 262142
  EXPECT_EQ(File("cpu.max"), "50000 100000");
  EXPECT_EQ(File("cpu.max.burst"), "2000");
  EXPECT_EQ(File("cpu.idle"), "1");
  EXPECT_EQ(File("cpuset.cpus"), "0-1");
  EXPECT_EQ(File("cpuset.mems"), "0");
  EXPECT_THAT(fs_->WritesTo("/", "cgroup.subtree_control"), ElementsAre("+cpu +cpuset"));
}

TEST_F(V2ManagerTest, CpuMaxUnlimitedQuotaAndPeriodAlone) {
  auto m = Created();
  spec::Resources r;
  r.cpu.emplace();
  r.cpu->quota = -1;
  r.cpu->period = 250000;
  Apply(*m, r);
  EXPECT_EQ(File("cpu.max"), "max 250000");
  // A period alone keeps the quota in force.
  testing::WriteFile(tmp_.path() + "/berth/c1/cpu.max", "30000 250000\n");
  r.cpu->quota.reset();
  r.cpu->period = 100000;
  Apply(*m, r);
  EXPECT_EQ(File("cpu.max"), "30000 100000");
}

TEST_F(V2ManagerTest, RealtimeIsAnErrorOnV2) {
  auto m = Created();
  spec::Resources r;
  r.cpu.emplace();
  r.cpu->realtimeRuntime = 1000;
  Status s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("not supported by cgroup v2"));
}

TEST_F(V2ManagerTest, IoFields) {
  auto m = Created();
  spec::Resources r;
  r.blockIO.emplace();
  r.blockIO->weight = 500;
  spec::WeightDevice wd;
  wd.major = 8;
  wd.minor = 0;
  wd.weight = 1000;
  r.blockIO->weightDevice = {wd};
  r.blockIO->throttleReadBpsDevice = {{8, 0, 1000}};
  r.blockIO->throttleWriteBpsDevice = {{8, 0, 2000}};
  r.blockIO->throttleReadIOPSDevice = {{8, 16, 30}};
  r.blockIO->throttleWriteIOPSDevice = {{8, 16, 40}};
  Apply(*m, r);
  // blkio 10..1000 -> io 1..10000.
  EXPECT_THAT(fs_->WritesTo("/berth/c1", "io.weight"), ElementsAre("default 4950", "8:0 10000"));
  EXPECT_THAT(fs_->WritesTo("/berth/c1", "io.max"),
              ElementsAre("8:0 rbps=1000", "8:0 wbps=2000", "8:16 riops=30", "8:16 wiops=40"));
}

// Zero weights and cpu values are "unset" (WithoutUnsetZeros), as on v1.
TEST_F(V2ManagerTest, ZeroWeightsAndCpuValuesAreNotWritten) {
  auto m = Created();
  spec::Resources r;
  r.blockIO.emplace();
  r.blockIO->weight = 0;
  spec::WeightDevice wd;
  wd.major = 8;
  wd.weight = 0;
  r.blockIO->weightDevice = {wd};
  r.cpu.emplace();
  r.cpu->shares = 0;
  r.cpu->quota = 0;
  r.cpu->period = 0;
  Apply(*m, r);
  EXPECT_TRUE(fs_->WritesTo("/berth/c1", "io.weight").empty());
  EXPECT_TRUE(fs_->WritesTo("/berth/c1", "cpu.weight").empty());
  EXPECT_TRUE(fs_->WritesTo("/berth/c1", "cpu.max").empty());
}

TEST_F(V2ManagerTest, IoWeightUsesBfqWhenPresent) {
  testing::WriteFile(tmp_.path() + "/io.bfq.weight", "");
  auto m = Created();
  spec::Resources r;
  r.blockIO.emplace();
  r.blockIO->weight = 500;
  Apply(*m, r);
  EXPECT_EQ(File("io.bfq.weight"), "500");
  EXPECT_EQ(File("io.weight"), "");
}

TEST_F(V2ManagerTest, HugetlbPidsRdma) {
  auto m = Created();
  spec::Resources r;
  r.hugepageLimits = {{"2MB", 1 << 22}};
  r.pids = spec::PidsResources{-1};
  r.rdma["mlx4_0"] = spec::RdmaLimit{std::nullopt, 1000};
  Apply(*m, r);
  EXPECT_EQ(File("hugetlb.2MB.max"), "4194304");
  EXPECT_EQ(File("hugetlb.2MB.rsvd.max"), "4194304");
  EXPECT_EQ(File("pids.max"), "max");
  EXPECT_EQ(File("rdma.max"), "mlx4_0 hca_object=1000");
}

TEST_F(V2ManagerTest, AbsentControllerIsNamedInTheError) {
  auto m = Created({"cpu", "pids"});
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 1 << 20;
  Status s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "cgroup v2 memory controller not available");
  r = spec::Resources();
  r.hugepageLimits = {{"2MB", 1}};
  s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "cgroup v2 hugetlb controller not available");
}

TEST_F(V2ManagerTest, NetworkHasNoV2Controller) {
  auto m = Created();
  spec::Resources r;
  r.network.emplace();
  r.network->classID = 1;
  Status s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("net_cls/net_prio"));
}

TEST_F(V2ManagerTest, UnifiedIsWrittenVerbatimAfterEnablingItsController) {
  auto m = Created();
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 1000;
  r.unified["memory.high"] = "500";
  r.unified["memory.max"] = "2000";  // overrides the typed field
  r.unified["cgroup.type"] = "threaded";
  Apply(*m, r);
  EXPECT_EQ(File("memory.high"), "500");
  EXPECT_EQ(File("memory.max"), "2000");
  EXPECT_EQ(File("cgroup.type"), "threaded");
  EXPECT_THAT(fs_->WritesTo("/", "cgroup.subtree_control"), ElementsAre("+memory"));
}

TEST_F(V2ManagerTest, UnifiedKeysAreChecked) {
  auto m = Created({"cpu", "memory"});
  for (const char* bad : {"../memory.max", "memory/max", "..", "."}) {
    spec::Resources r;
    r.unified[bad] = "1";
    Status s = m->ApplyResources(r);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_THAT(s.error().message(), HasSubstr("is not a cgroup file name")) << bad;
  }
  spec::Resources r;
  r.unified["memory.nonexistent"] = "1";
  Status s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("\"memory.nonexistent\" is not a file of cgroup"));
  r.unified.clear();
  r.unified["pids.max"] = "5";  // pids not offered by this host
  s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "cgroup v2 pids controller not available");
}

TEST_F(V2ManagerTest, DeviceFilterIsAttachedToTheContainerCgroup) {
  auto m = Created();
  spec::Resources r;
  spec::DeviceCgroupRule sda;
  sda.allow = true;
  sda.type = "b";
  sda.major = 8;
  sda.minor = 0;
  sda.access = "r";
  r.devices = {sda};
  Apply(*m, r);
  ASSERT_EQ(fs_->attached["/berth/c1"].size(), 1u);
  const auto& prog = fs_->attached["/berth/c1"][0];
  EXPECT_EQ(testing::RunDeviceProgram(prog, 'b', 8, 0, 'r'), 1);
  EXPECT_EQ(testing::RunDeviceProgram(prog, 'b', 8, 0, 'w'), 0);
  EXPECT_EQ(testing::RunDeviceProgram(prog, 'c', 1, 3, 'w'), 1);   // implicit /dev/null
  EXPECT_EQ(testing::RunDeviceProgram(prog, 'c', 4, 1, 'r'), 0);   // a tty not listed
  EXPECT_EQ(testing::RunDeviceProgram(prog, 'b', 8, 16, 'm'), 1);  // mknod of any block device
}

TEST_F(V2ManagerTest, FreezeThawAndKill) {
  auto m = Created();
  ASSERT_TRUE(m->Freeze().ok());
  EXPECT_EQ(File("cgroup.freeze"), "1");
  testing::WriteFile(tmp_.path() + "/berth/c1/cgroup.events", "populated 1\nfrozen 1\n");
  EXPECT_TRUE(*m->IsFrozen());
  testing::WriteFile(tmp_.path() + "/berth/c1/cgroup.events", "populated 1\nfrozen 0\n");
  ASSERT_TRUE(m->Thaw().ok());
  EXPECT_EQ(File("cgroup.freeze"), "0");
  EXPECT_FALSE(*m->IsFrozen());
  ASSERT_TRUE(m->KillAll(SIGKILL).ok());
  EXPECT_EQ(File("cgroup.kill"), "1");
}

TEST_F(V2ManagerTest, RelativePathUsesTheV2LineOfProcSelfCgroup) {
  testing::MakeV2Tree(tmp_.path(), kAll);
  Host host;
  host.layout = Layout::kV2;
  host.v2 = std::make_shared<testing::DirectoryCgroupFs>(tmp_.path());
  CgroupSpec spec;
  spec.container_id = "c1";
  spec.cgroups_path = "sub/c1";
  auto m = NewManagerOn(host, spec, "0::/user.slice/session-1.scope\n");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->Path(), "/user.slice/session-1.scope/sub/c1");
}

TEST_F(V2ManagerTest, DestroyRemovesTheDirectory) {
  auto m = Created();
  ASSERT_TRUE(m->Destroy().ok());
  EXPECT_FALSE(testing::Exists(tmp_.path() + "/berth/c1"));
  EXPECT_TRUE(m->Destroy().ok());
}

}  // namespace
}  // namespace berth::cgroups
