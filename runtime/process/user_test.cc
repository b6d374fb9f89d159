#include "runtime/process/user.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "runtime/process/testing/fork_child.h"

namespace berth::process {
namespace {

using berth::testing::RunInChild;

TEST(SetUser, SetsIdsGroupsAndUmask) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to change uid/gid";
  auto outcome = RunInChild([] {
    spec::User user;
    user.uid = 1234;
    user.gid = 2345;
    user.additionalGids = {3000, 3001};
    user.umask = 027;
    Status s = SetUser(user);
    if (!s) return "error: " + s.error().ToString();
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    getresuid(&ru, &eu, &su);
    getresgid(&rg, &eg, &sg);
    gid_t groups[16];
    int n = getgroups(16, groups);
    mode_t mask = umask(0);
    std::string out = std::to_string(ru) + "," + std::to_string(eu) + "," + std::to_string(su) + " " +
                      std::to_string(rg) + "," + std::to_string(eg) + "," + std::to_string(sg) + " groups";
    for (int i = 0; i < n; ++i) out += " " + std::to_string(groups[i]);
    out += " umask " + std::to_string(mask);
    return out;
  });
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.output, "1234,1234,1234 2345,2345,2345 groups 3000 3001 umask 23");
}

TEST(SetUser, EmptyAdditionalGidsClearsSupplementaryGroups) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to change uid/gid";
  auto outcome = RunInChild([] {
    gid_t start[] = {10, 20};
    if (setgroups(2, start) != 0) return std::string("setup setgroups failed");
    mode_t before = umask(022);
    (void)before;
    spec::User user;  // uid 0, gid 0, no umask
    Status s = SetUser(user);
    if (!s) return "error: " + s.error().ToString();
    mode_t after = umask(0);
    return "groups " + std::to_string(getgroups(0, nullptr)) + " umask " + std::to_string(after);
  });
  EXPECT_EQ(outcome.output, "groups 0 umask 18");  // 022 left untouched
}

TEST(SetUser, KeepsPermittedCapabilitiesAcrossUidChange) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to change uid/gid";
  auto outcome = RunInChild([] {
    std::string before = berth::testing::ProcStatusField("CapPrm");
    spec::User user;
    user.uid = 1000;
    user.gid = 1000;
    Status s = SetUser(user);
    if (!s) return "error: " + s.error().ToString();
    return before + " " + berth::testing::ProcStatusField("CapPrm");
  });
  ASSERT_EQ(outcome.exit_code, 0);
  auto space = outcome.output.find(' ');
  ASSERT_NE(space, std::string::npos) << outcome.output;
  EXPECT_EQ(outcome.output.substr(0, space), outcome.output.substr(space + 1));
  EXPECT_NE(outcome.output.substr(0, space), "0000000000000000");
}

TEST(SetUser, FailsWithoutPrivilege) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to an unprivileged uid first";
  auto outcome = RunInChild([] {
    if (setresuid(4000, 4000, 4000) != 0) return std::string("setup failed");
    spec::User user;
    user.uid = 0;
    Status s = SetUser(user);
    return s ? std::string("unexpected success") : s.error().ToString();
  });
  EXPECT_NE(outcome.output.find("Operation not permitted"), std::string::npos) << outcome.output;
}

}  // namespace
}  // namespace berth::process
