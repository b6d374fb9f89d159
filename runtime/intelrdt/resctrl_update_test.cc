// ResctrlGroup::UpdateSchemas against a temporary directory laid out like
// resctrl (testing::DirectoryResctrlFs): `berth update --l3-cache-schema/--mem-bw-schema`.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "runtime/intelrdt/resctrl.h"
#include "runtime/intelrdt/testing/directory_resctrl_fs.h"

namespace berth::intelrdt {
namespace {

void Put(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << content;
}
std::string Get(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ResctrlUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = getenv("TEST_TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/resctrl.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    Put(root_ + "/schemata", "L3:0=7ff\nMB:0=100\n");
    Put(root_ + "/tasks", "");
    Put(root_ + "/info/last_cmd_status", "ok\n");
    std::filesystem::create_directories(root_ + "/info/L3");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  ResctrlGroup Joined(const spec::IntelRdt& rdt) {
    auto group = ResctrlGroup::Join(root_, rdt, "c1", getpid(), testing::MakeDirectoryResctrlFs());
    EXPECT_TRUE(group.ok()) << group.error().ToString();
    return std::move(group).value();
  }
  std::string root_;
};

TEST_F(ResctrlUpdateTest, ReplacesTheL3LineAndKeepsTheOthers) {
  spec::IntelRdt rdt;
  rdt.l3CacheSchema = "L3:0=f";
  ResctrlGroup group = Joined(rdt);
  Put(root_ + "/c1/schemata", "L3:0=f\nMB:0=50\n");
  auto old = group.UpdateSchemas("L3:0=3", "");
  ASSERT_TRUE(old.ok()) << old.error().ToString();
  EXPECT_EQ(*old, "L3:0=f\n");
  EXPECT_EQ(Get(root_ + "/c1/schemata"), "MB:0=50\nL3:0=3\n");
  ASSERT_TRUE(group.RestoreSchemata(*old).ok());
  EXPECT_EQ(Get(root_ + "/c1/schemata"), "MB:0=50\nL3:0=f\n");
}

TEST_F(ResctrlUpdateTest, MissingFeatureIsRefusedWithRuncsMessage) {
  ResctrlGroup group = Joined(spec::IntelRdt());
  auto r = group.UpdateSchemas("", "MB:0=20");  // no info/MB in this tree
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "Intel RDT/MBA: memory bandwidth schema is not enabled");
  std::filesystem::remove_all(root_ + "/info/L3");
  r = group.UpdateSchemas("L3:0=1", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "Intel RDT/CAT: l3 cache schema is not enabled");
}

TEST_F(ResctrlUpdateTest, TheSharedRootGroupIsNotUpdated) {
  spec::IntelRdt rdt;
  rdt.closID = "/";
  ResctrlGroup group = Joined(rdt);
  auto r = group.UpdateSchemas("L3:0=1", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("root group"), std::string::npos);
  EXPECT_EQ(Get(root_ + "/schemata"), "L3:0=7ff\nMB:0=100\n");
}

}  // namespace
}  // namespace berth::intelrdt
