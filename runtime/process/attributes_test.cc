#include "runtime/process/attributes.h"

#include <linux/mempolicy.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <cstring>
#include <fstream>

#include "runtime/process/testing/fork_child.h"

namespace berth::process {
namespace {

using berth::testing::RunInChild;

std::string Err(const Status& s) { return s ? "" : "error: " + s.error().ToString(); }

TEST(ParseCpuList, AcceptsRangesAndSingles) {
  auto list = ParseCpuList("0-3,7");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<unsigned>{0, 1, 2, 3, 7}));
  list = ParseCpuList(" 5, 1-2,2 \n");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<unsigned>{1, 2, 5}));
  list = ParseCpuList("");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST(ParseCpuList, RejectsMalformedLists) {
  for (const char* bad : {"3-1", "a", "1,,2", "-1", "1-", "0-70000", "1 2", "99999999999"})
    EXPECT_FALSE(ParseCpuList(bad).ok()) << bad;
  EXPECT_FALSE(ParseCpuList("8", 7).ok());
}

TEST(ApplyOomScoreAdj, RaisesScore) {
  auto outcome = RunInChild([] {
    spec::Process p;
    p.oomScoreAdj = 517;
    if (Status s = ApplyOomScoreAdj(p); !s) return Err(s);
    std::ifstream in("/proc/self/oom_score_adj");
    std::string value;
    in >> value;
    return value;
  });
  EXPECT_EQ(outcome.output, "517");
}

TEST(ApplyOomScoreAdj, UnsetLeavesItAlone) {
  auto outcome = RunInChild([] {
    std::ifstream before("/proc/self/oom_score_adj");
    std::string b, a;
    before >> b;
    if (Status s = ApplyOomScoreAdj(spec::Process{}); !s) return Err(s);
    std::ifstream after("/proc/self/oom_score_adj");
    after >> a;
    return b == a ? std::string("same") : b + " -> " + a;
  });
  EXPECT_EQ(outcome.output, "same");
}

TEST(ApplyOomScoreAdj, LoweringWithoutCapSysResourceSaysWhy) {
  auto outcome = RunInChild([] {
    spec::Process p;
    p.oomScoreAdj = -999;
    return Err(ApplyOomScoreAdj(p));
  });
  if (outcome.output.empty()) GTEST_SKIP() << "this process may lower oom_score_adj (CAP_SYS_RESOURCE)";
  EXPECT_NE(outcome.output.find("set oomScoreAdj -999: lowering it needs CAP_SYS_RESOURCE"),
            std::string::npos)
      << outcome.output;
}

TEST(ApplyOomScoreAdj, OutOfRangeIsRejected) {
  spec::Process p;
  p.oomScoreAdj = 1001;
  EXPECT_FALSE(ApplyOomScoreAdj(p).ok());
}

TEST(ApplyScheduler, BatchWithNice) {
  auto outcome = RunInChild([] {
    spec::Process p;
    p.scheduler = spec::Scheduler{.policy = "SCHED_BATCH", .nice = 7};
    if (Status s = ApplyScheduler(p); !s) return Err(s);
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, 0);
    return std::to_string(sched_getscheduler(0)) + " " + std::to_string(nice);
  });
  EXPECT_EQ(outcome.output, std::to_string(SCHED_BATCH) + " 7");
}

TEST(ApplyScheduler, FifoWithPriorityAndResetOnFork) {
  if (geteuid() != 0) GTEST_SKIP() << "real-time policies need CAP_SYS_NICE";
  auto outcome = RunInChild([] {
    spec::Process p;
    p.scheduler =
        spec::Scheduler{.policy = "SCHED_FIFO", .priority = 10, .flags = {"SCHED_FLAG_RESET_ON_FORK"}};
    if (Status s = ApplyScheduler(p); !s) return Err(s);
    struct sched_param param;
    sched_getparam(0, &param);
    return std::to_string(sched_getscheduler(0)) + " " + std::to_string(param.sched_priority);
  });
  EXPECT_EQ(outcome.output, std::to_string(SCHED_FIFO | SCHED_RESET_ON_FORK) + " 10");
}

