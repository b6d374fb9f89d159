// ResctrlGroup against a temporary directory laid out like resctrl: every
// config-linux.md rule, checked through the files and directories it leaves.
#include "runtime/intelrdt/resctrl.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "runtime/intelrdt/testing/directory_resctrl_fs.h"

namespace berth::intelrdt {
namespace {

constexpr char kRootSchemata[] = "    L3:0=7ff;1=7ff\n    MB:0=100;1=100\n";

void Put(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(fd);
}

std::string Get(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "<missing>";
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

bool Exists(const std::string& path) { return std::filesystem::exists(path); }

class ResctrlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = getenv("TEST_TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/resctrl.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    Put(root_ + "/schemata", kRootSchemata);
    Put(root_ + "/tasks", "");
    Put(root_ + "/info/last_cmd_status", "ok\n");
    std::filesystem::create_directories(root_ + "/info/L3");
    std::filesystem::create_directories(root_ + "/mon_groups");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // A pre-configured CTRL_MON group, as an administrator would make it.
  void MakeGroup(const std::string& name, const std::string& schemata) {
    Put(root_ + "/" + name + "/schemata", schemata);
    Put(root_ + "/" + name + "/tasks", "");
    std::filesystem::create_directories(root_ + "/" + name + "/mon_groups");
  }

  Result<ResctrlGroup> Join(const spec::IntelRdt& rdt, pid_t pid = 1234) {
    return ResctrlGroup::Join(root_, rdt, "c1", pid, testing::MakeDirectoryResctrlFs());
  }

  // The directories under root besides info and mon_groups.
  std::vector<std::string> Groups() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(root_)) {
      std::string name = e.path().filename();
      if (e.is_directory() && name != "info" && name != "mon_groups") out.push_back(name);
    }
    return out;
  }

  std::string root_;
};

spec::IntelRdt Rdt(std::string clos, std::string l3 = "", std::string mb = "",
                   std::vector<std::string> lines = {}) {
  spec::IntelRdt r;
  r.closID = std::move(clos);
  r.l3CacheSchema = std::move(l3);
  r.memBwSchema = std::move(mb);
  r.schemata = std::move(lines);
  return r;
}

// --- closID unset: the container's own group ------------------------------

TEST_F(ResctrlTest, NoClosIdCreatesContainerGroupAndWritesSchemasInOrder) {
  auto g = Join(Rdt("", "L3:0=7f0;1=1f", "MB:0=20;1=70", {"L2:0=f;1=f", "MB:1=60"}));
  ASSERT_TRUE(g) << g.error().ToString();
  EXPECT_EQ(g->GroupPath(), root_ + "/c1");
  EXPECT_TRUE(g->created_group());
  // One write: l3CacheSchema, memBwSchema, then the schemata lines.
  EXPECT_EQ(Get(root_ + "/c1/schemata"), "L3:0=7f0;1=1f\nMB:0=20;1=70\nL2:0=f;1=f\nMB:1=60\n");
  EXPECT_EQ(Get(root_ + "/c1/tasks"), "1234\n");
  EXPECT_EQ(Get(root_ + "/tasks"), "");
  EXPECT_EQ(Get(root_ + "/schemata"), kRootSchemata);

  ASSERT_TRUE(g->Destroy());
  EXPECT_FALSE(Exists(root_ + "/c1"));
  EXPECT_TRUE(g->Destroy()) << "a second delete finds nothing to do";
}

TEST_F(ResctrlTest, NoSchemasMeansNoSchemataWrite) {
  auto g = Join(Rdt(""));
  ASSERT_TRUE(g) << g.error().ToString();
  // The fake copies the root's schemata on mkdir, as a fresh group's default.
  EXPECT_EQ(Get(root_ + "/c1/schemata"), kRootSchemata);
  EXPECT_EQ(Get(root_ + "/c1/tasks"), "1234\n");
  EXPECT_EQ(Get(root_ + "/schemata"), kRootSchemata);
}

TEST_F(ResctrlTest, NoClosIdAndAnExistingGroupIsAnErrorAndTheGroupStays) {
  MakeGroup("c1", "L3:0=1\n");
  auto g = Join(Rdt("", "L3:0=f"));
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), EEXIST);
  EXPECT_NE(g.error().message().find(root_ + "/c1 already exists"), std::string::npos);
  EXPECT_EQ(Get(root_ + "/c1/schemata"), "L3:0=1\n");
  EXPECT_EQ(Get(root_ + "/c1/tasks"), "");
}

// --- closID "/": the default CLOS ------------------------------------------

