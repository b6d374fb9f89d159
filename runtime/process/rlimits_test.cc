#include "runtime/process/rlimits.h"

#include <sys/resource.h>

#include <gtest/gtest.h>

#include "runtime/process/testing/fork_child.h"

namespace berth::process {
namespace {

using berth::testing::RunInChild;

TEST(RlimitFromName, MapsEverySpecType) {
  EXPECT_EQ(*RlimitFromName("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_EQ(*RlimitFromName("RLIMIT_AS"), RLIMIT_AS);
  EXPECT_EQ(*RlimitFromName("RLIMIT_RTTIME"), RLIMIT_RTTIME);
  EXPECT_EQ(*RlimitFromName("RLIMIT_SIGPENDING"), RLIMIT_SIGPENDING);
  auto bad = RlimitFromName("RLIMIT_FOO");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("RLIMIT_FOO"), std::string::npos);
}

TEST(ApplyRlimits, LowersLimitsInOrder) {
  auto outcome = RunInChild([] {
    std::vector<spec::Rlimit> limits = {
        {"RLIMIT_NOFILE", 512, 256}, {"RLIMIT_CORE", 0, 0}, {"RLIMIT_FSIZE", 1 << 30, 1 << 20}};
    if (Status s = ApplyRlimits(limits); !s) return "error: " + s.error().ToString();
    struct rlimit nofile, core, nice;
    getrlimit(RLIMIT_NOFILE, &nofile);
    getrlimit(RLIMIT_CORE, &core);
    getrlimit(RLIMIT_FSIZE, &nice);
    return std::to_string(nofile.rlim_cur) + "/" + std::to_string(nofile.rlim_max) + " " +
           std::to_string(core.rlim_cur) + "/" + std::to_string(core.rlim_max) + " " +
           std::to_string(nice.rlim_cur) + "/" + std::to_string(nice.rlim_max);
  });
  EXPECT_EQ(outcome.output, "256/512 0/0 1048576/1073741824");
}

TEST(ApplyRlimits, RaisingHardLimitWithoutCapSysResourceNamesTheRlimit) {
  struct rlimit cur;
  getrlimit(RLIMIT_NOFILE, &cur);
  if (cur.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "hard NOFILE limit already infinite";
  auto outcome = RunInChild([&] {
    std::vector<spec::Rlimit> limits = {{"RLIMIT_NOFILE", 64, 64}, {"RLIMIT_NOFILE", cur.rlim_max, 64}};
    Status s = ApplyRlimits(limits);
    return s ? std::string("ok") : s.error().ToString();
  });
  if (outcome.output == "ok") GTEST_SKIP() << "this process holds CAP_SYS_RESOURCE";
  EXPECT_NE(
      outcome.output.find("setrlimit RLIMIT_NOFILE (soft 64, hard " + std::to_string(cur.rlim_max) + ")"),
      std::string::npos)
      << outcome.output;
  EXPECT_NE(outcome.output.find("CAP_SYS_RESOURCE"), std::string::npos) << outcome.output;
}

TEST(ApplyRlimits, SoftAboveHardIsRejected) {
  Status s = ApplyRlimits({{"RLIMIT_CORE", 1, 2}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EINVAL);
  EXPECT_NE(s.error().message().find("RLIMIT_CORE"), std::string::npos);
}

}  // namespace
}  // namespace berth::process
