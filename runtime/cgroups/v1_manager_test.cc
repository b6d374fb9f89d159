// V1Manager against a temporary directory laid out like /sys/fs/cgroup on a
// cgroup v1 host: every resource field -> the file and value written.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/cgroups/layout.h"
#include "runtime/cgroups/testing/fake_tree.h"
#include "runtime/cgroups/v1_manager.h"

namespace berth::cgroups {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadFile;

const std::vector<std::string> kAllControllers = {"blkio",   "cpu",     "cpuacct", "cpuset",  "devices",
                                                  "freezer", "hugetlb", "memory",  "net_cls", "net_prio",
                                                  "pids",    "rdma",    "systemd"};

class V1ManagerTest : public ::testing::Test {
 protected:
  void SetUpTree(const std::vector<std::string>& controllers) {
    testing::MakeV1Tree(tmp_.path(), controllers);
    fs_ = std::make_shared<testing::RecordingCgroupFs>(tmp_.path());
  }
  std::unique_ptr<Manager> NewV1(const std::string& cgroups_path = "/berth/c1", std::string_view self = "") {
    Host host;
    host.layout = Layout::kV1;
    host.v1 = fs_;
    CgroupSpec spec;
    spec.container_id = "c1";
    spec.cgroups_path = cgroups_path;
    auto m = NewManagerOn(host, spec, self);
    EXPECT_TRUE(m.ok()) << m.error().ToString();
    return std::move(m).value();
  }
  std::unique_ptr<Manager> Created() {
    auto m = NewV1();
    Status s = m->Create();
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    fs_->writes.clear();
    return m;
  }
  std::string File(const std::string& controller, const std::string& file) {
    return ReadFile(tmp_.path() + "/" + controller + "/berth/c1/" + file);
  }

  testing::TempDir tmp_;
  std::shared_ptr<testing::RecordingCgroupFs> fs_;
};

TEST_F(V1ManagerTest, CreateMakesTheCgroupInEveryHierarchy) {
  SetUpTree(kAllControllers);
  auto m = NewV1();
  ASSERT_TRUE(m->Create().ok());
  for (const auto& c : kAllControllers)
    EXPECT_TRUE(testing::Exists(tmp_.path() + "/" + c + "/berth/c1/cgroup.procs")) << c;
  EXPECT_EQ(m->Path(), "/berth/c1");
  // Creating again (an existing cgroup) is fine.
  EXPECT_TRUE(m->Create().ok());
}

TEST_F(V1ManagerTest, CreateRefusesACgroupThatAlreadyHoldsProcessesAndLeavesItAlone) {
  SetUpTree({"memory", "pids"});
  // Someone else's cgroup: exists in pids only, holding a live process.
  ASSERT_TRUE(fs_->MakeDirs("pids/berth/c1").ok());
  pid_t squatter = fork();
  ASSERT_GE(squatter, 0);
  if (squatter == 0) {
    for (;;) pause();
  }
  testing::WriteFile(tmp_.path() + "/pids/berth/c1/cgroup.procs", std::to_string(squatter) + "\n");
  auto m = NewV1();
  Status s = m->Create();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EBUSY);
  EXPECT_THAT(s.error().ToString(),
              HasSubstr("cgroup " + tmp_.path() + "/pids/berth/c1 already contains processes"));
  // Nothing was made in the other hierarchy.
  EXPECT_FALSE(testing::Exists(tmp_.path() + "/memory/berth"));
  // The create rollback (KillAll + Destroy) must not touch the foreign cgroup.
  EXPECT_TRUE(m->KillAll(SIGKILL).ok());
  EXPECT_TRUE(m->Destroy().ok());
  EXPECT_EQ(waitpid(squatter, nullptr, WNOHANG), 0) << "the squatter was killed";
  EXPECT_TRUE(testing::Exists(tmp_.path() + "/pids/berth/c1/cgroup.procs"));
  kill(squatter, SIGKILL);
  waitpid(squatter, nullptr, 0);
}

