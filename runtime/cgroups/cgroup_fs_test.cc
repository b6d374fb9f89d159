#include "runtime/cgroups/cgroup_fs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/cgroups/testing/fake_tree.h"

namespace berth::cgroups {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CgroupFs, MakeDirsReportsWhatItCreatedTopDown) {
  testing::TempDir tmp;
  testing::WriteFile(tmp.path() + "/cgroup.procs", "");
  testing::DirectoryCgroupFs fs(tmp.path());
  auto made = fs.MakeDirs("/a/b/c");
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  EXPECT_THAT(*made, ElementsAre("/a", "/a/b", "/a/b/c"));
  // The directory kind populates new cgroups like the kernel does.
  EXPECT_TRUE(testing::Exists(tmp.path() + "/a/b/c/cgroup.procs"));
  made = fs.MakeDirs("/a/b/c");
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(made->empty());
  made = fs.MakeDirs("a//b/d/");
  ASSERT_TRUE(made.ok());
  EXPECT_THAT(*made, ElementsAre("/a/b/d"));
}

TEST(CgroupFs, MakeDirsRefusesAFileInTheWay) {
  testing::TempDir tmp;
  testing::WriteFile(tmp.path() + "/a", "");
  testing::DirectoryCgroupFs fs(tmp.path());
  EXPECT_FALSE(fs.MakeDirs("/a").ok());
  EXPECT_FALSE(fs.MakeDirs("/a/b").ok());
}

TEST(CgroupFs, WriteNeverCreatesFiles) {
  testing::TempDir tmp;
  testing::WriteFile(tmp.path() + "/x/memory.max", "old");
  testing::DirectoryCgroupFs fs(tmp.path());
  ASSERT_TRUE(fs.Write("/x", "memory.max", "42").ok());
  EXPECT_EQ(*fs.Read("/x", "memory.max"), "42");
  Status s = fs.Write("/x", "pids.max", "1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ENOENT);
  EXPECT_THAT(s.error().message(), HasSubstr("/x/pids.max"));
  EXPECT_FALSE(testing::Exists(tmp.path() + "/x/pids.max"));
}

TEST(CgroupFs, RemoveDirRemovesSubCgroupsAndRefusesTheRoot) {
  testing::TempDir tmp;
  testing::WriteFile(tmp.path() + "/cgroup.procs", "");
  testing::DirectoryCgroupFs fs(tmp.path());
  ASSERT_TRUE(fs.MakeDirs("/a/b/c").ok());
  ASSERT_TRUE(fs.MakeDirs("/a/b/d").ok());
  ASSERT_TRUE(fs.RemoveDir("/a/b").ok());
  EXPECT_FALSE(testing::Exists(tmp.path() + "/a/b"));
  EXPECT_TRUE(testing::Exists(tmp.path() + "/a"));
  EXPECT_TRUE(fs.RemoveDir("/a/b").ok());
  EXPECT_FALSE(fs.RemoveDir("/").ok());
  EXPECT_TRUE(testing::Exists(tmp.path()));
}

}  // namespace
}  // namespace berth::cgroups
