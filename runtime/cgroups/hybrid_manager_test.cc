// HybridManager against a fake hybrid host: v1 hierarchies without hugetlb
// plus a unified hierarchy offering only hugetlb (this machine's layout).
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/cgroups/layout.h"
#include "runtime/cgroups/resource_values.h"
#include "runtime/cgroups/testing/fake_tree.h"

namespace berth::cgroups {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadFile;

class HybridManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::MakeV1Tree(tmp_.path() + "/v1",
                        {"cpu", "cpuset", "memory", "devices", "freezer", "pids", "systemd"});
    testing::MakeV2Tree(tmp_.path() + "/unified", {"hugetlb"});
    v1_ = std::make_shared<testing::RecordingCgroupFs>(tmp_.path() + "/v1");
    v2_ = std::make_shared<testing::RecordingCgroupFs>(tmp_.path() + "/unified");
    Host host;
    host.layout = Layout::kHybrid;
    host.v1 = v1_;
    host.v2 = v2_;
    CgroupSpec spec;
    spec.container_id = "c1";
    auto m = NewManagerOn(host, spec, "");
    ASSERT_TRUE(m.ok()) << m.error().ToString();
    m_ = std::move(m).value();
    Status s = m_->Create();
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }

  testing::TempDir tmp_;
  std::shared_ptr<testing::RecordingCgroupFs> v1_, v2_;
  std::unique_ptr<Manager> m_;
};

TEST_F(HybridManagerTest, CreatesAndJoinsBothHierarchies) {
  EXPECT_TRUE(testing::Exists(tmp_.path() + "/v1/memory/berth/c1"));
  EXPECT_TRUE(testing::Exists(tmp_.path() + "/unified/berth/c1"));
  ASSERT_TRUE(m_->AddProcess(55).ok());
  EXPECT_EQ(ReadFile(tmp_.path() + "/v1/pids/berth/c1/cgroup.procs"), "55");
  EXPECT_EQ(ReadFile(tmp_.path() + "/unified/berth/c1/cgroup.procs"), "55");
}

// clone3(CLONE_INTO_CGROUP) puts the process in the unified cgroup at birth:
// only the v1 hierarchies are left to join.
TEST_F(HybridManagerTest, BornInTheUnifiedCgroupJoinsOnlyTheV1Hierarchies) {
  EXPECT_EQ(m_->UnifiedDir(), tmp_.path() + "/unified/berth/c1");
  ASSERT_TRUE(m_->AddProcessBornInUnified(56).ok());
  EXPECT_EQ(ReadFile(tmp_.path() + "/v1/pids/berth/c1/cgroup.procs"), "56");
  EXPECT_EQ(ReadFile(tmp_.path() + "/unified/berth/c1/cgroup.procs"), "");
}

TEST_F(HybridManagerTest, AnOccupiedUnifiedCgroupIsRefusedBeforeAnyV1DirectoryIsMade) {
  ASSERT_TRUE(v2_->MakeDirs("/busy").ok());
  testing::WriteFile(tmp_.path() + "/unified/busy/cgroup.procs", "999\n");
  Host host;
  host.layout = Layout::kHybrid;
  host.v1 = v1_;
  host.v2 = v2_;
  CgroupSpec spec;
  spec.container_id = "c2";
  spec.cgroups_path = "/busy";
  auto m = NewManagerOn(host, spec, "");
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  Status s = (*m)->Create();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().ToString(), HasSubstr("/unified/busy already contains processes"));
  EXPECT_FALSE(testing::Exists(tmp_.path() + "/v1/memory/busy"));
  EXPECT_TRUE((*m)->Destroy().ok());
  EXPECT_TRUE(testing::Exists(tmp_.path() + "/unified/busy/cgroup.procs"));
}

TEST_F(HybridManagerTest, V1ControllersOnV1HugetlbAndUnifiedOnV2) {
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 1 << 20;
  r.pids = spec::PidsResources{9};
  r.hugepageLimits = {{"2MB", 1 << 21}};
  r.unified["cgroup.type"] = "threaded";
  Status s = m_->ApplyResources(r);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(ReadFile(tmp_.path() + "/v1/memory/berth/c1/memory.limit_in_bytes"), "1048576");
  EXPECT_EQ(ReadFile(tmp_.path() + "/v1/pids/berth/c1/pids.max"), "9");
  EXPECT_EQ(ReadFile(tmp_.path() + "/unified/berth/c1/hugetlb.2MB.max"), "2097152");
  EXPECT_EQ(ReadFile(tmp_.path() + "/unified/berth/c1/cgroup.type"), "threaded");
  EXPECT_THAT(v2_->WritesTo("/", "cgroup.subtree_control"), ElementsAre("+hugetlb"));
  // Devices go through the v1 devices hierarchy, never a second BPF filter.
  EXPECT_TRUE(v2_->attached.empty());
  EXPECT_EQ(v1_->WritesTo("/devices/berth/c1", "devices.deny").front(), "a *:* rwm");
}

