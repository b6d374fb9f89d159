#include "bench/startup/curves.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace berth::bench {
namespace {

TEST(FindDirsWithPrefixTest, FindsNestedMatchesDeepestFirstWithinDepth) {
  char tmpl[] = "/tmp/curves-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string root = tmpl;
  for (const char* d : {"/a", "/a/curve-1-0", "/a/curve-1-0/curve-1-1", "/b", "/b/other", "/b/c", "/b/c/d",
                        "/b/c/d/curve-1-2", "/curve-2-0"})
    ASSERT_EQ(mkdir((root + d).c_str(), 0755), 0) << d;
  ASSERT_EQ(symlink((root + "/a").c_str(), (root + "/curve-1-link").c_str()), 0);

  auto found = FindDirsWithPrefix(root, "curve-1-", 6);
  std::vector<std::string> want = {root + "/a/curve-1-0/curve-1-1", root + "/a/curve-1-0",
                                   root + "/b/c/d/curve-1-2"};
  std::sort(found.begin(), found.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(found, want);
  // A nested match comes before its parent, so rmdir in order works.
  auto ordered = FindDirsWithPrefix(root + "/a", "curve-1-", 6);
  ASSERT_EQ(ordered.size(), 2u);
  EXPECT_EQ(ordered[0], root + "/a/curve-1-0/curve-1-1");
  // Depth bounds the walk: d/curve-1-2 is 4 levels below root.
  auto shallow = FindDirsWithPrefix(root, "curve-1-", 3);
  EXPECT_EQ(std::count(shallow.begin(), shallow.end(), root + "/b/c/d/curve-1-2"), 0);
  std::filesystem::remove_all(root);
}

TEST(CountChildrenTest, CountsLiveChildren) {
  std::vector<pid_t> children;
  for (int i = 0; i < 3; ++i) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      pause();
      _exit(0);
    }
    children.push_back(pid);
  }
  auto n = CountChildren(getpid());
  for (pid_t pid : children) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(*n, 3);
  auto none = CountChildren(getpid());
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
}

TEST(CountChildrenTest, NoSuchProcessIsAnError) { EXPECT_FALSE(CountChildren(-5)); }

}  // namespace
}  // namespace berth::bench