TEST_F(V1ManagerTest, MakeMissingDirsRemakesWhatSystemdTrimmedWithoutTheOccupancyCheck) {
  // A real systemd, starting a scope in the cgroup Create made, removes the
  // directories of the v1 controllers it does not manage for the unit
  // (devices, cpuset here) while the init is already in the others.
  SetUpTree({"cpuset", "devices", "memory"});
  auto m = Created();
  testing::WriteFile(tmp_.path() + "/memory/berth/c1/cgroup.procs", "4242\n");
  ASSERT_EQ(system(("rm -rf " + tmp_.path() + "/devices/berth/c1").c_str()), 0);
  ASSERT_EQ(system(("rm -rf " + tmp_.path() + "/cpuset/berth/c1").c_str()), 0);
  Status s = m->MakeMissingDirs();
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_TRUE(testing::Exists(tmp_.path() + "/devices/berth/c1/cgroup.procs"));
  // A remade cpuset is initialised again (its parent's cpus and mems).
  EXPECT_EQ(File("cpuset", "cpuset.cpus"), ReadFile(tmp_.path() + "/cpuset/berth/cpuset.cpus"));
  EXPECT_EQ(File("memory", "cgroup.procs"), "4242\n");
  EXPECT_TRUE(m->AddProcess(1).ok());
}

TEST_F(V1ManagerTest, CreateAcceptsAnExistingEmptyCgroup) {
  SetUpTree({"pids"});
  ASSERT_TRUE(fs_->MakeDirs("pids/berth/c1").ok());
  testing::WriteFile(tmp_.path() + "/pids/berth/c1/cgroup.procs", "\n");
  auto m = NewV1();
  Status s = m->Create();
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_TRUE(m->Destroy().ok());
  EXPECT_FALSE(testing::Exists(tmp_.path() + "/pids/berth/c1"));
}

TEST_F(V1ManagerTest, CreateCopiesCpusetFromTheParentIntoEachNewLevel) {
  SetUpTree({"cpuset"});
  auto m = NewV1();
  ASSERT_TRUE(m->Create().ok());
  EXPECT_EQ(ReadFile(tmp_.path() + "/cpuset/berth/cpuset.cpus"), "0-1");
  EXPECT_EQ(ReadFile(tmp_.path() + "/cpuset/berth/cpuset.mems"), "0");
  EXPECT_EQ(File("cpuset", "cpuset.cpus"), "0-1");
  EXPECT_EQ(File("cpuset", "cpuset.mems"), "0");
}

TEST_F(V1ManagerTest, OnlyMountedHierarchiesAreUsed) {
  SetUpTree({"memory", "pids"});
  auto m = NewV1();
  ASSERT_TRUE(m->Create().ok());
  EXPECT_FALSE(testing::Exists(tmp_.path() + "/cpu"));
  EXPECT_EQ(m->Serialize(), "v1-root " + tmp_.path() + "\nv1 memory /berth/c1\nv1 pids /berth/c1\n");
}

TEST_F(V1ManagerTest, AddProcessWritesEveryHierarchy) {
  SetUpTree({"memory", "pids", "freezer"});
  auto m = Created();
  ASSERT_TRUE(m->AddProcess(4242).ok());
  EXPECT_THAT(fs_->writes,
              ElementsAre("/freezer/berth/c1/cgroup.procs=4242", "/memory/berth/c1/cgroup.procs=4242",
                          "/pids/berth/c1/cgroup.procs=4242"));
}

TEST_F(V1ManagerTest, MemoryFields) {
  SetUpTree(kAllControllers);
  auto m = Created();
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 100 << 20;
  r.memory->reservation = 50 << 20;
  r.memory->swap = 200 << 20;
  r.memory->kernel = 10 << 20;
  r.memory->kernelTCP = 1 << 20;
  r.memory->swappiness = 30;
  r.memory->disableOOMKiller = true;
  r.memory->useHierarchy = true;
  Status s = m->ApplyResources(r);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(File("memory", "memory.limit_in_bytes"), "104857600");
  EXPECT_EQ(File("memory", "memory.soft_limit_in_bytes"), "52428800");
  EXPECT_EQ(File("memory", "memory.memsw.limit_in_bytes"), "209715200");
  EXPECT_EQ(File("memory", "memory.kmem.limit_in_bytes"), "10485760");
  EXPECT_EQ(File("memory", "memory.kmem.tcp.limit_in_bytes"), "1048576");
  EXPECT_EQ(File("memory", "memory.swappiness"), "30");
  EXPECT_EQ(File("memory", "memory.oom_control"), "1");
  EXPECT_EQ(File("memory", "memory.use_hierarchy"), "1");
}