TEST_F(ResctrlTest, RootClosIdJoinsTheRootGroupAndDeleteKeepsIt) {
  auto g = Join(Rdt("/"));
  ASSERT_TRUE(g) << g.error().ToString();
  EXPECT_EQ(g->GroupPath(), root_);
  EXPECT_FALSE(g->created_group());
  EXPECT_EQ(Get(root_ + "/tasks"), "1234\n");
  EXPECT_TRUE(Groups().empty());
  ASSERT_TRUE(g->Destroy());
  EXPECT_EQ(Get(root_ + "/schemata"), kRootSchemata);
  EXPECT_EQ(Get(root_ + "/tasks"), "1234\n");
}

TEST_F(ResctrlTest, RootClosIdComparesSchemasAndNeverWritesThem) {
  auto same = Join(Rdt("/", "L3:0=7FF", "MB:1=100"));
  ASSERT_TRUE(same) << same.error().ToString();
  EXPECT_EQ(Get(root_ + "/schemata"), kRootSchemata);

  Put(root_ + "/tasks", "");
  auto other = Join(Rdt("/", "L3:0=f"));
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message().find("L3 domain 0 is 7ff, the config wants f"), std::string::npos);
  EXPECT_EQ(Get(root_ + "/schemata"), kRootSchemata);
  EXPECT_EQ(Get(root_ + "/tasks"), "");
}

// --- closID with schemas ---------------------------------------------------

TEST_F(ResctrlTest, ClosIdWithSchemasCreatesAMissingGroupThatDeleteKeeps) {
  auto g = Join(Rdt("gold", "L3:0=f0", "MB:0=20"));
  ASSERT_TRUE(g) << g.error().ToString();
  EXPECT_EQ(g->GroupPath(), root_ + "/gold");
  EXPECT_EQ(Get(root_ + "/gold/schemata"), "L3:0=f0\nMB:0=20\n");
  EXPECT_EQ(Get(root_ + "/gold/tasks"), "1234\n");
  EXPECT_FALSE(g->created_group()) << "a closID group is not removed at delete";
  ASSERT_TRUE(g->Destroy());
  EXPECT_TRUE(Exists(root_ + "/gold/schemata"));
}

TEST_F(ResctrlTest, ClosIdWithSchemasJoinsAMatchingExistingGroupWithoutWriting) {
  const std::string existing = "    L3:0=00f0;1=7ff\n    MB:0=20;1=100\n";
  MakeGroup("gold", existing);
  auto g = Join(Rdt("gold", "L3:0=f0", "MB:0=20", {"L3:1=7ff"}));
  ASSERT_TRUE(g) << g.error().ToString();
  EXPECT_EQ(Get(root_ + "/gold/schemata"), existing);
  EXPECT_EQ(Get(root_ + "/gold/tasks"), "1234\n");
  ASSERT_TRUE(g->Destroy());
  EXPECT_EQ(Get(root_ + "/gold/schemata"), existing);
}

TEST_F(ResctrlTest, ClosIdWithSchemasRejectsAnExistingGroupThatDiffers) {
  MakeGroup("gold", "    L3:0=f0;1=7ff\n    MB:0=20;1=100\n");
  for (const spec::IntelRdt& rdt :
       {Rdt("gold", "L3:0=f"), Rdt("gold", "", "MB:0=30"), Rdt("gold", "", "", {"L2:0=1"}),
        Rdt("gold", "L3:0=f0", "", {"L3:1=1"})}) {
    auto g = Join(rdt);
    ASSERT_FALSE(g);
    EXPECT_NE(g.error().message().find("exists with other schemata than linux.intelRdt"), std::string::npos)
        << g.error().ToString();
  }
  EXPECT_EQ(Get(root_ + "/gold/schemata"), "    L3:0=f0;1=7ff\n    MB:0=20;1=100\n");
  EXPECT_EQ(Get(root_ + "/gold/tasks"), "");
  EXPECT_TRUE(Exists(root_ + "/gold"));
}

// --- closID without schemas ------------------------------------------------

TEST_F(ResctrlTest, ClosIdAloneMustExist) {
  auto g = Join(Rdt("silver"));
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), ENOENT);
  EXPECT_NE(g.error().message().find("closID \"silver\" names no existing resctrl group"), std::string::npos);
  EXPECT_TRUE(Groups().empty()) << "nothing is created";
}

TEST_F(ResctrlTest, ClosIdAloneJoinsThePreconfiguredGroup) {
  MakeGroup("silver", "L3:0=3\n");
  auto g = Join(Rdt("silver"));
  ASSERT_TRUE(g) << g.error().ToString();
  EXPECT_EQ(Get(root_ + "/silver/tasks"), "1234\n");
  EXPECT_EQ(Get(root_ + "/silver/schemata"), "L3:0=3\n");
  ASSERT_TRUE(g->Destroy());
  EXPECT_TRUE(Exists(root_ + "/silver/tasks"));
}

