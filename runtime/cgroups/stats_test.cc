// Stats readers against fake v1 and v2 trees -> runc's types.Stats JSON,
// and the OOM watchers (v2 through inotify on the fake memory.events).
#include "runtime/cgroups/stats.h"

#include <poll.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/layout.h"
#include "runtime/cgroups/manager.h"
#include "runtime/cgroups/oom_watch.h"
#include "runtime/cgroups/testing/fake_tree.h"

namespace berth::cgroups {
namespace {

using testing::WriteFile;

TEST(StatsV1Test, ReadsEveryControllerIntoRuncsJson) {
  testing::TempDir tmp;
  const std::string& r = tmp.path();
  const long hz = sysconf(_SC_CLK_TCK);
  WriteFile(r + "/cpuacct/c/cpuacct.usage", "3000\n");
  WriteFile(r + "/cpuacct/c/cpuacct.usage_percpu", "1000 2000 \n");
  WriteFile(r + "/cpuacct/c/cpuacct.stat",
            "user " + std::to_string(2 * hz) + "\nsystem " + std::to_string(hz) + "\n");
  WriteFile(r + "/cpuacct/c/cpuacct.usage_all", "cpu user system\n0 600 400\n1 1500 500\n");
  WriteFile(r + "/cpu/c/cpu.stat", "nr_periods 10\nnr_throttled 2\nthrottled_time 777\n");
  WriteFile(r + "/memory/c/memory.stat", "cache 4096\nrss 8192\n");
  WriteFile(r + "/memory/c/memory.usage_in_bytes", "12288\n");
  WriteFile(r + "/memory/c/memory.max_usage_in_bytes", "20480\n");
  WriteFile(r + "/memory/c/memory.limit_in_bytes", "67108864\n");
  WriteFile(r + "/memory/c/memory.failcnt", "3\n");
  WriteFile(r + "/memory/c/memory.memsw.usage_in_bytes", "12288\n");
  WriteFile(r + "/memory/c/memory.memsw.limit_in_bytes", "134217728\n");
  WriteFile(r + "/pids/c/pids.current", "4\n");
  WriteFile(r + "/pids/c/pids.max", "max\n");
  WriteFile(r + "/blkio/c/blkio.throttle.io_service_bytes_recursive",
            "8:0 Read 512\n8:0 Write 1024\nTotal 1536\n");
  WriteFile(r + "/blkio/c/blkio.throttle.io_serviced_recursive", "8:0 Read 1\n8:0 Write 2\nTotal 3\n");
  WriteFile(r + "/cpuset/c/cpuset.cpus", "0-2,5\n");
  WriteFile(r + "/cpuset/c/cpuset.mems", "0\n");
  WriteFile(r + "/cpuset/c/cpuset.sched_load_balance", "1\n");
  WriteFile(r + "/cpuset/c/cpuset.sched_relax_domain_level", "-1\n");
  WriteFile(r + "/hugetlb/c/hugetlb.2MB.limit_in_bytes", "0\n");
  WriteFile(r + "/hugetlb/c/hugetlb.2MB.usage_in_bytes", "2097152\n");
  WriteFile(r + "/hugetlb/c/hugetlb.2MB.max_usage_in_bytes", "4194304\n");
  WriteFile(r + "/hugetlb/c/hugetlb.2MB.failcnt", "1\n");
  testing::DirectoryCgroupFs fs(r);
  std::map<std::string, std::string> paths;
  for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "hugetlb"}) paths[c] = "/c";
  Stats stats;
  ASSERT_TRUE(ReadV1Stats(fs, paths, stats).ok());
  EXPECT_EQ(
      StatsJson(stats),
      "{\"cpu\":{\"usage\":{\"total\":3000,\"percpu\":[1000,2000],\"percpu_kernel\":[400,500],"
      "\"percpu_user\":[600,1500],\"kernel\":1000000000,\"user\":2000000000},"
      "\"throttling\":{\"periods\":10,\"throttledPeriods\":2,\"throttledTime\":777}},"
      "\"cpuset\":{\"cpus\":[0,1,2,5],\"cpu_exclusive\":0,\"mems\":[0],\"mem_hardwall\":0,\"mem_exclusive\":0,\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,\"memory_pressure\":0,\"sched_load_balance\":1,\"sched_relax_domain_level\":-1},"
      "\"memory\":{\"cache\":4096,\"usage\":{\"limit\":67108864,\"usage\":12288,\"max\":20480,\"failcnt\":3},"
      "\"swap\":{\"limit\":134217728,\"usage\":12288,\"failcnt\":0},\"kernel\":{\"limit\":0,\"failcnt\":0},"
      "\"kernelTCP\":{\"limit\":0,\"failcnt\":0},\"raw\":{\"cache\":4096,\"rss\":8192}},"
      "\"pids\":{\"current\":4},"
      "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":512},"
      "{\"major\":8,\"op\":\"Write\",\"value\":1024}],\"ioServicedRecursive\":[{\"major\":8,\"op\":\"Read\","
      "\"value\":1},{\"major\":8,\"op\":\"Write\",\"value\":2}]},"
      "\"hugetlb\":{\"2MB\":{\"usage\":2097152,\"max\":4194304,\"failcnt\":1}},"
      "\"intel_rdt\":{},\"network_interfaces\":null}");
}

