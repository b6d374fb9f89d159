// `update` and `events` on real containers of this host (hybrid: v1
// controllers), and a device whose fileMode carries the file type bits.
// Need root; tagged exclusive.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "runtime/intelrdt/resctrl.h"
#include "runtime/tests/harness.h"
#include "spec/config_json.h"
#include "spec/json.h"

namespace berth::testing {
namespace {

// The container's directory in a v1 controller hierarchy (default cgroupsPath).
std::string V1Cgroup(const std::string& controller, const std::string& id) {
  return "/sys/fs/cgroup/" + controller + "/berth/" + id;
}

// These containers need no cgroupfs inside: leaving the mount out keeps the
// tests about update/events, whatever v1 hierarchies other software has
// activated on the host.
void WithoutCgroupMount(Bundle& bundle) {
  std::erase_if(bundle.config().mounts,
                [](const spec::Mount& m) { return m.destination == "/sys/fs/cgroup"; });
}

class UpdateEventsTest : public ContainerTest {
 protected:
  // A running `sleep` container with a 100 MiB memory limit.
  std::string RunSleeper(Bundle& bundle, const std::string& name) {
    bundle.SetArgs({"sleep", "1000"});
    WithoutCgroupMount(bundle);
    bundle.config().linux_->resources.emplace().memory.emplace().limit = 100 << 20;
    bundle.Save();
    std::string id = Use(name);
    CommandResult r = B({"run", "-d", "-b", bundle.dir(), id});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return id;
  }
  spec::Resources StoredResources(const std::string& id) {
    auto config = spec::ParseConfig(ReadFileOrEmpty(root_ + "/" + id + "/config.json"));
    EXPECT_TRUE(config.ok());
    if (!config.ok() || !config->linux_ || !config->linux_->resources) return {};
    return *config->linux_->resources;
  }
  void RequireV1(const char* controller) {
    if (!PathExists(std::string("/sys/fs/cgroup/") + controller + "/cgroup.procs"))
      GTEST_SKIP() << "this test reads the v1 " << controller << " hierarchy; the host has none";
  }
};

TEST_F(UpdateEventsTest, UpdateWritesTheCgroupAndTheStoredConfig) {
  RequireV1("memory");
  Bundle bundle;
  std::string id = RunSleeper(bundle, "upd1");
  CommandResult r = B({"update", "--memory", "64m", "--memory-swap", "128m", "--cpu-quota", "50000",
                       "--cpu-period", "100000", "--cpu-share", "512", "--pids-limit", "50", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("memory", id) + "/memory.limit_in_bytes")), "67108864");
  if (PathExists(V1Cgroup("memory", id) + "/memory.memsw.limit_in_bytes")) {
    EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("memory", id) + "/memory.memsw.limit_in_bytes")), "134217728");
  }
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("cpu", id) + "/cpu.cfs_quota_us")), "50000");
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("cpu", id) + "/cpu.shares")), "512");
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("pids", id) + "/pids.max")), "50");
  spec::Resources stored = StoredResources(id);
  ASSERT_TRUE(stored.memory && stored.cpu && stored.pids);
  EXPECT_EQ(stored.memory->limit, 64 << 20);
  EXPECT_EQ(stored.cpu->quota, 50000);
  EXPECT_EQ(stored.pids->limit, 50);
  // A later update of the swap alone orders its writes against the stored limit.
  r = B({"update", "--memory-swap", "96m", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("memory", id) + "/memory.limit_in_bytes")), "67108864");
  ASSERT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

TEST_F(UpdateEventsTest, UpdateOfAPausedContainer) {
  RequireV1("pids");
  Bundle bundle;
  std::string id = RunSleeper(bundle, "upd2");
  ASSERT_EQ(B({"pause", id}).exit_code, 0);
  CommandResult r = B({"update", "--pids-limit", "20", "--memory", "80m", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("pids", id) + "/pids.max")), "20");
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("memory", id) + "/memory.limit_in_bytes")),
            std::to_string(80 << 20));
  EXPECT_NE(B({"state", id}).out.find("\"paused\""), std::string::npos);
  ASSERT_EQ(B({"resume", id}).exit_code, 0);
  ASSERT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