// --- enableMonitoring ------------------------------------------------------

TEST_F(ResctrlTest, MonitoringMakesAMonGroupNamedForTheContainer) {
  spec::IntelRdt rdt = Rdt("");
  rdt.enableMonitoring = true;
  auto g = Join(rdt);
  ASSERT_TRUE(g) << g.error().ToString();
  EXPECT_EQ(g->MonGroupPath(), root_ + "/c1/mon_groups/c1");
  EXPECT_EQ(Get(root_ + "/c1/tasks"), "1234\n");
  EXPECT_EQ(Get(root_ + "/c1/mon_groups/c1/tasks"), "1234\n");

  ASSERT_TRUE(g->AddProcess(99));  // exec
  EXPECT_EQ(Get(root_ + "/c1/tasks"), "1234\n99\n");
  EXPECT_EQ(Get(root_ + "/c1/mon_groups/c1/tasks"), "1234\n99\n");

  ASSERT_TRUE(g->Destroy());
  EXPECT_FALSE(Exists(root_ + "/c1"));
}

TEST_F(ResctrlTest, MonitoringInASharedGroupRemovesOnlyTheMonGroup) {
  MakeGroup("gold", "L3:0=f\n");
  spec::IntelRdt rdt = Rdt("gold");
  rdt.enableMonitoring = true;
  auto g = Join(rdt);
  ASSERT_TRUE(g) << g.error().ToString();
  EXPECT_EQ(Get(root_ + "/gold/mon_groups/c1/tasks"), "1234\n");
  ASSERT_TRUE(g->Destroy());
  EXPECT_FALSE(Exists(root_ + "/gold/mon_groups/c1"));
  EXPECT_TRUE(Exists(root_ + "/gold/mon_groups"));
  EXPECT_EQ(Get(root_ + "/gold/tasks"), "1234\n");
}

TEST_F(ResctrlTest, MonitoringFalseMakesNoMonGroup) {
  spec::IntelRdt rdt = Rdt("");
  rdt.enableMonitoring = false;
  auto g = Join(rdt);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->MonGroupPath(), "");
  EXPECT_TRUE(std::filesystem::is_empty(root_ + "/c1/mon_groups"));
}

TEST_F(ResctrlTest, MonitoringUnavailableIsAnErrorAndLeavesNothing) {
  std::filesystem::remove_all(root_ + "/mon_groups");  // no monitoring: groups get no mon_groups
  spec::IntelRdt rdt = Rdt("", "L3:0=f");
  rdt.enableMonitoring = true;
  auto g = Join(rdt);
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message().find("has no mon_groups"), std::string::npos) << g.error().ToString();
  EXPECT_TRUE(Groups().empty()) << "the group made for the container is removed again";
}

TEST_F(ResctrlTest, AnExistingMonGroupIsAnError) {
  MakeGroup("gold", "L3:0=f\n");
  Put(root_ + "/gold/mon_groups/c1/tasks", "77\n");
  spec::IntelRdt rdt = Rdt("gold");
  rdt.enableMonitoring = true;
  auto g = Join(rdt);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), EEXIST);
  EXPECT_EQ(Get(root_ + "/gold/mon_groups/c1/tasks"), "77\n") << "someone else's mon group is kept";
  EXPECT_EQ(Get(root_ + "/gold/tasks"), "");
}

// --- failures late in Join undo everything ---------------------------------

TEST_F(ResctrlTest, FailedTasksWriteRemovesTheMonGroupAndReportsTheKernelReason) {
  MakeGroup("gold", "L3:0=f\n");
  std::filesystem::remove(root_ + "/gold/tasks");
  std::filesystem::create_symlink("/dev/full", root_ + "/gold/tasks");  // write fails: ENOSPC
  Put(root_ + "/info/last_cmd_status", "Task not found\n");
  spec::IntelRdt rdt = Rdt("gold");
  rdt.enableMonitoring = true;
  auto g = Join(rdt);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), ENOSPC);
  EXPECT_NE(g.error().message().find("(resctrl: Task not found)"), std::string::npos) << g.error().ToString();
  EXPECT_FALSE(Exists(root_ + "/gold/mon_groups/c1"));
  EXPECT_TRUE(Exists(root_ + "/gold"));
}