TEST(StatsV2Test, ConvertsV2FilesAsRuncDoes) {
  testing::TempDir tmp;
  const std::string d = tmp.path() + "/c";
  WriteFile(d + "/cpu.stat",
            "usage_usec 5\nuser_usec 3\nsystem_usec 2\nnr_periods 4\nnr_throttled 1\nthrottled_usec 9\n");
  WriteFile(d + "/memory.stat", "anon 100\nfile 200\n");
  WriteFile(d + "/memory.current", "300\n");
  WriteFile(d + "/memory.max", "max\n");
  WriteFile(d + "/memory.events", "low 0\nhigh 0\nmax 6\noom 1\noom_kill 1\n");
  WriteFile(d + "/memory.swap.current", "50\n");
  WriteFile(d + "/memory.swap.max", "1000\n");
  WriteFile(d + "/pids.current", "2\n");
  WriteFile(d + "/pids.max", "100\n");
  WriteFile(d + "/io.stat", "8:16 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n");
  WriteFile(d + "/hugetlb.2MB.max", "max\n");
  WriteFile(d + "/hugetlb.2MB.current", "0\n");
  WriteFile(d + "/hugetlb.2MB.events", "max 2\n");
  testing::DirectoryCgroupFs fs(tmp.path());
  Stats stats;
  ASSERT_TRUE(ReadV2Stats(fs, "/c", stats).ok());
  EXPECT_EQ(
      StatsJson(stats),
      "{\"cpu\":{\"usage\":{\"total\":5000,\"kernel\":2000,\"user\":3000},"
      "\"throttling\":{\"periods\":4,\"throttledPeriods\":1,\"throttledTime\":9000}},"
      "\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,\"memory_pressure\":0,\"sched_load_balance\":0,\"sched_relax_domain_level\":0},"
      "\"memory\":{\"cache\":200,\"usage\":{\"limit\":18446744073709551615,\"usage\":300,\"failcnt\":6},"
      "\"swap\":{\"limit\":18446744073709551615,\"usage\":350,\"failcnt\":0},"
      "\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0},"
      "\"raw\":{\"anon\":100,\"file\":200}},"
      "\"pids\":{\"current\":2,\"limit\":100},"
      "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"minor\":16,\"op\":\"Read\",\"value\":10},"
      "{\"major\":8,\"minor\":16,\"op\":\"Write\",\"value\":20}],\"ioServicedRecursive\":[{\"major\":8,"
      "\"minor\":16,\"op\":\"Read\",\"value\":1},{\"major\":8,\"minor\":16,\"op\":\"Write\",\"value\":2}]},"
      "\"hugetlb\":{\"2MB\":{\"failcnt\":2}},\"intel_rdt\":{},\"network_interfaces\":null}");
}