TEST(ApplyScheduler, DeadlineWithRuntimeDeadlineAndPeriod) {
  if (geteuid() != 0) GTEST_SKIP() << "SCHED_DEADLINE needs CAP_SYS_NICE";
  auto outcome = RunInChild([] {
    spec::Process p;
    p.scheduler = spec::Scheduler{
        .policy = "SCHED_DEADLINE", .runtime = 2'000'000, .deadline = 20'000'000, .period = 40'000'000};
    if (Status s = ApplyScheduler(p); !s) return Err(s);
    // sched_getattr: same layout as sched_setattr's argument.
    uint32_t attr[14] = {};
    if (syscall(SYS_sched_getattr, 0, attr, sizeof(attr), 0) != 0) return std::string("getattr");
    uint64_t runtime, deadline, period;
    std::memcpy(&runtime, &attr[6], 8);
    std::memcpy(&deadline, &attr[8], 8);
    std::memcpy(&period, &attr[10], 8);
    return std::to_string(attr[1]) + " " + std::to_string(runtime) + " " + std::to_string(deadline) + " " +
           std::to_string(period);
  });
  if (outcome.output.find("Device or resource busy") != std::string::npos)
    GTEST_SKIP() << "deadline admission control refused the bandwidth: " << outcome.output;
  EXPECT_EQ(outcome.output, "6 2000000 20000000 40000000");
}

TEST(ApplyScheduler, UnknownPolicyAndFlagAreErrors) {
  spec::Process p;
  p.scheduler = spec::Scheduler{.policy = "SCHED_FAST"};
  Status s = ApplyScheduler(p);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("SCHED_FAST"), std::string::npos);
  p.scheduler = spec::Scheduler{.policy = "SCHED_OTHER", .flags = {"SCHED_FLAG_TURBO"}};
  s = ApplyScheduler(p);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("SCHED_FLAG_TURBO"), std::string::npos);
}

TEST(ApplyScheduler, IsoIsRefusedByTheKernel) {
  auto outcome = RunInChild([] {
    spec::Process p;
    p.scheduler = spec::Scheduler{.policy = "SCHED_ISO"};
    return Err(ApplyScheduler(p));
  });
  EXPECT_NE(outcome.output.find("sched_setattr policy SCHED_ISO"), std::string::npos) << outcome.output;
}

int IoprioGet() { return static_cast<int>(syscall(SYS_ioprio_get, 1, 0)); }

TEST(ApplyIoPriority, SetsClassAndLevel) {
  auto outcome = RunInChild([] {
    spec::Process p;
    p.ioPriority = spec::IoPriority{.class_ = "IOPRIO_CLASS_BE", .priority = 6};
    if (Status s = ApplyIoPriority(p); !s) return Err(s);
    std::string out = std::to_string(IoprioGet());
    p.ioPriority = spec::IoPriority{.class_ = "IOPRIO_CLASS_IDLE", .priority = 0};
    if (Status s = ApplyIoPriority(p); !s) return Err(s);
    return out + " " + std::to_string(IoprioGet());
  });
  EXPECT_EQ(outcome.output, std::to_string((2 << 13) | 6) + " " + std::to_string(3 << 13));
}

TEST(ApplyIoPriority, RejectsBadClassAndLevel) {
  spec::Process p;
  p.ioPriority = spec::IoPriority{.class_ = "IOPRIO_CLASS_NONE", .priority = 0};
  EXPECT_FALSE(ApplyIoPriority(p).ok());
  p.ioPriority = spec::IoPriority{.class_ = "IOPRIO_CLASS_BE", .priority = 8};
  EXPECT_FALSE(ApplyIoPriority(p).ok());
}

TEST(ApplyPersonality, Linux32ChangesUnameMachine) {
  auto outcome = RunInChild([] {
    spec::Linux l;
    l.personality = spec::Personality{.domain = "LINUX32"};
    if (Status s = ApplyPersonality(l); !s) return Err(s);
    struct utsname u;
    uname(&u);
    return std::to_string(personality(0xffffffff)) + " " + u.machine;
  });
  EXPECT_EQ(outcome.output, std::to_string(PER_LINUX32) + " i686");
}