TEST_F(V1ManagerTest, MemoryAndSwapAreOrderedToKeepLimitBelowMemsw) {
  SetUpTree({"memory"});
  auto m = Created();
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 300;
  r.memory->swap = 400;
  // Current memsw limit below the new limit: memsw must grow first.
  testing::WriteFile(tmp_.path() + "/memory/berth/c1/memory.memsw.limit_in_bytes", "200\n");
  ASSERT_TRUE(m->ApplyResources(r).ok());
  EXPECT_THAT(fs_->writes, ElementsAre("/memory/berth/c1/memory.memsw.limit_in_bytes=400",
                                       "/memory/berth/c1/memory.limit_in_bytes=300"));
  // Shrinking: the limit goes down first.
  fs_->writes.clear();
  r.memory->limit = 100;
  r.memory->swap = 150;
  ASSERT_TRUE(m->ApplyResources(r).ok());
  EXPECT_THAT(fs_->writes, ElementsAre("/memory/berth/c1/memory.limit_in_bytes=100",
                                       "/memory/berth/c1/memory.memsw.limit_in_bytes=150"));
}

TEST_F(V1ManagerTest, SwapIsDroppedWithoutSwapAccounting) {
  SetUpTree({"memory"});
  unlink((tmp_.path() + "/memory/memory.memsw.limit_in_bytes").c_str());
  auto m = Created();
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 300;
  r.memory->swap = 600;
  Status s = m->ApplyResources(r);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_THAT(fs_->writes, ElementsAre("/memory/berth/c1/memory.limit_in_bytes=300"));
}

TEST_F(V1ManagerTest, SwappinessAbove100IsRejected) {
  SetUpTree({"memory"});
  auto m = Created();
  spec::Resources r;
  r.memory.emplace();
  r.memory->swappiness = 101;
  Status s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("swappiness"));
}

