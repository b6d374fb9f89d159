// The real resctrl filesystem. This needs Intel RDT (or AMD QoS) hardware
// with resctrl mounted, and root; without them every test reports skipped.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "runtime/intelrdt/resctrl.h"

namespace berth::intelrdt {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(HostResctrl, FindResctrlAgreesWithMountinfo) {
  auto mount = ResctrlMountPoint(Slurp("/proc/self/mountinfo"));
  auto found = FindResctrl();
  if (!mount) {
    ASSERT_FALSE(found) << "FindResctrl found " << *found << " but mountinfo has no resctrl";
    EXPECT_NE(found.error().message().find("no resctrl filesystem is mounted"), std::string::npos);
    GTEST_SKIP() << "host has no resctrl filesystem mounted (no Intel RDT / AMD QoS here); "
                    "only the error path was checked";
  }
  ASSERT_TRUE(found) << found.error().ToString();
  EXPECT_EQ(*found, *mount);
}

TEST(HostResctrl, ContainerGroupOnRealResctrl) {
  auto root = FindResctrl();
  if (!root) GTEST_SKIP() << "host has no resctrl filesystem mounted: " << root.error().ToString();
  if (geteuid() != 0) GTEST_SKIP() << "needs root to make resctrl groups";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  std::string id = "berth-test-" + std::to_string(getpid());
  auto group = ResctrlGroup::Join(*root, spec::IntelRdt{}, id, child);
  if (group) {
    EXPECT_NE(Slurp(*root + "/" + id + "/tasks").find(std::to_string(child) + "\n"), std::string::npos);
    EXPECT_TRUE(group->Destroy());
    struct stat st;
    EXPECT_NE(stat((*root + "/" + id).c_str(), &st), 0) << "the container's group is removed";
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(group) << group.error().ToString();
}

}  // namespace
}  // namespace berth::intelrdt
