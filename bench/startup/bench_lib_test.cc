#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <string>

#include "bench/startup/bundle.h"
#include "bench/startup/command.h"
#include "bench/startup/stats.h"
#include "spec/json.h"

namespace berth::bench {

namespace json = spec::json;
namespace {

// ------------------------------------------------------------- statistics

TEST(Stats, MedianOfOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(*Median({5, 1, 3}), 3);
  EXPECT_DOUBLE_EQ(*Median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(*Median({7}), 7);
  EXPECT_FALSE(Median({}).has_value());
}

TEST(Stats, PercentileInterpolatesBetweenRanks) {
  std::vector<double> v = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
  EXPECT_DOUBLE_EQ(*Percentile(v, 0), 10);
  EXPECT_DOUBLE_EQ(*Percentile(v, 100), 100);
  EXPECT_DOUBLE_EQ(*Percentile(v, 90), 91);  // rank 8.1 between 90 and 100
  EXPECT_FALSE(Percentile(v, 101).has_value());
  EXPECT_FALSE(Percentile(v, -1).has_value());
  EXPECT_FALSE(Percentile(v, NAN).has_value());
}

TEST(Stats, RatioNeedsAPositiveBase) {
  EXPECT_DOUBLE_EQ(*Ratio(87.0, 29.0), 3.0);
  EXPECT_FALSE(Ratio(1.0, 0.0).has_value());
  EXPECT_FALSE(Ratio(std::nullopt, 2.0).has_value());
  EXPECT_FALSE(Ratio(2.0, std::nullopt).has_value());
}

TEST(Stats, SummaryHasOneTablePerFamilyWithRatios) {
  std::vector<SummaryRow> rows = {
      {"run", "floor", "ms", {7, 7, 7}, 1024, ""},
      {"run", "berth", "ms", {14, 14, 14}, 2048, ""},
      {"run", "crun", "ms", {28, 28}, std::nullopt, ""},
      {"exec", "runc", "ms", {50, 60, 70}, std::nullopt, ""},
  };
  std::string md = FormatSummary(rows, {"berth", "crun", "floor"});
  EXPECT_NE(md.find("### run (ms)"), std::string::npos) << md;
  EXPECT_NE(md.find("### exec (ms)"), std::string::npos) << md;
  EXPECT_LT(md.find("### run"), md.find("### exec"));
  EXPECT_NE(md.find("| runtime | n | median | p90 | × berth | × crun | × floor | peak RSS MiB |"),
            std::string::npos)
      << md;
  // berth: 14 ms = 1x berth, 0.5x crun, 2x floor, 2 MiB.
  EXPECT_NE(md.find("| berth | 3 | 14.00 | 14.00 | 1.00 | 0.50 | 2.00 | 2.0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| crun | 2 | 28.00 | 28.00 | 2.00 | 1.00 | 4.00 | – |"), std::string::npos) << md;
  // The exec family has none of the references: no ratio columns, no RSS.
  EXPECT_NE(md.find("| runc | 3 | 60.00 | 68.00 |\n"), std::string::npos) << md;
}

TEST(Stats, SummaryListsErroredRowsUnderTheirTable) {
  SummaryRow failed{"exec", "berth", "ms", {}, std::nullopt, "exec failed: exit 3: no exec"};
  SummaryRow ok{"exec", "runc", "ms", {50}, std::nullopt, ""};
  std::string md = FormatSummary({failed, ok}, {"berth"});
  EXPECT_EQ(md.find("| berth |"), std::string::npos) << md;  // no samples, no row
  EXPECT_EQ(md.find("× berth"), std::string::npos) << md;    // and no ratio to it
  EXPECT_NE(md.find("| runc | 1 | 50.00 | 50.00 |\n\n- berth: skipped — exec failed: exit 3: no exec\n"),
            std::string::npos)
      << md;
}

// ------------------------------------------------------------ config edits

constexpr const char* kRuncLikeTemplate = R"({
  "ociVersion": "1.0.2-dev",
  "process": {"terminal": true, "args": ["sh"], "cwd": "/"},
  "root": {"path": "rootfs", "readonly": true},
  "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"},
                           {"type": "uts"}, {"type": "mount"}]}
})";

TEST(Config, AdaptTemplateSetsTerminalArgsAndRoot) {
  auto v = json::Parse(kRuncLikeTemplate);
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(AdaptTemplate(*v, "/abs/rootfs", {"/bin/true"}).ok());
  EXPECT_FALSE(v->Find("process")->Find("terminal")->boolean);
  EXPECT_EQ(v->Find("process")->Find("args")->Dump(), R"(["/bin/true"])");
  EXPECT_EQ(v->Find("process")->Find("cwd")->text, "/");
  EXPECT_EQ(v->Find("root")->Find("path")->text, "/abs/rootfs");
  EXPECT_TRUE(v->Find("root")->Find("readonly")->boolean);
  EXPECT_EQ(v->Find("ociVersion")->text, "1.0.2-dev");  // kept when none is given
  ASSERT_TRUE(AdaptTemplate(*v, "/abs/rootfs", {"/bin/true"}, "1.0.2").ok());
  EXPECT_EQ(v->Find("ociVersion")->text, "1.0.2");
}