TEST(ApplyPersonality, RejectsUnknownDomainAndAnyFlag) {
  spec::Linux l;
  l.personality = spec::Personality{.domain = "SVR4"};
  EXPECT_FALSE(ApplyPersonality(l).ok());
  l.personality = spec::Personality{.domain = "LINUX", .flags = {"ADDR_NO_RANDOMIZE"}};
  Status s = ApplyPersonality(l);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("ADDR_NO_RANDOMIZE"), std::string::npos);
}

TEST(ApplyCpuAffinity, PinsToTheListedCpus) {
  cpu_set_t all;
  sched_getaffinity(0, sizeof(all), &all);
  if (!CPU_ISSET(0, &all)) GTEST_SKIP() << "cpu 0 not available to this process";
  auto outcome = RunInChild([] {
    if (Status s = ApplyCpuAffinity("0"); !s) return Err(s);
    cpu_set_t set;
    sched_getaffinity(0, sizeof(set), &set);
    return std::to_string(CPU_COUNT(&set)) + (CPU_ISSET(0, &set) ? " cpu0" : "");
  });
  EXPECT_EQ(outcome.output, "1 cpu0");
}

TEST(ApplyCpuAffinity, NonexistentCpuFails) {
  auto outcome = RunInChild([] { return Err(ApplyCpuAffinity("4000")); });
  EXPECT_NE(outcome.output.find("sched_setaffinity \"4000\""), std::string::npos) << outcome.output;
}

TEST(ApplyNoNewPrivileges, SetsTheFlagOnlyWhenAsked) {
  auto outcome = RunInChild([] {
    if (Status s = ApplyNoNewPrivileges(false); !s) return Err(s);
    std::string out = std::to_string(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    if (Status s = ApplyNoNewPrivileges(true); !s) return Err(s);
    return out + " " + std::to_string(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  });
  EXPECT_EQ(outcome.output, "0 1");
}

TEST(ApplyMemoryPolicy, BindAndInterleaveOnNodeZero) {
  auto outcome = RunInChild([] {
    spec::Linux l;
    l.memoryPolicy = spec::MemoryPolicy{.mode = "MPOL_BIND", .nodes = "0"};
    if (Status s = ApplyMemoryPolicy(l); !s) return Err(s);
    int mode = -1;
    unsigned long mask[16] = {};
    if (syscall(SYS_get_mempolicy, &mode, mask, 1024, nullptr, 0) != 0) return std::string("get");
    std::string out = std::to_string(mode) + ":" + std::to_string(mask[0]);
    l.memoryPolicy =
        spec::MemoryPolicy{.mode = "MPOL_INTERLEAVE", .nodes = "0", .flags = {"MPOL_F_STATIC_NODES"}};
    if (Status s = ApplyMemoryPolicy(l); !s) return Err(s);
    if (syscall(SYS_get_mempolicy, &mode, mask, 1024, nullptr, 0) != 0) return std::string("get");
    return out + " " + std::to_string(mode);
  });
  if (outcome.output.find(strerrordesc_np(ENOSYS)) != std::string::npos)
    GTEST_SKIP() << "kernel without NUMA support (set_mempolicy: ENOSYS)";
  EXPECT_EQ(outcome.output,
            std::to_string(MPOL_BIND) + ":1 " + std::to_string(MPOL_INTERLEAVE | MPOL_F_STATIC_NODES));
}

TEST(ApplyMemoryPolicy, ErrorsNameTheProblem) {
  spec::Linux l;
  l.memoryPolicy = spec::MemoryPolicy{.mode = "MPOL_FAST"};
  EXPECT_FALSE(ApplyMemoryPolicy(l).ok());
  l.memoryPolicy = spec::MemoryPolicy{.mode = "MPOL_BIND", .nodes = "0", .flags = {"MPOL_F_X"}};
  EXPECT_FALSE(ApplyMemoryPolicy(l).ok());
  auto outcome = RunInChild([] {
    spec::Linux bad;
    bad.memoryPolicy = spec::MemoryPolicy{.mode = "MPOL_BIND", .nodes = "1000"};
    return Err(ApplyMemoryPolicy(bad));
  });
  EXPECT_NE(outcome.output.find("set_mempolicy MPOL_BIND nodes \"1000\""), std::string::npos)
      << outcome.output;
}

}  // namespace
}  // namespace berth::process