// Hybrid (this host's layout): v1 statistics, hugetlb from the unified side.
TEST(StatsHybridTest, HugetlbComesFromTheUnifiedHierarchy) {
  testing::TempDir tmp;
  testing::MakeV1Tree(tmp.path() + "/v1", {"memory", "pids", "devices", "freezer"});
  testing::MakeV2Tree(tmp.path() + "/unified", {"hugetlb"});
  Host host;
  host.layout = Layout::kHybrid;
  host.v1 = std::make_shared<testing::RecordingCgroupFs>(tmp.path() + "/v1");
  host.v2 = std::make_shared<testing::RecordingCgroupFs>(tmp.path() + "/unified");
  CgroupSpec spec;
  spec.container_id = "c1";
  auto m = std::move(NewManagerOn(host, spec, "")).value();
  ASSERT_TRUE(m->Create().ok());
  WriteFile(tmp.path() + "/v1/pids/berth/c1/pids.current", "3\n");
  WriteFile(tmp.path() + "/v1/memory/berth/c1/memory.usage_in_bytes", "4096\n");
  WriteFile(tmp.path() + "/unified/berth/c1/hugetlb.2MB.current", "2097152\n");
  WriteFile(tmp.path() + "/unified/berth/c1/hugetlb.2MB.events", "max 1\n");
  auto stats = m->GetStats();
  ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  EXPECT_EQ(stats->pids.current, 3u);
  EXPECT_EQ(stats->memory.usage.usage, 4096u);
  ASSERT_EQ(stats->hugetlb.count("2MB"), 1u);
  EXPECT_EQ(stats->hugetlb["2MB"].usage, 2097152u);
  EXPECT_EQ(stats->hugetlb["2MB"].failcnt, 1u);
}

TEST(OomWatchTest, V2ReportsNewOomKillsOnly) {
  testing::TempDir tmp;
  WriteFile(tmp.path() + "/c/memory.events", "oom 1\noom_kill 1\n");
  testing::DirectoryCgroupFs fs(tmp.path());
  auto watcher = WatchV2Oom(fs, "/c");
  ASSERT_TRUE(watcher.ok()) << watcher.error().ToString();
  pollfd p = {(*watcher)->fd(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0);  // nothing yet: the earlier kill is not news
  ASSERT_TRUE(fs.Write("/c", "memory.events", "oom 3\noom_kill 3\n").ok());
  ASSERT_EQ(poll(&p, 1, -1), 1);
  EXPECT_EQ(*(*watcher)->Consume(), 2u);
  ASSERT_TRUE(fs.Write("/c", "memory.events", "oom 3\noom_kill 3\nhigh 1\n").ok());
  ASSERT_EQ(poll(&p, 1, -1), 1);
  EXPECT_EQ(*(*watcher)->Consume(), 0u);  // a change that is no OOM kill
}

TEST(OomWatchTest, V1RegistersTheEventfdForMemoryOomControl) {
  testing::TempDir tmp;
  WriteFile(tmp.path() + "/memory/c/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
  WriteFile(tmp.path() + "/memory/c/cgroup.event_control", "");
  testing::DirectoryCgroupFs fs(tmp.path());
  auto watcher = WatchV1Oom(fs, "memory/c");
  ASSERT_TRUE(watcher.ok()) << watcher.error().ToString();
  std::string registered = testing::ReadFile(tmp.path() + "/memory/c/cgroup.event_control");
  int event_fd = -1, oom_fd = -1;
  ASSERT_EQ(sscanf(registered.c_str(), "%d %d", &event_fd, &oom_fd), 2) << registered;
  EXPECT_EQ(event_fd, (*watcher)->fd());
  char link[4096];
  std::string fd_path = "/proc/self/fd/" + std::to_string(oom_fd);
  ssize_t n = readlink(fd_path.c_str(), link, sizeof link - 1);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(link, n), tmp.path() + "/memory/c/memory.oom_control");
}

}  // namespace
}  // namespace berth::cgroups
