// Manager::Update against fake v1, v2 and hybrid trees: what is written,
// that devices are left alone, and that a failure part way restores every
// file written before it.
#include "runtime/cgroups/update.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "runtime/cgroups/layout.h"
#include "runtime/cgroups/testing/fake_tree.h"

namespace berth::cgroups {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::WriteFile;

// Fails every write to the files named in `failing` (by file name) with its errno.
class FailingCgroupFs : public testing::RecordingCgroupFs {
 public:
  using RecordingCgroupFs::RecordingCgroupFs;
  Status Write(std::string_view cgroup, std::string_view file, std::string_view value) const override {
    auto it = failing.find(std::string(file));
    if (it != failing.end()) return Error(it->second, "write " + std::string(file));
    return RecordingCgroupFs::Write(cgroup, file, value);
  }
  std::map<std::string, int> failing;
};

spec::Resources MemoryCpuPids(int64_t limit, int64_t quota, int64_t pids) {
  spec::Resources r;
  r.memory.emplace().limit = limit;
  r.cpu.emplace().quota = quota;
  r.pids.emplace().limit = pids;
  return r;
}

class V1UpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::MakeV1Tree(tmp_.path(), {"cpu", "cpuset", "devices", "memory", "pids", "freezer"});
    fs_ = std::make_shared<FailingCgroupFs>(tmp_.path());
    Host host;
    host.layout = Layout::kV1;
    host.v1 = fs_;
    CgroupSpec spec;
    spec.container_id = "c1";
    spec.cgroups_path = "/berth/c1";
    m_ = std::move(NewManagerOn(host, spec, "")).value();
    ASSERT_TRUE(m_->Create().ok());
    // What create left: the values an update starts from.
    Set("memory", "memory.limit_in_bytes", "104857600\n");
    Set("cpu", "cpu.cfs_quota_us", "-1\n");
    Set("pids", "pids.max", "max\n");
    Set("cpuset", "cpuset.cpus", "0-1\n");
    fs_->writes.clear();
  }
  void Set(const std::string& c, const std::string& f, const std::string& v) {
    WriteFile(tmp_.path() + "/" + c + "/berth/c1/" + f, v);
  }
  std::string File(const std::string& c, const std::string& f) {
    return ReadFile(tmp_.path() + "/" + c + "/berth/c1/" + f);
  }

  testing::TempDir tmp_;
  std::shared_ptr<FailingCgroupFs> fs_;
  std::unique_ptr<Manager> m_;
};