TEST(HybridRouting, ResourcesGoWhereTheirControllerIs) {
  testing::TempDir tmp;
  testing::MakeV1Tree(tmp.path() + "/v1", {"cpuset", "memory", "devices"});
  testing::MakeV2Tree(tmp.path() + "/unified", {"cpu", "pids", "io"});
  auto v1 = std::make_shared<testing::RecordingCgroupFs>(tmp.path() + "/v1");
  auto v2 = std::make_shared<testing::RecordingCgroupFs>(tmp.path() + "/unified");
  Host host{Layout::kHybrid, v1, v2};
  CgroupSpec spec;
  spec.container_id = "c1";
  auto m = NewManagerOn(host, spec, "");
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE((*m)->Create().ok());
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 4096;
  r.cpu.emplace();
  r.cpu->quota = 1000;
  r.cpu->period = 10000;
  r.pids = spec::PidsResources{7};
  Status s = (*m)->ApplyResources(r);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(ReadFile(tmp.path() + "/v1/memory/berth/c1/memory.limit_in_bytes"), "4096");
  EXPECT_EQ(ReadFile(tmp.path() + "/unified/berth/c1/cpu.max"), "1000 10000");
  EXPECT_EQ(ReadFile(tmp.path() + "/unified/berth/c1/pids.max"), "7");
  EXPECT_THAT(v2->WritesTo("/", "cgroup.subtree_control"), ElementsAre("+cpu +pids"));
  // cpus needs cpuset, which only v1 has: the cpu block then stays on v1,
  // where the cpu controller is missing.
  r = spec::Resources();
  r.cpu.emplace();
  r.cpu->shares = 100;
  r.cpu->cpus = "0";
  s = (*m)->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message(), HasSubstr("cgroup v1 cpu controller not available"));
}

TEST_F(HybridManagerTest, V2OnlyControllersInUnifiedAreErrors) {
  spec::Resources r;
  r.unified["memory.high"] = "1";
  Status s = m_->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "cgroup v2 memory controller not available");
}

TEST_F(HybridManagerTest, FreezeUsesV1FreezerAndSigkillUsesCgroupKill) {
  ASSERT_TRUE(m_->Freeze().ok());
  EXPECT_EQ(ReadFile(tmp_.path() + "/v1/freezer/berth/c1/freezer.state"), "FROZEN");
  EXPECT_TRUE(*m_->IsFrozen());
  ASSERT_TRUE(m_->Thaw().ok());
  ASSERT_TRUE(m_->KillAll(SIGKILL).ok());
  EXPECT_EQ(ReadFile(tmp_.path() + "/unified/berth/c1/cgroup.kill"), "1");
}

TEST_F(HybridManagerTest, SerializeLoadDestroy) {
  std::string state = m_->Serialize();
  EXPECT_THAT(state, HasSubstr("v2-root " + tmp_.path() + "/unified\nv2 /berth/c1\n"));
  auto loaded = LoadManagerOn(state, testing::MakeDirectoryCgroupFs);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ((*loaded)->Serialize(), state);
  ASSERT_TRUE((*loaded)->Destroy().ok());
  EXPECT_FALSE(testing::Exists(tmp_.path() + "/v1/memory/berth/c1"));
  EXPECT_FALSE(testing::Exists(tmp_.path() + "/unified/berth/c1"));
}

TEST(LoadManager, RejectsMalformedState) {
  EXPECT_FALSE(LoadManagerOn("", testing::MakeDirectoryCgroupFs).ok());
  EXPECT_FALSE(LoadManagerOn("bogus line\n", testing::MakeDirectoryCgroupFs).ok());
  EXPECT_FALSE(LoadManagerOn("v2-root /x\nv2 /a/../../b\n", testing::MakeDirectoryCgroupFs).ok());
  EXPECT_FALSE(LoadManagerOn("v2 /a\n", testing::MakeDirectoryCgroupFs).ok());
}

