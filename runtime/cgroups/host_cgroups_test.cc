// The managers on this machine's real /sys/fs/cgroup (root only): create,
// join, limits read back, freeze/thaw, kill, device filter, destroy.
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/cgroups/layout.h"
#include "runtime/cgroups/testing/fake_tree.h"
#include "runtime/cgroups/v2_manager.h"

namespace berth::cgroups {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A child that waits until killed; reaped by the destructor if still there.
class Sleeper {
 public:
  Sleeper() {
    pid_ = fork();
    if (pid_ == 0) {
      for (;;) pause();
    }
  }
  ~Sleeper() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

bool HostIsHybrid() {
  auto layout = DetectLayout("/sys/fs/cgroup");
  return layout.ok() && *layout == Layout::kHybrid;
}

std::string TestId(const char* what) {
  return std::string("berth-test-") + what + "-" + std::to_string(getpid());
}

class HostCgroupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to create cgroups";
  }
};

TEST_F(HostCgroupsTest, LayoutDetectionMatchesTheMounts) {
  auto layout = DetectLayout("/sys/fs/cgroup");
  ASSERT_TRUE(layout.ok()) << layout.error().ToString();
  bool unified_mounted = access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) == 0;
  bool pure_v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
  if (pure_v2)
    EXPECT_EQ(*layout, Layout::kV2);
  else if (unified_mounted)
    EXPECT_EQ(*layout, Layout::kHybrid);
  else
    EXPECT_EQ(*layout, Layout::kV1);
  EXPECT_FALSE(DetectLayout("/proc").ok());
}

TEST_F(HostCgroupsTest, V1LimitsFreezeKillDestroyOnTheHybridHost) {
  if (!HostIsHybrid()) GTEST_SKIP() << "this test is written for the hybrid layout; host is not hybrid";
  CgroupSpec spec;
  spec.container_id = TestId("v1");
  auto made = NewManager(spec);
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  Manager& m = **made;
  const std::string path = "/berth/" + spec.container_id;
  ASSERT_EQ(m.Path(), path);
  ASSERT_TRUE(m.Create().ok());

  Sleeper child;
  Status added = m.AddProcess(child.pid());
  ASSERT_TRUE(added.ok()) << added.error().ToString();
  std::string own = ReadFile("/proc/" + std::to_string(child.pid()) + "/cgroup");
  EXPECT_THAT(own, HasSubstr(":memory:" + path + "\n"));
  EXPECT_THAT(own, HasSubstr("0::" + path + "\n"));

  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 64 << 20;
  r.memory->reservation = 32 << 20;
  r.memory->swappiness = 10;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->cpus = "0";
  r.pids = spec::PidsResources{32};
  Status applied = m.ApplyResources(r);
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  const std::string root = "/sys/fs/cgroup";
  EXPECT_EQ(Trimmed(ReadFile(root + "/memory" + path + "/memory.limit_in_bytes")), "67108864");
  EXPECT_EQ(Trimmed(ReadFile(root + "/memory" + path + "/memory.soft_limit_in_bytes")), "33554432");
  EXPECT_EQ(Trimmed(ReadFile(root + "/memory" + path + "/memory.swappiness")), "10");
  EXPECT_EQ(Trimmed(ReadFile(root + "/cpu" + path + "/cpu.shares")), "512");
  EXPECT_EQ(Trimmed(ReadFile(root + "/cpu" + path + "/cpu.cfs_quota_us")), "50000");
  EXPECT_EQ(Trimmed(ReadFile(root + "/cpu" + path + "/cpu.cfs_period_us")), "100000");
  EXPECT_EQ(Trimmed(ReadFile(root + "/cpuset" + path + "/cpuset.cpus")), "0");
  EXPECT_EQ(Trimmed(ReadFile(root + "/pids" + path + "/pids.max")), "32");
  // The kernel's view of the device list: the implicit allow-list, no "a".
  std::string devices = ReadFile(root + "/devices" + path + "/devices.list");
  EXPECT_THAT(devices, HasSubstr("c 1:3 rwm"));
  EXPECT_THAT(devices, HasSubstr("c 136:* rwm"));
  EXPECT_THAT(devices, ::testing::Not(HasSubstr("a *:* rwm")));

  auto pids = m.Pids();
  ASSERT_TRUE(pids.ok());
  EXPECT_EQ(*pids, std::vector<pid_t>{child.pid()});

  ASSERT_TRUE(m.Freeze().ok());
  EXPECT_TRUE(*m.IsFrozen());
  EXPECT_EQ(Trimmed(ReadFile(root + "/freezer" + path + "/freezer.state")), "FROZEN");
  ASSERT_TRUE(m.Thaw().ok());
  EXPECT_FALSE(*m.IsFrozen());

  // Rebuilt from its state, as `berth kill` / `berth delete` would.
  auto loaded = LoadManager(m.Serialize());
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  ASSERT_TRUE((*loaded)->KillAll(SIGKILL).ok());
  int status = child.Wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  Status destroyed = (*loaded)->Destroy();
  ASSERT_TRUE(destroyed.ok()) << destroyed.error().ToString();
  for (const char* c :
       {"memory", "cpu", "cpuset", "pids", "freezer", "devices", "blkio", "systemd", "unified"})
    EXPECT_NE(access((root + "/" + c + path).c_str(), F_OK), 0) << c << " left behind";
  EXPECT_TRUE((*loaded)->Destroy().ok());
}