TEST_F(V1ManagerTest, CpuFields) {
  SetUpTree(kAllControllers);
  auto m = Created();
  spec::Resources r;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->burst = 1000;
  r.cpu->realtimePeriod = 1000000;
  r.cpu->realtimeRuntime = 950000;
  r.cpu->idle = 1;
  r.cpu->cpus = "1";
  r.cpu->mems = "0";
  Status s = m->ApplyResources(r);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(File("cpu", "cpu.shares"), "512");
  EXPECT_EQ(File("cpu", "cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(File("cpu", "cpu.cfs_period_us"), "100000");
  EXPECT_EQ(File("cpu", "cpu.cfs_burst_us"), "1000");
  EXPECT_EQ(File("cpu", "cpu.rt_period_us"), "1000000");
  EXPECT_EQ(File("cpu", "cpu.rt_runtime_us"), "950000");
  EXPECT_EQ(File("cpu", "cpu.idle"), "1");
  EXPECT_EQ(File("cpuset", "cpuset.cpus"), "1");
  EXPECT_EQ(File("cpuset", "cpuset.mems"), "0");
  // The period is written before the quota, the rt period before the runtime.
  auto index = [&](const std::string& w) {
    return std::find(fs_->writes.begin(), fs_->writes.end(), w) - fs_->writes.begin();
  };
  EXPECT_LT(index("/cpu/berth/c1/cpu.cfs_period_us=100000"), index("/cpu/berth/c1/cpu.cfs_quota_us=50000"));
  EXPECT_LT(index("/cpu/berth/c1/cpu.rt_period_us=1000000"), index("/cpu/berth/c1/cpu.rt_runtime_us=950000"));
}

TEST_F(V1ManagerTest, BlockIoFields) {
  SetUpTree(kAllControllers);
  auto m = Created();
  spec::Resources r;
  r.blockIO.emplace();
  r.blockIO->weight = 300;
  r.blockIO->leafWeight = 200;
  spec::WeightDevice wd;
  wd.major = 8;
  wd.minor = 0;
  wd.weight = 500;
  wd.leafWeight = 100;
  r.blockIO->weightDevice = {wd};
  r.blockIO->throttleReadBpsDevice = {{8, 0, 1000}, {8, 16, 2000}};
  r.blockIO->throttleWriteBpsDevice = {{8, 0, 3000}};
  r.blockIO->throttleReadIOPSDevice = {{8, 0, 40}};
  r.blockIO->throttleWriteIOPSDevice = {{8, 0, 50}};
  Status s = m->ApplyResources(r);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(File("blkio", "blkio.weight"), "300");
  EXPECT_EQ(File("blkio", "blkio.leaf_weight"), "200");
  EXPECT_EQ(File("blkio", "blkio.weight_device"), "8:0 500");
  EXPECT_EQ(File("blkio", "blkio.leaf_weight_device"), "8:0 100");
  EXPECT_THAT(fs_->WritesTo("/blkio/berth/c1", "blkio.throttle.read_bps_device"),
              ElementsAre("8:0 1000", "8:16 2000"));
  EXPECT_EQ(File("blkio", "blkio.throttle.write_bps_device"), "8:0 3000");
  EXPECT_EQ(File("blkio", "blkio.throttle.read_iops_device"), "8:0 40");
  EXPECT_EQ(File("blkio", "blkio.throttle.write_iops_device"), "8:0 50");
}

TEST_F(V1ManagerTest, BlockIoWeightUsesBfqFilesWithoutCfq) {
  SetUpTree({"blkio"});
  std::string blkio = tmp_.path() + "/blkio/";
  unlink((blkio + "blkio.weight").c_str());
  unlink((blkio + "blkio.weight_device").c_str());
  testing::WriteFile(blkio + "blkio.bfq.weight", "");
  testing::WriteFile(blkio + "blkio.bfq.weight_device", "");
  auto m = Created();
  spec::Resources r;
  r.blockIO.emplace();
  r.blockIO->weight = 300;
  spec::WeightDevice wd;
  wd.major = 8;
  wd.weight = 500;
  r.blockIO->weightDevice = {wd};
  ASSERT_TRUE(m->ApplyResources(r).ok());
  EXPECT_EQ(File("blkio", "blkio.bfq.weight"), "300");
  EXPECT_EQ(File("blkio", "blkio.bfq.weight_device"), "8:0 500");
}

// Docker sends "blockIO": {"weight": 0}; runc reads 0 as unset.
TEST_F(V1ManagerTest, BlockIoWeightZeroIsNotWritten) {
  SetUpTree({"blkio"});
  auto m = Created();
  spec::Resources r;
  r.blockIO.emplace();
  r.blockIO->weight = 0;
  r.blockIO->leafWeight = 0;
  spec::WeightDevice wd;
  wd.major = 8;
  wd.weight = 0;
  wd.leafWeight = 0;
  r.blockIO->weightDevice = {wd};
  ASSERT_TRUE(m->ApplyResources(r).ok());
  EXPECT_TRUE(fs_->WritesTo("/blkio/berth/c1", "blkio.weight").empty());
  EXPECT_TRUE(fs_->WritesTo("/blkio/berth/c1", "blkio.leaf_weight").empty());
  EXPECT_TRUE(fs_->WritesTo("/blkio/berth/c1", "blkio.weight_device").empty());
  EXPECT_TRUE(fs_->WritesTo("/blkio/berth/c1", "blkio.leaf_weight_device").empty());
}

TEST_F(V1ManagerTest, HugetlbPidsNetworkRdma) {
  SetUpTree(kAllControllers);
  auto m = Created();
  spec::Resources r;
  r.hugepageLimits = {{"2MB", 4 << 21}, {"1GB", 1 << 30}};
  r.pids = spec::PidsResources{100};
  r.network.emplace();
  r.network->classID = 0x100001;
  r.network->priorities = {{"eth0", 5}, {"lo", 1}};
  r.rdma["mlx5_1"] = spec::RdmaLimit{3, 10000};
  r.rdma["rxe3"] = spec::RdmaLimit{std::nullopt, 1000};
  Status s = m->ApplyResources(r);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(File("hugetlb", "hugetlb.2MB.limit_in_bytes"), "8388608");
  EXPECT_EQ(File("hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes"), "8388608");
  EXPECT_EQ(File("hugetlb", "hugetlb.1GB.limit_in_bytes"), "1073741824");
  EXPECT_EQ(File("pids", "pids.max"), "100");
  EXPECT_EQ(File("net_cls", "net_cls.classid"), "1048577");
  EXPECT_THAT(fs_->WritesTo("/net_prio/berth/c1", "net_prio.ifpriomap"), ElementsAre("eth0 5", "lo 1"));
  EXPECT_THAT(fs_->WritesTo("/rdma/berth/c1", "rdma.max"),
              ElementsAre("mlx5_1 hca_handle=3 hca_object=10000", "rxe3 hca_object=1000"));
}

TEST_F(V1ManagerTest, PidsLimitZeroIsALimitAndNegativeIsMax) {
  SetUpTree({"pids"});
  auto m = Created();
  spec::Resources r;
  r.pids = spec::PidsResources{0};
  ASSERT_TRUE(m->ApplyResources(r).ok());
  EXPECT_EQ(File("pids", "pids.max"), "0");
  r.pids = spec::PidsResources{-1};
  ASSERT_TRUE(m->ApplyResources(r).ok());
  EXPECT_EQ(File("pids", "pids.max"), "max");
}

TEST_F(V1ManagerTest, UnsupportedHugePageSizeIsAnError) {
  SetUpTree({"hugetlb"});
  auto m = Created();
  spec::Resources r;
  r.hugepageLimits = {{"3MB", 1}};
  Status s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("\"3MB\" is not supported"));
}

TEST_F(V1ManagerTest, DeviceRulesDenyAllThenConfigThenImplicitAllowList) {
  SetUpTree({"devices"});
  auto m = Created();
  spec::Resources r;
  spec::DeviceCgroupRule fuse;
  fuse.allow = true;
  fuse.type = "c";
  fuse.major = 10;
  fuse.minor = 229;
  fuse.access = "rw";
  spec::DeviceCgroupRule no_null;
  no_null.allow = false;
  no_null.type = "c";
  no_null.major = 1;
  no_null.minor = 3;
  no_null.access = "rwm";
  r.devices = {fuse, no_null};
  ASSERT_TRUE(m->ApplyResources(r).ok());
  EXPECT_THAT(
      fs_->writes,
      ElementsAre("/devices/berth/c1/devices.deny=a *:* rwm", "/devices/berth/c1/devices.allow=c 10:229 rw",
                  "/devices/berth/c1/devices.deny=c 1:3 rwm", "/devices/berth/c1/devices.allow=c *:* m",
                  "/devices/berth/c1/devices.allow=b *:* m", "/devices/berth/c1/devices.allow=c 1:3 rwm",
                  "/devices/berth/c1/devices.allow=c 1:5 rwm", "/devices/berth/c1/devices.allow=c 1:7 rwm",
                  "/devices/berth/c1/devices.allow=c 1:8 rwm", "/devices/berth/c1/devices.allow=c 1:9 rwm",
                  "/devices/berth/c1/devices.allow=c 5:0 rwm", "/devices/berth/c1/devices.allow=c 5:2 rwm",
                  "/devices/berth/c1/devices.allow=c 136:* rwm", "/devices/berth/c1/devices.allow=c 5:1 rwm",
                  "/devices/berth/c1/devices.allow=c 10:200 rwm"));
}

TEST_F(V1ManagerTest, InvalidDeviceRuleIsRejected) {
  SetUpTree({"devices"});
  auto m = Created();
  spec::Resources r;
  spec::DeviceCgroupRule bad;
  bad.type = "x";
  r.devices = {bad};
  Status s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("devices[0].type"));
  bad.type = "c";
  bad.access = "rwx";
  r.devices = {bad};
  s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("devices[0].access"));
}