TEST(Config, AdaptTemplateRejectsConfigWithoutProcessOrRoot) {
  auto v = json::Parse(R"({"root": {"path": "r"}})");
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(AdaptTemplate(*v, "/r", {"/bin/true"}).ok());
  v = json::Parse(R"({"process": {}})");
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(AdaptTemplate(*v, "/r", {"/bin/true"}).ok());
}

TEST(Config, NamespaceFlagsOfTheDefaultTemplate) {
  auto v = json::Parse(kRuncLikeTemplate);
  ASSERT_TRUE(v.ok());
  auto flags = NamespaceCloneFlags(*v);
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(*flags,
            static_cast<uint64_t>(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS));
}

TEST(Config, NamespacesWithAPathAreJoinedNotCreated) {
  auto v = json::Parse(R"({"linux": {"namespaces": [{"type": "user"},
      {"type": "network", "path": "/proc/1/ns/net"}, {"type": "cgroup"}, {"type": "time"}]}})");
  ASSERT_TRUE(v.ok());
  auto flags = NamespaceCloneFlags(*v);
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(*flags, static_cast<uint64_t>(CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWTIME));
  EXPECT_EQ(*NamespaceCloneFlags(*json::Parse("{}")), 0u);
  EXPECT_FALSE(NamespaceCloneFlags(*json::Parse(R"({"linux":{"namespaces":[{"type":"x"}]}})")).ok());
}

// ------------------------------------------------------------------- files

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = getenv("TEST_TMPDIR");
    std::string t = std::string(base ? base : "/tmp") + "/bench-XXXXXX";
    ASSERT_NE(mkdtemp(t.data()), nullptr);
    dir_ = t;
  }
  void TearDown() override { EXPECT_TRUE(RemoveTree(dir_).ok()); }
  std::string dir_;
};

TEST_F(TempDir, BuildBenchRootfsCopiesPayloadsAndIsRepeatable) {
  ASSERT_TRUE(WriteFile(dir_ + "/t", "TRUE").ok());
  ASSERT_TRUE(WriteFile(dir_ + "/p", "PAUSE").ok());
  std::string rootfs = dir_ + "/rootfs";
  for (int round = 0; round < 2; ++round) {
    auto st = BuildBenchRootfs(rootfs, dir_ + "/t", dir_ + "/p");
    ASSERT_TRUE(st.ok()) << st.error().ToString();
  }
  EXPECT_EQ(*base::ReadFileText(rootfs + "/bin/true"), "TRUE");
  EXPECT_EQ(*base::ReadFileText(rootfs + "/bin/pause"), "PAUSE");
  struct stat s {};
  ASSERT_EQ(stat((rootfs + "/bin/true").c_str(), &s), 0);
  EXPECT_EQ(s.st_mode & 07777, 0755u);
  for (const char* d : {"/proc", "/sys", "/dev", "/tmp", "/etc"}) {
    ASSERT_EQ(stat((rootfs + d).c_str(), &s), 0) << d;
    EXPECT_TRUE(S_ISDIR(s.st_mode)) << d;
  }
  EXPECT_FALSE(base::ReadFileText(rootfs + "/bin/spawn").ok());  // only with curves
  ASSERT_TRUE(BuildBenchRootfs(rootfs, dir_ + "/t", dir_ + "/p", dir_ + "/t").ok());
  EXPECT_EQ(*base::ReadFileText(rootfs + "/bin/spawn"), "TRUE");
  EXPECT_FALSE(BuildBenchRootfs(rootfs, dir_ + "/missing", dir_ + "/p").ok());
}

TEST_F(TempDir, ReadFileOfAMissingFileCarriesErrno) {
  auto r = base::ReadFileText(dir_ + "/nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ENOENT);
}

// ---------------------------------------------------------------- commands

TEST(Command, ReportsExitStatusOutputAndRss) {
  auto ok = RunCommand({"/bin/sh", "-c", "echo out; echo err >&2"});
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_TRUE(ok->Succeeded());
  EXPECT_EQ(ok->output, "out\nerr\n");
  EXPECT_GT(ok->max_rss_kib, 0);
  EXPECT_GT(ok->wall_ms, 0);

  auto fail = RunCommand({"/bin/sh", "-c", "echo boom >&2; exit 3"});
  ASSERT_TRUE(fail.ok());
  EXPECT_FALSE(fail->Succeeded());
  EXPECT_EQ(fail->Describe(), "exit 3: boom");

  auto killed = RunCommand({"/bin/sh", "-c", "kill -9 $$"});
  ASSERT_TRUE(killed.ok());
  EXPECT_EQ(killed->Describe(), "killed by signal 9");
}

TEST(Command, AHungCommandIsKilledAtTheTimeout) {
  SetCommandTimeoutMs(200);
  int64_t start = MonotonicNanos();
  auto r = RunCommand({"/bin/sleep", "30"});
  SetCommandTimeoutMs(60000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ETIMEDOUT);
  EXPECT_LT(static_cast<double>(MonotonicNanos() - start) / 1e9, 20);
}

TEST(Command, WaitAnyReturnsTheOneThatExited) {
  auto slow = Spawn({"/bin/sleep", "30"});
  auto fast = Spawn({"/bin/true"});
  ASSERT_TRUE(slow.ok() && fast.ok());
  std::vector<Spawned> running = {*slow, *fast};
  auto i = WaitAny(running);
  ASSERT_TRUE(i.ok()) << i.error().ToString();
  EXPECT_EQ(*i, 1u);
  EXPECT_TRUE(Reap(*fast)->Succeeded());
  // Only the sleeper is left: the timeout kills it.
  SetCommandTimeoutMs(200);
  auto timed_out = WaitAny({*slow});
  SetCommandTimeoutMs(60000);
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.error().code(), ETIMEDOUT);
  auto reaped = Reap(*slow);
  ASSERT_TRUE(reaped.ok());
  EXPECT_EQ(reaped->Describe(), "killed by signal 9");
}