TEST_F(V1UpdateTest, WritesTheFieldsSetAndNeverTheDeviceRules) {
  Status s = m_->Update(MemoryCpuPids(64 << 20, 50000, 50));
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(File("memory", "memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(File("cpu", "cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(File("pids", "pids.max"), "50");
  for (const auto& w : fs_->writes) EXPECT_EQ(w.find("/devices/"), std::string::npos) << w;
}

TEST_F(V1UpdateTest, AFailurePartWayRestoresWhatWasWritten) {
  fs_->failing["cpuset.cpus"] = ERANGE;
  spec::Resources r = MemoryCpuPids(64 << 20, 50000, 50);
  r.cpu->cpus = "99";
  Status s = m_->Update(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().ToString(), HasSubstr("linux.resources.cpu.cpus"));
  EXPECT_EQ(File("memory", "memory.limit_in_bytes"), "104857600");
  EXPECT_EQ(File("cpu", "cpu.cfs_quota_us"), "-1");
  EXPECT_EQ(File("cpuset", "cpuset.cpus"), "0-1\n");  // never written
}

TEST_F(V1UpdateTest, MemoryBelowUsageIsRefusedWithRuncsMessage) {
  fs_->failing["memory.limit_in_bytes"] = EBUSY;
  Set("memory", "memory.usage_in_bytes", "5000000\n");
  Set("memory", "memory.max_usage_in_bytes", "6000000\n");
  spec::Resources r;
  r.memory.emplace().limit = 1000000;
  Status s = m_->Update(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(
      s.error().ToString(),
      HasSubstr("unable to set memory limit to 1000000 (current usage: 5000000, peak usage: 6000000)"));
  EXPECT_EQ(File("memory", "memory.limit_in_bytes"), "104857600\n");
}

TEST_F(V1UpdateTest, UnifiedIsRefusedOnV1AndNothingIsWritten) {
  spec::Resources r = MemoryCpuPids(64 << 20, 50000, 50);
  r.unified["memory.high"] = "1000";
  Status s = m_->Update(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().ToString(), HasSubstr("needs cgroup v2"));
  EXPECT_TRUE(fs_->writes.empty());
}

TEST_F(V1UpdateTest, AMissingControllerIsRefusedAndEarlierWritesUndone) {
  spec::Resources r = MemoryCpuPids(64 << 20, 50000, 50);
  r.blockIO.emplace().weight = 500;  // no blkio hierarchy in this tree
  Status s = m_->Update(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().ToString(), HasSubstr("cgroup v1 blkio controller not available"));
  EXPECT_EQ(File("memory", "memory.limit_in_bytes"), "104857600");
  EXPECT_EQ(File("cpu", "cpu.cfs_quota_us"), "-1");
}

TEST_F(V1UpdateTest, WorksOnAFrozenCgroup) {
  ASSERT_TRUE(m_->Freeze().ok());
  ASSERT_TRUE(m_->Update(MemoryCpuPids(32 << 20, 10000, 7)).ok());
  EXPECT_EQ(File("pids", "pids.max"), "7");
  EXPECT_TRUE(*m_->IsFrozen());
}

class V2UpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::MakeV2Tree(tmp_.path(), {"cpu", "cpuset", "io", "memory", "pids"});
    fs_ = std::make_shared<FailingCgroupFs>(tmp_.path());
    Host host;
    host.layout = Layout::kV2;
    host.v2 = fs_;
    CgroupSpec spec;
    spec.container_id = "c1";
    spec.cgroups_path = "/berth/c1";
    m_ = std::move(NewManagerOn(host, spec, "")).value();
    ASSERT_TRUE(m_->Create().ok());
    Set("memory.max", "max\n");
    Set("cpu.max", "max 100000\n");
    Set("pids.max", "max\n");
    fs_->writes.clear();
    fs_->attached.clear();
  }
  void Set(const std::string& f, const std::string& v) { WriteFile(tmp_.path() + "/berth/c1/" + f, v); }
  std::string File(const std::string& f) { return ReadFile(tmp_.path() + "/berth/c1/" + f); }

  testing::TempDir tmp_;
  std::shared_ptr<FailingCgroupFs> fs_;
  std::unique_ptr<Manager> m_;
};

TEST_F(V2UpdateTest, WritesTheFieldsSetAndAttachesNoDeviceProgram) {
  Status s = m_->Update(MemoryCpuPids(64 << 20, 50000, 50));
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(File("memory.max"), "67108864");
  EXPECT_EQ(File("cpu.max"), "50000");
  EXPECT_EQ(File("pids.max"), "50");
  EXPECT_TRUE(fs_->attached.empty());
}

TEST_F(V2UpdateTest, AFailurePartWayRestoresWhatWasWritten) {
  fs_->failing["pids.max"] = EINVAL;
  Status s = m_->Update(MemoryCpuPids(64 << 20, 50000, 50));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(File("memory.max"), "max");
  EXPECT_EQ(File("cpu.max"), "max 100000");
}

TEST_F(V2UpdateTest, CheckBeforeUpdateRefusesWithRuncsMessages) {
  Set("memory.current", "5000\n");
  spec::Resources r;
  r.memory.emplace().limit = 5000;
  r.memory->checkBeforeUpdate = true;
  Status s = m_->Update(r);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().ToString(), HasSubstr("rejecting memory limit 5000 <= usage 5000"));
  EXPECT_EQ(File("memory.max"), "max\n");
}