TEST_F(V1ManagerTest, AbsentControllerIsNamedInTheError) {
  SetUpTree({"memory", "cpu"});
  auto m = Created();
  spec::Resources r;
  r.network.emplace();
  r.network->classID = 7;
  Status s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("cgroup v1 net_cls controller not available"));
  r = spec::Resources();
  r.pids = spec::PidsResources{5};
  s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("cgroup v1 pids controller not available"));
}

TEST_F(V1ManagerTest, UnifiedIsAnErrorOnAPureV1Host) {
  SetUpTree({"memory"});
  auto m = Created();
  spec::Resources r;
  r.unified["memory.high"] = "1000";
  Status s = m->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("needs cgroup v2"));
}

TEST_F(V1ManagerTest, FreezeThawWritesFreezerState) {
  SetUpTree({"freezer", "memory"});
  auto m = Created();
  ASSERT_TRUE(m->Freeze().ok());
  EXPECT_EQ(File("freezer", "freezer.state"), "FROZEN");
  EXPECT_TRUE(*m->IsFrozen());
  ASSERT_TRUE(m->Thaw().ok());
  EXPECT_EQ(File("freezer", "freezer.state"), "THAWED");
  EXPECT_FALSE(*m->IsFrozen());
}

TEST_F(V1ManagerTest, FreezeWithoutFreezerIsAnError) {
  SetUpTree({"memory"});
  auto m = Created();
  Status s = m->Freeze();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("freezer controller not available"));
}