TEST_F(HostCgroupsTest, V1KillAllWithSigtermSignalsEveryProcess) {
  if (!HostIsHybrid()) GTEST_SKIP() << "this test is written for the hybrid layout; host is not hybrid";
  CgroupSpec spec;
  spec.container_id = TestId("term");
  auto m = NewManager(spec);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE((*m)->Create().ok());
  Sleeper a, b;
  ASSERT_TRUE((*m)->AddProcess(a.pid()).ok());
  ASSERT_TRUE((*m)->AddProcess(b.pid()).ok());
  ASSERT_TRUE((*m)->KillAll(SIGTERM).ok());
  int sa = a.Wait(), sb = b.Wait();
  EXPECT_TRUE(WIFSIGNALED(sa) && WTERMSIG(sa) == SIGTERM);
  EXPECT_TRUE(WIFSIGNALED(sb) && WTERMSIG(sb) == SIGTERM);
  EXPECT_TRUE((*m)->Destroy().ok());
}

std::set<std::string> UnifiedControllers() {
  std::set<std::string> out;
  std::string text = ReadFile("/sys/fs/cgroup/unified/cgroup.controllers");
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find_first_of(" \n", i);
    if (j == std::string::npos) j = text.size();
    if (j > i) out.insert(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The unified hierarchy of this host as a pure v2 tree: core files only.
class UnifiedV2Test : public HostCgroupsTest {
 protected:
  void SetUp() override {
    HostCgroupsTest::SetUp();
    if (IsSkipped()) return;
    if (!HostIsHybrid()) GTEST_SKIP() << "no cgroup2 at /sys/fs/cgroup/unified";
    fs_ = std::make_shared<CgroupFs>("/sys/fs/cgroup/unified");
    path_ = "/" + TestId("v2");
    m_ = std::make_unique<V2Manager>(fs_, path_);
    ASSERT_TRUE(m_->Create().ok());
  }
  void TearDown() override {
    if (m_) {
      (void)m_->KillAll(SIGKILL);
      Status s = m_->Destroy();
      EXPECT_TRUE(s.ok()) << s.error().ToString();
      EXPECT_NE(access(fs_->DirPath(path_).c_str(), F_OK), 0);
    }
  }
  std::shared_ptr<CgroupFs> fs_;
  std::string path_;
  std::unique_ptr<V2Manager> m_;
};

TEST_F(UnifiedV2Test, FreezeThawAndCgroupKill) {
  Sleeper child;
  ASSERT_TRUE(m_->AddProcess(child.pid()).ok());
  Status frozen = m_->Freeze();
  ASSERT_TRUE(frozen.ok()) << frozen.error().ToString();
  EXPECT_TRUE(*m_->IsFrozen());
  EXPECT_THAT(ReadFile(fs_->FilePath(path_, "cgroup.events")), HasSubstr("frozen 1"));
  ASSERT_TRUE(m_->Thaw().ok());
  EXPECT_FALSE(*m_->IsFrozen());
  ASSERT_TRUE(m_->HasKillFile());
  ASSERT_TRUE(m_->KillAll(SIGKILL).ok());
  int status = child.Wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_TRUE(m_->Pids()->empty());
}

TEST_F(UnifiedV2Test, DeviceFilterIsEnforcedByTheKernel) {
  if (access("/dev/kmsg", F_OK) != 0) GTEST_SKIP() << "no /dev/kmsg to be denied";
  Status applied = m_->ApplyResources(spec::Resources());
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  // Applying again replaces the program rather than stacking a second one.
  applied = m_->ApplyResources(spec::Resources());
  ASSERT_TRUE(applied.ok()) << applied.error().ToString();
  int dir = open(fs_->DirPath(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir, 0);
  uint32_t ids[8];
  bpf_attr query;
  std::memset(&query, 0, sizeof query);
  query.query.target_fd = static_cast<uint32_t>(dir);
  query.query.attach_type = BPF_CGROUP_DEVICE;
  query.query.prog_ids = reinterpret_cast<uintptr_t>(ids);
  query.query.prog_cnt = 8;
  ASSERT_EQ(syscall(__NR_bpf, BPF_PROG_QUERY, &query, sizeof query), 0) << strerror(errno);
  EXPECT_EQ(query.query.prog_cnt, 1u);
  close(dir);

  // A child moved into the cgroup reports which opens the kernel allowed.
  int report[2];
  ASSERT_EQ(pipe2(report, O_CLOEXEC), 0);
  int go[2];
  ASSERT_EQ(pipe2(go, O_CLOEXEC), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char c;
    if (read(go[0], &c, 1) != 1) _exit(2);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    int kmsg_fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
    char result[2] = {null_fd >= 0 ? 'y' : 'n', kmsg_fd >= 0 ? 'y' : (errno == EPERM ? 'p' : 'e')};
    if (write(report[1], result, 2) != 2) _exit(3);
    _exit(0);
  }
  Status added = m_->AddProcess(child);
  ASSERT_TRUE(added.ok()) << added.error().ToString();
  ASSERT_EQ(write(go[1], "x", 1), 1);
  char result[2] = {0, 0};
  ASSERT_EQ(read(report[0], result, 2), 2);
  waitpid(child, nullptr, 0);
  for (int fd : {report[0], report[1], go[0], go[1]}) close(fd);
  EXPECT_EQ(result[0], 'y') << "/dev/null must stay usable";
  EXPECT_EQ(result[1], 'p') << "/dev/kmsg must be denied with EPERM";
}

TEST_F(UnifiedV2Test, MemoryLimit) {
  if (!UnifiedControllers().count("memory"))
    GTEST_SKIP() << "cgroup v2 memory controller not available on this host (unified has only: "
                 << Trimmed(ReadFile("/sys/fs/cgroup/unified/cgroup.controllers")) << ")";
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 64 << 20;
  ASSERT_TRUE(m_->ApplyResources(r).ok());
  EXPECT_EQ(Trimmed(ReadFile(fs_->FilePath(path_, "memory.max"))), "67108864");
}

TEST_F(UnifiedV2Test, AbsentMemoryControllerIsAClearError) {
  if (UnifiedControllers().count("memory")) GTEST_SKIP() << "the host offers the v2 memory controller";
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 64 << 20;
  Status s = m_->ApplyResources(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "cgroup v2 memory controller not available");
}

}  // namespace
}  // namespace berth::cgroups