// Hybrid: v1 memory/pids, a unified hierarchy with hugetlb only. A failure
// on the unified side undoes the v1 writes too.
TEST(HybridUpdateTest, AUnifiedFailureRestoresTheV1Writes) {
  testing::TempDir tmp;
  testing::MakeV1Tree(tmp.path() + "/v1", {"devices", "memory", "pids", "freezer"});
  testing::MakeV2Tree(tmp.path() + "/unified", {"hugetlb"});
  auto v1 = std::make_shared<FailingCgroupFs>(tmp.path() + "/v1");
  auto v2 = std::make_shared<FailingCgroupFs>(tmp.path() + "/unified");
  Host host;
  host.layout = Layout::kHybrid;
  host.v1 = v1;
  host.v2 = v2;
  CgroupSpec spec;
  spec.container_id = "c1";
  auto m = std::move(NewManagerOn(host, spec, "")).value();
  ASSERT_TRUE(m->Create().ok());
  WriteFile(tmp.path() + "/v1/pids/berth/c1/pids.max", "max\n");
  WriteFile(tmp.path() + "/v1/memory/berth/c1/memory.limit_in_bytes", "1000000\n");
  v1->writes.clear();
  spec::Resources r;
  r.memory.emplace().limit = 2000000;
  r.pids.emplace().limit = 5;
  ASSERT_TRUE(m->Update(r).ok());
  EXPECT_EQ(ReadFile(tmp.path() + "/v1/pids/berth/c1/pids.max"), "5");
  for (const auto& w : v1->writes) EXPECT_EQ(w.find("/devices/"), std::string::npos) << w;

  v2->failing["hugetlb.2MB.max"] = EINVAL;
  r.pids->limit = 9;
  r.unified["hugetlb.2MB.max"] = "4194304";
  Status s = m->Update(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(ReadFile(tmp.path() + "/v1/pids/berth/c1/pids.max"), "5");
  EXPECT_EQ(ReadFile(tmp.path() + "/v1/memory/berth/c1/memory.limit_in_bytes"), "2000000");
}

TEST(UpdatableResourcesTest, KeepsWhatRuncsUpdateTakesAndDropsZeros) {
  spec::Resources in;
  in.memory.emplace().limit = 0;
  in.memory->reservation = 100;
  in.memory->swappiness = 10;  // not something update changes
  in.cpu.emplace().shares = 0;
  in.cpu->quota = 20000;
  in.blockIO.emplace().weight = 0;
  in.pids.emplace().limit = 0;
  in.hugepageLimits.push_back({"2MB", 1});
  in.devices.emplace_back();
  spec::Resources out = UpdatableResources(in);
  ASSERT_TRUE(out.memory);
  EXPECT_FALSE(out.memory->limit);
  EXPECT_EQ(out.memory->reservation, 100);
  EXPECT_FALSE(out.memory->swappiness);
  ASSERT_TRUE(out.cpu);
  EXPECT_FALSE(out.cpu->shares);
  EXPECT_EQ(out.cpu->quota, 20000);
  EXPECT_FALSE(out.blockIO);
  EXPECT_FALSE(out.pids);
  EXPECT_TRUE(out.hugepageLimits.empty());
  EXPECT_TRUE(out.devices.empty());
}

TEST(UpdatableResourcesTest, UnlimitedMemoryMakesSwapUnlimitedToo) {
  spec::Resources in;
  in.memory.emplace().limit = -1;
  EXPECT_EQ(UpdatableResources(in).memory->swap, -1);
}

TEST(CompleteMemoryUpdateTest, SwapBelowMemoryIsRefusedUsingStoredValues) {
  spec::Resources stored;
  stored.memory.emplace().limit = 100;
  spec::Resources update;
  update.memory.emplace().swap = 50;
  Status s = CompleteMemoryUpdate(stored, update);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "memory+swap limit should be >= memory limit");
  update.memory->swap = 200;
  ASSERT_TRUE(CompleteMemoryUpdate(stored, update).ok());
  EXPECT_EQ(update.memory->limit, 100);  // the stored limit, for the writers
}

TEST(MergeUpdateTest, ReplacesOnlyTheFieldsUpdated) {
  spec::Resources stored;
  stored.memory.emplace().limit = 100;
  stored.memory->swap = 200;
  stored.cpu.emplace().cpus = "0-1";
  stored.devices.emplace_back();
  spec::Resources u;
  u.memory.emplace().limit = 150;
  u.cpu.emplace().quota = 5;
  u.pids.emplace().limit = 9;
  MergeUpdate(stored, u);
  EXPECT_EQ(stored.memory->limit, 150);
  EXPECT_EQ(stored.memory->swap, 200);
  EXPECT_EQ(stored.cpu->cpus, "0-1");
  EXPECT_EQ(stored.cpu->quota, 5);
  EXPECT_EQ(stored.pids->limit, 9);
  EXPECT_EQ(stored.devices.size(), 1u);
}

}  // namespace
}  // namespace berth::cgroups
