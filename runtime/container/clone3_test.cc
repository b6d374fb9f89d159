// Clone3MaybeIntoCgroup: born in the cgroup where the kernel allows it, a
// plain clone3 where it refuses or there is no unified cgroup.
#include "runtime/container/clone3.h"

#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace berth::container {
namespace {

constexpr long kCgroup2Magic = 0x63677270;

// The child's exit status: 0 when `expect` is in its /proc/self/cgroup
// v2 line ("0::<expect>"), or when expect is empty.
int RunChild(const std::string& unified_dir, const std::string& expect, bool* born) {
  pid_t pid = Clone3MaybeIntoCgroup(0, unified_dir, born);
  if (pid < 0) return -1;
  if (pid == 0) {
    if (expect.empty()) _exit(0);
    std::ifstream in("/proc/self/cgroup");
    std::stringstream text;
    text << in.rdbuf();
    _exit(text.str().find("0::" + expect + "\n") != std::string::npos ? 0 : 3);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -2;
  return WEXITSTATUS(status);
}

TEST(Clone3MaybeIntoCgroup, NoUnifiedDirIsAPlainClone) {
  bool born = true;
  EXPECT_EQ(RunChild("", "", &born), 0);
  EXPECT_FALSE(born);
}

TEST(Clone3MaybeIntoCgroup, ARefusedCgroupFallsBackToAPlainClone) {
  char dir[] = "/tmp/clone3_test.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  bool born = true;
  EXPECT_EQ(RunChild(dir, "", &born), 0);  // not a cgroup: the kernel refuses it
  EXPECT_FALSE(born);
  bool born_missing = true;
  EXPECT_EQ(RunChild(std::string(dir) + "/missing", "", &born_missing), 0);
  EXPECT_FALSE(born_missing);
  rmdir(dir);
}

TEST(Clone3MaybeIntoCgroup, ChildIsBornInTheUnifiedCgroup) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (makes a cgroup)";
  std::string root;
  for (const char* candidate : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"}) {
    struct statfs st;
    if (statfs(candidate, &st) == 0 && static_cast<long>(st.f_type) == kCgroup2Magic) {
      root = candidate;
      break;
    }
  }
  if (root.empty()) GTEST_SKIP() << "no cgroup2 hierarchy mounted";
  std::string name = "/berth-clone3-test-" + std::to_string(getpid());
  std::string dir = root + name;
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0) << dir;
  bool born = false;
  int status = RunChild(dir, name, &born);
  // The reaped child has left the cgroup; it can go.
  for (int i = 0; i < 100 && rmdir(dir.c_str()) != 0; ++i) usleep(1000);
  EXPECT_EQ(status, 0) << "child not in " << name;
  EXPECT_TRUE(born);
}

}  // namespace
}  // namespace berth::container
