// The resctrl intent create records before ResctrlGroup::Join, against a
// fake resctrl tree (a temp dir: this host has no resctrl). A create killed
// inside Join leaves what the intent names; delete removes it from the record.
#include "runtime/container/intelrdt_state.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace berth::container {
namespace {

class ResctrlIntentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/resctrl-intent-XXXXXX";
    base_ = mkdtemp(tmpl);
    resctrl_ = base_ + "/resctrl";
    ASSERT_EQ(mkdir(resctrl_.c_str(), 0755), 0);
    auto dir = StateDir::Create(base_ + "/state", "c1");
    ASSERT_TRUE(dir.ok()) << dir.error().ToString();
    dir_.emplace(std::move(*dir));
  }
  void TearDown() override { std::filesystem::remove_all(base_); }
  bool Exists(const std::string& path) { return std::filesystem::exists(path); }

  std::string base_, resctrl_;
  std::optional<StateDir> dir_;
};

TEST_F(ResctrlIntentTest, GroupMadeAfterTheIntentIsRemovedFromIt) {
  spec::IntelRdt rdt;
  rdt.l3CacheSchema = "L3:0=f";
  ASSERT_TRUE(RecordResctrlIntent(*dir_, resctrl_, rdt, "c1").ok());
  ASSERT_TRUE(dir_->Exists(kIntelRdtFile));
  ASSERT_EQ(mkdir((resctrl_ + "/c1").c_str(), 0755), 0);  // what Join made before the kill
  Status removed = RemoveResctrlGroup(*dir_);
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  EXPECT_FALSE(Exists(resctrl_ + "/c1"));
}

// (A plain directory cannot stand for a kernel group holding mon_groups, so
// the monitoring group is shown under the root group, which stays.)
TEST_F(ResctrlIntentTest, MonGroupMadeAfterTheIntentIsRemovedFromIt) {
  spec::IntelRdt rdt;
  rdt.closID = "/";
  rdt.enableMonitoring = true;
  ASSERT_EQ(mkdir((resctrl_ + "/mon_groups").c_str(), 0755), 0);
  ASSERT_TRUE(RecordResctrlIntent(*dir_, resctrl_, rdt, "c1").ok());
  ASSERT_EQ(mkdir((resctrl_ + "/mon_groups/c1").c_str(), 0755), 0);
  Status removed = RemoveResctrlGroup(*dir_);
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  EXPECT_FALSE(Exists(resctrl_ + "/mon_groups/c1"));
  EXPECT_TRUE(Exists(resctrl_));
}

TEST_F(ResctrlIntentTest, NothingMadeYetIsNotAnError) {
  spec::IntelRdt rdt;
  ASSERT_TRUE(RecordResctrlIntent(*dir_, resctrl_, rdt, "c1").ok());
  EXPECT_TRUE(RemoveResctrlGroup(*dir_).ok());
}

TEST_F(ResctrlIntentTest, AnExistingGroupIsRefusedBeforeAnythingIsRecorded) {
  ASSERT_EQ(mkdir((resctrl_ + "/c1").c_str(), 0755), 0);
  spec::IntelRdt rdt;
  Status recorded = RecordResctrlIntent(*dir_, resctrl_, rdt, "c1");
  ASSERT_FALSE(recorded.ok());
  EXPECT_EQ(recorded.error().code(), EEXIST);
  EXPECT_FALSE(dir_->Exists(kIntelRdtFile));
  EXPECT_TRUE(Exists(resctrl_ + "/c1"));
}

TEST_F(ResctrlIntentTest, ClosIdGroupIsKeptAtDelete) {
  spec::IntelRdt rdt;
  rdt.closID = "shared";
  rdt.l3CacheSchema = "L3:0=f";
  ASSERT_EQ(mkdir((resctrl_ + "/shared").c_str(), 0755), 0);
  ASSERT_TRUE(RecordResctrlIntent(*dir_, resctrl_, rdt, "c1").ok());
  EXPECT_TRUE(RemoveResctrlGroup(*dir_).ok());
  EXPECT_TRUE(Exists(resctrl_ + "/shared"));
}

}  // namespace
}  // namespace berth::container