TEST_F(V1ManagerTest, PidsReadsCgroupProcs) {
  SetUpTree({"pids", "memory"});
  auto m = Created();
  testing::WriteFile(tmp_.path() + "/pids/berth/c1/cgroup.procs", "12\n345\n");
  auto pids = m->Pids();
  ASSERT_TRUE(pids.ok());
  EXPECT_THAT(*pids, ElementsAre(12, 345));
  testing::WriteFile(tmp_.path() + "/pids/berth/c1/cgroup.procs", "12\nx\n");
  EXPECT_FALSE(m->Pids().ok());
}

TEST_F(V1ManagerTest, KillAllFreezesSignalsEveryPidAndThaws) {
  SetUpTree({"pids", "freezer"});
  auto m = Created();
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  testing::WriteFile(tmp_.path() + "/pids/berth/c1/cgroup.procs", std::to_string(child) + "\n");
  ASSERT_TRUE(m->KillAll(SIGTERM).ok());
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_THAT(fs_->WritesTo("/freezer/berth/c1", "freezer.state"), ElementsAre("FROZEN", "THAWED"));
}

TEST_F(V1ManagerTest, KillAllKeepsAPausedContainerPausedUnlessKilling) {
  SetUpTree({"pids", "freezer"});
  auto m = Created();
  ASSERT_TRUE(m->Freeze().ok());
  fs_->writes.clear();
  testing::WriteFile(tmp_.path() + "/pids/berth/c1/cgroup.procs", "");
  ASSERT_TRUE(m->KillAll(SIGTERM).ok());
  EXPECT_THAT(fs_->WritesTo("/freezer/berth/c1", "freezer.state"), ElementsAre("FROZEN"));
  EXPECT_TRUE(*m->IsFrozen());
  ASSERT_TRUE(m->KillAll(SIGKILL).ok());
  EXPECT_THAT(fs_->WritesTo("/freezer/berth/c1", "freezer.state"), ElementsAre("FROZEN", "FROZEN", "THAWED"));
}

TEST_F(V1ManagerTest, DestroyRemovesEveryDirectoryAndToleratesAbsence) {
  SetUpTree({"memory", "pids", "cpuset"});
  auto m = Created();
  ASSERT_TRUE(m->Destroy().ok());
  for (const char* c : {"memory", "pids", "cpuset"}) {
    EXPECT_FALSE(testing::Exists(tmp_.path() + "/" + c + "/berth/c1")) << c;
    EXPECT_TRUE(testing::Exists(tmp_.path() + "/" + c + "/berth")) << c;
  }
  EXPECT_TRUE(m->Destroy().ok());
}

TEST_F(V1ManagerTest, RelativePathIsBelowTheRuntimesOwnCgroupPerHierarchy) {
  SetUpTree({"memory", "cpu", "systemd"});
  auto m = NewV1("pods/c1", "9:name=systemd:/user.slice\n4:memory:/process_api/x\n1:cpu:/\n0::/\n");
  EXPECT_EQ(m->Serialize(),
            "v1-root " + tmp_.path() +
                "\nv1 cpu /pods/c1\nv1 memory /process_api/x/pods/c1\nv1 systemd /user.slice/pods/c1\n");
}

TEST_F(V1ManagerTest, SerializeAndLoadRoundTrip) {
  SetUpTree({"memory", "pids", "freezer"});
  auto m = Created();
  auto loaded = LoadManagerOn(m->Serialize(), testing::MakeDirectoryCgroupFs);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ((*loaded)->Serialize(), m->Serialize());
  ASSERT_TRUE((*loaded)->Freeze().ok());
  EXPECT_EQ(File("freezer", "freezer.state"), "FROZEN");
  ASSERT_TRUE((*loaded)->Destroy().ok());
  EXPECT_FALSE(testing::Exists(tmp_.path() + "/memory/berth/c1"));
}

}  // namespace
}  // namespace berth::cgroups