TEST_F(ResctrlTest, FailedSchemataWriteRemovesTheCreatedClosIdGroup) {
  // The kernel's calls on a plain directory: mkdir makes no schemata file to write.
  auto g = ResctrlGroup::Join(root_, Rdt("gold", "L3:0=f"), "c1", 1234);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), ENOENT);
  EXPECT_NE(g.error().message().find("gold/schemata"), std::string::npos) << g.error().ToString();
  EXPECT_TRUE(Groups().empty()) << "the closID group made by this create is removed on error";
}

TEST_F(ResctrlTest, InvalidConfigTouchesNothing) {
  auto g = Join(Rdt("", "L3:0=f\nL3:1=f"));
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message().find("must not contain newlines"), std::string::npos);
  EXPECT_TRUE(Groups().empty());
  EXPECT_EQ(Get(root_ + "/tasks"), "");
}

// --- state for delete and exec ---------------------------------------------

TEST_F(ResctrlTest, SerializedStateDrivesDeleteAndExec) {
  spec::IntelRdt rdt = Rdt("", "", "MB:0=50");
  rdt.enableMonitoring = true;
  auto g = Join(rdt);
  ASSERT_TRUE(g) << g.error().ToString();
  std::string text = g->Serialize();
  EXPECT_EQ(text, "root " + root_ + "\ngroup c1\ncreated 1\nmon c1\n");

  auto loaded = ResctrlGroup::Load(text, testing::MakeDirectoryResctrlFs());
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  ASSERT_TRUE(loaded->AddProcess(4321));
  EXPECT_EQ(Get(root_ + "/c1/mon_groups/c1/tasks"), "1234\n4321\n");
  ASSERT_TRUE(loaded->Destroy());
  EXPECT_FALSE(Exists(root_ + "/c1"));
}

TEST_F(ResctrlTest, SerializedSharedGroupIsKeptByDelete) {
  MakeGroup("gold", "L3:0=f\n");
  auto g = Join(Rdt("gold"));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->Serialize(), "root " + root_ + "\ngroup gold\ncreated 0\n");
  auto loaded = ResctrlGroup::Load(g->Serialize(), testing::MakeDirectoryResctrlFs());
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(loaded->Destroy());
  EXPECT_TRUE(Exists(root_ + "/gold"));

  auto root_group = Join(Rdt("/"));
  ASSERT_TRUE(root_group);
  auto root_loaded = ResctrlGroup::Load(root_group->Serialize(), testing::MakeDirectoryResctrlFs());
  ASSERT_TRUE(root_loaded);
  EXPECT_EQ(root_loaded->GroupPath(), root_);
}

TEST(ResctrlLoad, RejectsBadState) {
  EXPECT_FALSE(ResctrlGroup::Load(""));
  EXPECT_FALSE(ResctrlGroup::Load("root /r\n"));
  EXPECT_FALSE(ResctrlGroup::Load("group g\n"));
  EXPECT_FALSE(ResctrlGroup::Load("root relative\ngroup g\n"));
  EXPECT_FALSE(ResctrlGroup::Load("root /r\ngroup a/b\n"));
  EXPECT_FALSE(ResctrlGroup::Load("root /r\ngroup g\ncreated yes\n"));
  EXPECT_FALSE(ResctrlGroup::Load("root /r\ngroup g\nextra 1\n"));
  auto ok = ResctrlGroup::Load("root /r\nkind kernel\ngroup g\ncreated 1\n");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->GroupPath(), "/r/g");
  EXPECT_TRUE(ok->created_group());
  EXPECT_EQ(ok->MonGroupPath(), "");
}

// --- finding the mount -----------------------------------------------------

TEST(ResctrlMountPoint, FindsTheResctrlLine) {
  const char* mountinfo =
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
      "23 22 0:21 / /sys rw,nosuid shared:2 - sysfs sysfs rw\n"
      "40 23 0:35 / /sys/fs/resctrl rw,relatime shared:20 - resctrl resctrl rw,mba_MBps\n";
  EXPECT_EQ(ResctrlMountPoint(mountinfo), "/sys/fs/resctrl");
}

TEST(ResctrlMountPoint, DecodesEscapesAndSkipsLookalikes) {
  const char* mountinfo =
      "30 22 0:40 / /mnt/resctrl rw - tmpfs resctrl rw\n"  // source named resctrl, not the type
      "41 22 0:36 / /mnt/my\\040rdt rw master:3 unbindable - resctrl none rw\n";
  EXPECT_EQ(ResctrlMountPoint(mountinfo), "/mnt/my rdt");
  EXPECT_EQ(ResctrlMountPoint("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"), std::nullopt);
  EXPECT_EQ(ResctrlMountPoint(""), std::nullopt);
  EXPECT_EQ(ResctrlMountPoint("garbage without separator\n"), std::nullopt);
}

}  // namespace
}  // namespace berth::intelrdt
