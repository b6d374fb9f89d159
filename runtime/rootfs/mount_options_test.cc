#include "runtime/rootfs/mount_options.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

namespace berth::rootfs {
namespace {

MountOptions Parse(const std::vector<std::string>& options) {
  auto r = ParseMountOptions(options);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? *r : MountOptions{};
}

struct AttrCase {
  const char* option;
  uint64_t set;
  uint64_t clr;
};

class AttrOptionTest : public ::testing::TestWithParam<AttrCase> {};

TEST_P(AttrOptionTest, MapsToMountAttributes) {
  const AttrCase& c = GetParam();
  MountOptions o = Parse({c.option});
  EXPECT_EQ(o.attr_set, c.set) << c.option;
  EXPECT_EQ(o.attr_clr, c.clr) << c.option;
  EXPECT_EQ(o.rec_attr_set, 0u) << c.option;
  EXPECT_TRUE(o.data.empty()) << c.option;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AttrOptionTest,
    ::testing::Values(AttrCase{"ro", MOUNT_ATTR_RDONLY, 0}, AttrCase{"rw", 0, MOUNT_ATTR_RDONLY},
                      AttrCase{"nosuid", MOUNT_ATTR_NOSUID, 0}, AttrCase{"suid", 0, MOUNT_ATTR_NOSUID},
                      AttrCase{"nodev", MOUNT_ATTR_NODEV, 0}, AttrCase{"dev", 0, MOUNT_ATTR_NODEV},
                      AttrCase{"noexec", MOUNT_ATTR_NOEXEC, 0}, AttrCase{"exec", 0, MOUNT_ATTR_NOEXEC},
                      AttrCase{"noatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"strictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"relatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"atime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"norelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"nostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"nodiratime", MOUNT_ATTR_NODIRATIME, 0},
                      AttrCase{"diratime", 0, MOUNT_ATTR_NODIRATIME},
                      AttrCase{"nosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0}));

class RecursiveAttrTest : public ::testing::TestWithParam<AttrCase> {};

TEST_P(RecursiveAttrTest, MapsToRecursiveAttributes) {
  const AttrCase& c = GetParam();
  MountOptions o = Parse({c.option});
  EXPECT_EQ(o.rec_attr_set, c.set) << c.option;
  EXPECT_EQ(o.rec_attr_clr, c.clr) << c.option;
  EXPECT_EQ(o.attr_set, 0u) << c.option;
  EXPECT_EQ(o.attr_clr, 0u) << c.option;
}

INSTANTIATE_TEST_SUITE_P(
    Table, RecursiveAttrTest,
    ::testing::Values(AttrCase{"rro", MOUNT_ATTR_RDONLY, 0}, AttrCase{"rrw", 0, MOUNT_ATTR_RDONLY},
                      AttrCase{"rnosuid", MOUNT_ATTR_NOSUID, 0}, AttrCase{"rsuid", 0, MOUNT_ATTR_NOSUID},
                      AttrCase{"rnodev", MOUNT_ATTR_NODEV, 0}, AttrCase{"rdev", 0, MOUNT_ATTR_NODEV},
                      AttrCase{"rnoexec", MOUNT_ATTR_NOEXEC, 0}, AttrCase{"rexec", 0, MOUNT_ATTR_NOEXEC},
                      AttrCase{"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
                      AttrCase{"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
                      AttrCase{"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
                      AttrCase{"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
                      AttrCase{"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW}));

TEST(MountOptionsTest, IversionIsTrackedNotPassedAsData) {
  MountOptions o = Parse({"iversion"});
  EXPECT_EQ(o.i_version, std::optional<bool>(true));
  EXPECT_TRUE(o.data.empty());
  o = Parse({"iversion", "noiversion"});
  EXPECT_EQ(o.i_version, std::optional<bool>(false));
  EXPECT_FALSE(Parse({"size=1m"}).i_version.has_value());
}

TEST(MountOptionsTest, LaterOptionWins) {
  MountOptions o = Parse({"ro", "rw"});
  EXPECT_EQ(o.attr_set, 0u);
  EXPECT_EQ(o.attr_clr, uint64_t{MOUNT_ATTR_RDONLY});
  o = Parse({"noatime", "strictatime"});
  EXPECT_EQ(o.attr_set, uint64_t{MOUNT_ATTR_STRICTATIME});
  EXPECT_EQ(o.attr_clr, uint64_t{MOUNT_ATTR__ATIME});
}

TEST(MountOptionsTest, BindRbindRemount) {
  MountOptions o = Parse({"bind"});
  EXPECT_TRUE(o.bind);
  EXPECT_FALSE(o.recursive);
  o = Parse({"rbind", "ro"});
  EXPECT_TRUE(o.bind);
  EXPECT_TRUE(o.recursive);
  EXPECT_EQ(o.attr_set, uint64_t{MOUNT_ATTR_RDONLY});
  o = Parse({"remount", "ro"});
  EXPECT_TRUE(o.remount);
  EXPECT_FALSE(o.bind);
}

TEST(MountOptionsTest, PropagationInOrder) {
  MountOptions o =
      Parse({"rprivate", "shared", "slave", "runbindable", "rshared", "rslave", "private", "unbindable"});
  std::vector<PropagationChange> want = {{MS_PRIVATE, true},    {MS_SHARED, false},    {MS_SLAVE, false},
                                         {MS_UNBINDABLE, true}, {MS_SHARED, true},     {MS_SLAVE, true},
                                         {MS_PRIVATE, false},   {MS_UNBINDABLE, false}};
  EXPECT_EQ(o.propagation, want);
}

TEST(MountOptionsTest, SuperblockFlags) {
  MountOptions o = Parse({"sync", "dirsync", "mand", "lazytime"});
  EXPECT_EQ(o.sb_flags, (std::vector<std::string>{"sync", "dirsync", "mand", "lazytime"}));
  o = Parse({"sync", "async", "mand", "nomand", "lazytime", "nolazytime", "dirsync"});
  EXPECT_EQ(o.sb_flags, (std::vector<std::string>{"dirsync"}));
}

TEST(MountOptionsTest, UnknownOptionsAreFilesystemData) {
  MountOptions o =
      Parse({"nosuid", "size=65536k", "mode=755", "newinstance", "ptmxmode=0666", "gid=5", "defaults"});
  EXPECT_EQ(o.data,
            (std::vector<std::string>{"size=65536k", "mode=755", "newinstance", "ptmxmode=0666", "gid=5"}));
  EXPECT_EQ(o.attr_set, uint64_t{MOUNT_ATTR_NOSUID});
}

TEST(MountOptionsTest, IdmapAndCopyup) {
  MountOptions o = Parse({"idmap"});
  EXPECT_TRUE(o.idmap);
  EXPECT_FALSE(o.recursive_idmap);
  o = Parse({"ridmap"});
  EXPECT_TRUE(o.idmap);
  EXPECT_TRUE(o.recursive_idmap);
  EXPECT_TRUE(Parse({"tmpcopyup"}).tmpcopyup);
}

TEST(MountOptionsTest, LogOnlyOptionsDoNotReachTheKernel) {
  MountOptions o = Parse({"silent", "loud", "x-systemd.automount"});
  EXPECT_TRUE(o.data.empty());
  EXPECT_EQ(o, MountOptions{});
}

TEST(MountOptionsTest, EmptyOptionIsAnError) {
  auto r = ParseMountOptions({"ro", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), EINVAL);
}

TEST(MountOptionsTest, SplitDataOption) {
  DataOption a = SplitDataOption("size=64m");
  EXPECT_EQ(a.key, "size");
  EXPECT_EQ(a.value, "64m");
  EXPECT_TRUE(a.has_value);
  DataOption b = SplitDataOption("newinstance");
  EXPECT_EQ(b.key, "newinstance");
  EXPECT_FALSE(b.has_value);
  DataOption c = SplitDataOption("lowerdir=/a=b");
  EXPECT_EQ(c.key, "lowerdir");
  EXPECT_EQ(c.value, "/a=b");
}

TEST(MountOptionsTest, MountLabel) {
  EXPECT_TRUE(TakesMountLabel("tmpfs"));
  EXPECT_TRUE(TakesMountLabel("devpts"));
  EXPECT_TRUE(TakesMountLabel("overlay"));
  for (const char* t : {"proc", "sysfs", "cgroup", "cgroup2", "mqueue", "bind", ""})
    EXPECT_FALSE(TakesMountLabel(t)) << t;
  EXPECT_EQ(MountLabelOption("system_u:object_r:container_file_t:s0:c1,c2"),
            "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
}

TEST(MountOptionsTest, RootPropagation) {
  EXPECT_EQ(*ParseRootPropagation(""), 0u);
  EXPECT_EQ(*ParseRootPropagation("shared"), uint64_t{MS_SHARED});
  EXPECT_EQ(*ParseRootPropagation("slave"), uint64_t{MS_SLAVE});
  EXPECT_EQ(*ParseRootPropagation("private"), uint64_t{MS_PRIVATE});
  EXPECT_EQ(*ParseRootPropagation("unbindable"), uint64_t{MS_UNBINDABLE});
  EXPECT_EQ(*ParseRootPropagation("rslave"), uint64_t{MS_SLAVE | MS_REC});
  auto bad = ParseRootPropagation("sideways");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("sideways"), std::string::npos);
}

}  // namespace
}  // namespace berth::rootfs