TEST(Command, PeakRssIsTheChildsNotThisProcesss) {
  // Map and touch 64 MiB of shared memory in this process (like the shared
  // libraries that make up most of the benchmark's own RSS), then run a
  // small program: its reported peak must stay far below 64 MiB. (A vfork
  // child would report this process's peak.)
  constexpr size_t kBallast = 64 << 20;
  int fd = memfd_create("ballast", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, kBallast), 0);
  void* ballast = mmap(nullptr, kBallast, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(ballast, MAP_FAILED);
  memset(ballast, 1, kBallast);
  auto small = RunCommand({"/bin/true"});
  munmap(ballast, kBallast);
  close(fd);
  ASSERT_TRUE(small.ok());
  EXPECT_LT(small->max_rss_kib, 32 * 1024) << "parent memory leaked into the child's ru_maxrss";
  // A child that touches 48 MiB itself reports at least that.
  auto big = RunCommand({"/bin/sh", "-c",
                         "x=$(head -c 50331648 /dev/zero | tr '\\0' a); "
                         "echo ${#x}"});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->output, "50331648\n");
  EXPECT_GT(big->max_rss_kib, 48 * 1024);
}

TEST(Command, MissingProgramIsAnError) {
  auto r = RunCommand({"/nonexistent/program"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ENOENT);
}

TEST(Command, StdinIsDevNull) {
  auto r = RunCommand({"/bin/sh", "-c", "cat; echo done"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, "done\n");
}

TEST_F(TempDir, SpawnThenReapLetsTwoRunAtOnce) {
  // `a` waits (up to 10 s) for a file that `b` creates: it can only print
  // "a saw b" if both were running at once.
  std::string flag = dir_ + "/b-ran";
  auto a = Spawn({"/bin/sh", "-c",
                  "i=0; while [ ! -e " + flag +
                      " ] && [ $i -lt 1000 ]; do sleep 0.01; "
                      "i=$((i+1)); done; [ -e " +
                      flag + " ] && echo 'a saw b'"});
  ASSERT_TRUE(a.ok());
  auto b = Spawn({"/bin/sh", "-c", "touch " + flag + "; echo b"});
  ASSERT_TRUE(b.ok());
  auto ra = Reap(*a);
  auto rb = Reap(*b);
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(ra->output, "a saw b\n");
  EXPECT_TRUE(ra->Succeeded());
  EXPECT_EQ(rb->output, "b\n");
}

TEST(Command, SpawnInAMountNamespaceJoinsItFirst) {
  int own = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(own, 0);
  auto r = RunCommand({"/bin/sh", "-c", "readlink /proc/self/ns/mnt; echo err >&2"}, own);
  if (!r.ok() && r.error().code() == EPERM) {
    close(own);
    GTEST_SKIP() << "setns(CLONE_NEWNS) needs CAP_SYS_ADMIN: " << r.error().ToString();
  }
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  char self[64] = {};
  ASSERT_GT(readlink("/proc/self/ns/mnt", self, sizeof self - 1), 0);
  EXPECT_EQ(r->output, std::string(self) + "\nerr\n");

  // Not a namespace fd: the child's setns fails and the error comes back.
  int not_ns = open("/dev/null", O_RDONLY | O_CLOEXEC);
  auto bad = RunCommand({"/bin/true"}, not_ns);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), EINVAL);
  EXPECT_NE(bad.error().message().find("setns"), std::string::npos);
  auto missing = RunCommand({"/nonexistent"}, own);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ENOENT);
  close(not_ns);
  close(own);
}

TEST(Command, FloorWithoutNamespacesExecsThePath) {
  auto r = RunInNewNamespaces(0, "/bin/true");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->Succeeded());
  auto f = RunInNewNamespaces(0, "/bin/false");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->Succeeded());
  auto missing = RunInNewNamespaces(0, "/nonexistent");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->Describe(), "exit 127");
}

}  // namespace
}  // namespace berth::bench