TEST(ResourceValues, Conversions) {
  EXPECT_EQ(CpuSharesToWeight(0), 0u);
  EXPECT_EQ(CpuSharesToWeight(2), 1u);
  EXPECT_EQ(CpuSharesToWeight(1024), 39u);
  EXPECT_EQ(CpuSharesToWeight(262144), 10000u);
  EXPECT_EQ(BlkioWeightToIoWeight(10), 1u);
  EXPECT_EQ(BlkioWeightToIoWeight(1000), 10000u);
  EXPECT_EQ(*SwapToV2(300, 100), std::optional<int64_t>(200));
  EXPECT_EQ(*SwapToV2(0, -1), std::optional<int64_t>(-1));
  EXPECT_EQ(*SwapToV2(std::nullopt, 100), std::nullopt);
  EXPECT_EQ(*SwapToV2(0, 100), std::nullopt);
  EXPECT_FALSE(SwapToV2(50, 100).ok());
  EXPECT_EQ(LimitValue(-1), "max");
  EXPECT_EQ(PidsMaxValue(spec::PidsResources{}), "max");
  EXPECT_EQ(PidsMaxValue(spec::PidsResources{0}), "0");
  EXPECT_EQ(PidsMaxValue(spec::PidsResources{7}), "7");
  EXPECT_EQ(PidsMaxValue(spec::PidsResources{-1}), "max");
  EXPECT_EQ(PidsMaxValue(spec::PidsResources{-5}), "max");
}

spec::DeviceCgroupRule Rule(bool allow, std::string type, std::optional<int64_t> major,
                            std::optional<int64_t> minor, std::string access) {
  spec::DeviceCgroupRule rule;
  rule.allow = allow;
  rule.type = std::move(type);
  rule.major = major;
  rule.minor = minor;
  rule.access = std::move(access);
  return rule;
}

TEST(ResourcesWithConfiguredDevices, ConfiguredDeviceRulesGoAfterTheLastDenyAllSoLaterRulesStillApply) {
  spec::Linux linux_config;
  linux_config.resources.emplace();
  linux_config.resources->devices = {Rule(false, "", std::nullopt, std::nullopt, "rwm"),
                                     Rule(true, "b", 7, 0, "rw"), Rule(false, "b", 7, 0, "w")};
  spec::Device loop;
  loop.type = "b";
  loop.path = "/dev/loop0";
  loop.major = 7;
  loop.minor = 0;
  linux_config.devices = {loop};
  spec::Resources r = ResourcesWithConfiguredDevices(linux_config);
  EXPECT_THAT(r.devices, ::testing::ElementsAre(Rule(false, "", std::nullopt, std::nullopt, "rwm"),
                                                Rule(true, "b", 7, 0, "rwm"), Rule(true, "b", 7, 0, "rw"),
                                                Rule(false, "b", 7, 0, "w")));
}

TEST(ResourcesWithConfiguredDevices, WithoutADenyAllRuleConfiguredDevicesComeFirst) {
  spec::Linux linux_config;
  linux_config.resources.emplace();
  linux_config.resources->devices = {Rule(false, "c", 10, 229, "w")};
  spec::Device fuse;
  fuse.type = "c";
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  linux_config.devices = {fuse};
  spec::Resources r = ResourcesWithConfiguredDevices(linux_config);
  EXPECT_THAT(r.devices,
              ::testing::ElementsAre(Rule(true, "c", 10, 229, "rwm"), Rule(false, "c", 10, 229, "w")));
}

TEST(ResourcesWithConfiguredDevices, AddsAnAllowRuleForEachDevice) {
  spec::Linux linux_config;
  linux_config.resources.emplace();
  linux_config.resources->pids = spec::PidsResources{3};
  spec::Device fuse;
  fuse.type = "c";
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  spec::Device fifo;
  fifo.type = "p";
  fifo.path = "/dev/fifo";
  linux_config.devices = {fuse, fifo};
  spec::Resources r = ResourcesWithConfiguredDevices(linux_config);
  ASSERT_EQ(r.devices.size(), 1u);
  EXPECT_TRUE(r.devices[0].allow);
  EXPECT_EQ(r.devices[0].type, "c");
  EXPECT_EQ(r.devices[0].major, 10);
  EXPECT_EQ(r.devices[0].minor, 229);
  EXPECT_EQ(r.devices[0].access, "rwm");
  EXPECT_EQ(r.pids->limit, 3);
}

}  // namespace
}  // namespace berth::cgroups