TEST_F(UpdateEventsTest, AFailurePartWayChangesNothing) {
  RequireV1("cpuset");
  Bundle bundle;
  std::string id = RunSleeper(bundle, "upd3");
  const std::string config_before = ReadFileOrEmpty(root_ + "/" + id + "/config.json");
  // Memory and cpu are written before cpuset, which the kernel refuses.
  CommandResult r = B({"update", "--memory", "32m", "--cpu-quota", "20000", "--cpuset-cpus", "1023", id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("linux.resources.cpu.cpus"), std::string::npos) << r.err;
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("memory", id) + "/memory.limit_in_bytes")),
            std::to_string(100 << 20));
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("cpu", id) + "/cpu.cfs_quota_us")), "-1");
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/" + id + "/config.json"), config_before);
  ASSERT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

TEST_F(UpdateEventsTest, InvalidValuesAreRefusedWithRuncsMessages) {
  RequireV1("memory");
  Bundle bundle;
  std::string id = RunSleeper(bundle, "upd4");
  CommandResult r = B({"update", "--memory", "64m", "--memory-swap", "32m", id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("memory+swap limit should be >= memory limit"), std::string::npos) << r.err;
  // The init uses more than 4 KiB: the kernel cannot reclaim down to it.
  r = B({"update", "--memory", "4k", id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("unable to set memory limit to 4096 (current usage: "), std::string::npos) << r.err;
  r = B({"update", "--memory", "64x", id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("invalid value for memory: invalid size: '64x'"), std::string::npos) << r.err;
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("memory", id) + "/memory.limit_in_bytes")),
            std::to_string(100 << 20));
  EXPECT_EQ(StoredResources(id).memory->limit, 100 << 20);
  ASSERT_EQ(B({"delete", "-f", id}).exit_code, 0);
  // A stopped container is refused.
  r = B({"update", "--memory", "64m", id});
  EXPECT_NE(r.exit_code, 0);
}

TEST_F(UpdateEventsTest, SchemaFlagsWithoutResctrlAreRefusedAndChangeNothing) {
  if (auto mounted = intelrdt::FindResctrl())
    GTEST_SKIP() << "host has resctrl at " << *mounted << "; this test needs a host without";
  RequireV1("pids");
  Bundle bundle;
  std::string id = RunSleeper(bundle, "upd6");
  const std::string config_before = ReadFileOrEmpty(root_ + "/" + id + "/config.json");
  CommandResult r = B({"update", "--pids-limit", "9", "--l3-cache-schema", "L3:0=f", id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Intel RDT/CAT: l3 cache schema is not enabled"), std::string::npos) << r.err;
  r = B({"update", "--mem-bw-schema", "MB:0=50", id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Intel RDT/MBA: memory bandwidth schema is not enabled"), std::string::npos) << r.err;
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("pids", id) + "/pids.max")), "max");
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/" + id + "/config.json"), config_before);
  EXPECT_FALSE(PathExists(root_ + "/" + id + "/intelrdt"));
  ASSERT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

// docker through containerd's shim: `update --resources - ID`, JSON on stdin,
// with zeros for what the user did not ask for.
TEST_F(UpdateEventsTest, ResourcesJsonOnStandardInput) {
  RequireV1("pids");
  Bundle bundle;
  std::string id = RunSleeper(bundle, "upd5");
  const std::string json =
      R"({"memory":{"limit":67108864,"reservation":0,"swap":134217728},"cpu":{"shares":0,"quota":50000,)"
      R"("period":100000,"cpus":"","mems":""},"blockIO":{"weight":0},"pids":{"limit":50}})";
  CommandResult r = RunProgram(
      {"/bin/sh", "-c",
       "printf '%s' '" + json + "' | " + BerthPath() + " --root " + root_ + " update --resources - " + id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("memory", id) + "/memory.limit_in_bytes")), "67108864");
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("cpu", id) + "/cpu.cfs_quota_us")), "50000");
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("pids", id) + "/pids.max")), "50");
  // podman: --resources=FILE.
  WriteFile(bundle.dir() + "/resources.json", R"({"pids":{"limit":33}})");
  r = B({"update", "--resources=" + bundle.dir() + "/resources.json", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("pids", id) + "/pids.max")), "33");
  EXPECT_EQ(Trim(ReadFileOrEmpty(V1Cgroup("memory", id) + "/memory.limit_in_bytes")), "67108864");
  ASSERT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

TEST_F(UpdateEventsTest, EventsStatsShowsPidsAndMemory) {
  Bundle bundle;
  std::string id = RunSleeper(bundle, "ev1");
  CommandResult r = B({"events", "--stats", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = spec::json::Parse(r.out);
  ASSERT_TRUE(doc.ok()) << r.out;
  ASSERT_NE(doc->Find("type"), nullptr);
  EXPECT_EQ(doc->Find("type")->text, "stats");
  EXPECT_EQ(doc->Find("id")->text, id);
  const auto* data = doc->Find("data");
  ASSERT_NE(data, nullptr) << r.out;
  const auto* current = data->Find("pids") ? data->Find("pids")->Find("current") : nullptr;
  ASSERT_NE(current, nullptr) << r.out;
  EXPECT_GE(std::stoull(current->text), 1u);
  const auto* usage = data->Find("memory")->Find("usage")->Find("usage");
  ASSERT_NE(usage, nullptr) << r.out;
  EXPECT_GT(std::stoull(usage->text), 0u);
  EXPECT_EQ(data->Find("memory")->Find("usage")->Find("limit")->text, std::to_string(100 << 20));
  ASSERT_EQ(B({"delete", "-f", id}).exit_code, 0);
  r = B({"events", "--stats", id});
  EXPECT_NE(r.exit_code, 0);
}

// Reads lines from fd until one contains `needle`; gives up after `guard_ms`
// of silence (a hang guard, not a timing assertion).
bool ReadUntil(int fd, const std::string& needle, std::string& seen, int guard_ms) {
  for (;;) {
    if (seen.find(needle) != std::string::npos) return true;
    pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, guard_ms) <= 0) return false;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return seen.find(needle) != std::string::npos;
    seen.append(buf, n);
  }
}

// True at end of file; false after `guard_ms` of silence (a hang guard).
bool ReadToEof(int fd, int guard_ms) {
  for (;;) {
    pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, guard_ms) <= 0) return false;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return n == 0;
  }
}

TEST_F(UpdateEventsTest, EventsReportsOomKillsAndEndsWhenTheContainerStops) {
  RequireV1("memory");
  Bundle bundle;
  // dd's 64 MiB buffer does not fit in 16 MiB: each round's dd is
  // OOM-killed, until the test stops the container. The rounds start once
  // the test has events running (the file /go), and repeat so that no
  // registration race can lose them all.
  bundle.SetArgs({"sh", "-c",
                  "while :; do [ -e /go ] && dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; "
                  "sleep 0.1; done"});
  WithoutCgroupMount(bundle);
  auto& memory = bundle.config().linux_->resources.emplace().memory.emplace();
  memory.limit = 16 << 20;
  memory.swap = 16 << 20;
  bundle.Save();
  std::string id = Use("ev2");
  ASSERT_EQ(B({"run", "-d", "-b", bundle.dir(), id}).exit_code, 0);

  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  pid_t events = fork();
  if (events == 0) {
    dup2(out[1], 1);
    std::string berth = BerthPath();
    execl(berth.c_str(), berth.c_str(), "--root", root_.c_str(), "events", "--interval", "1h", id.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  WriteFile(bundle.rootfs() + "/go", "");
  std::string seen;
  bool got_oom = ReadUntil(out[0], "{\"type\":\"oom\",\"id\":\"" + id + "\"}\n", seen, 60000);
  EXPECT_TRUE(got_oom) << "no oom event; output: " << seen;
  // Stopping the container ends the stream by itself.
  ASSERT_EQ(B({"kill", id, "KILL"}).exit_code, 0);
  // The end of the stream is the end of the events process.
  bool ended = ReadToEof(out[0], 60000);
  int status = 0;
  if (!ended) {
    kill(events, SIGKILL);
    waitpid(events, &status, 0);
    ADD_FAILURE() << "events did not end when the container stopped";
  } else {
    waitpid(events, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  close(out[0]);
  ASSERT_EQ(B({"delete", "-f", id}).exit_code, 0);
}

// podman's --device /dev/fuse: fileMode 0o20600 (type bits included).
TEST_F(UpdateEventsTest, DeviceFileModeWithTypeBitsMakesTheNode) {
  Bundle bundle;
  bundle.SetArgs({"ls", "-l", "/dev/fuse"});
  WithoutCgroupMount(bundle);
  spec::Device fuse;
  fuse.type = "c";
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  fuse.fileMode = 020600;
  fuse.uid = 0;
  fuse.gid = 0;
  bundle.config().linux_->devices.push_back(fuse);
  bundle.Save();
  std::string id = Use("dev1");
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, 10), "crw-------") << r.out;
}

}  // namespace
}  // namespace berth::testing
