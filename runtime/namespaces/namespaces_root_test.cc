// Namespaces for real: joining by path, id maps, late cgroup/time unshare,
// host and domain names. Needs root; each case runs in a forked child.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/namespaces/namespaces.h"
#include "runtime/rootfs/root_test_util.h"

namespace berth::ns {
namespace {

using spec::NamespaceType;
using testing::ReadFile;
using testing::RunInChild;

#define EXPECT_CHILD_OK(report)                          \
  do {                                                   \
    std::string child_report_ = (report);                \
    EXPECT_TRUE(child_report_.empty()) << child_report_; \
  } while (0)

// A process parked in new namespaces until destroyed. `setup` runs in it
// after unshare; the parent may write its id maps before it continues.
class NamespaceHolder {
 public:
  NamespaceHolder(int flags, const std::function<bool()>& setup, bool wait_for_maps = false) {
    int ready[2], go[2];
    if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(ready[0]);
      close(go[1]);
      if (unshare(flags) != 0) _exit(1);
      char c = 0;
      if (wait_for_maps) {
        if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1) _exit(1);
      }
      if (!setup()) _exit(1);
      if (write(ready[1], &c, 1) != 1) _exit(1);
      (void)!read(go[0], &c, 1);  // until the holder is destroyed
      _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    ready_fd_ = ready[0];
    go_fd_ = go[1];
    char c;
    ok_ = read(ready_fd_, &c, 1) == 1;
  }
  // For wait_for_maps: lets setup run after the maps are written.
  bool Continue() {
    char c = 0;
    return write(go_fd_, &c, 1) == 1 && read(ready_fd_, &c, 1) == 1;
  }
  ~NamespaceHolder() {
    if (pid_ <= 0) return;
    close(go_fd_);
    close(ready_fd_);
    int st;
    waitpid(pid_, &st, 0);
  }
  bool ok() const { return ok_; }
  pid_t pid() const { return pid_; }
  std::string NsPath(const char* name) const { return "/proc/" + std::to_string(pid_) + "/ns/" + name; }

 private:
  pid_t pid_ = -1;
  int ready_fd_ = -1, go_fd_ = -1;
  bool ok_ = false;
};

class NamespacesRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::RunningAsRoot()) GTEST_SKIP() << "needs root to create namespaces";
  }
};

spec::Linux With(std::vector<spec::Namespace> namespaces) {
  spec::Linux l;
  l.namespaces = std::move(namespaces);
  return l;
}

std::string Hostname() {
  char buf[256] = {0};
  gethostname(buf, sizeof(buf) - 1);
  return buf;
}

TEST_F(NamespacesRootTest, JoinUtsByPath) {
  NamespaceHolder holder(CLONE_NEWUTS, [] { return sethostname("joined-uts", 10) == 0; });
  ASSERT_TRUE(holder.ok());
  const std::string host = Hostname();
  EXPECT_CHILD_OK(RunInChild(
      [&]() -> std::string {
        CHILD_OK(JoinNamespaces(With({{NamespaceType::uts, holder.NsPath("uts")}})));
        CHILD_CHECK(Hostname() == "joined-uts");
        return "";
      },
      0));
  EXPECT_EQ(Hostname(), host);
}

TEST_F(NamespacesRootTest, JoinUserNamespaceFirstAndBecomeRoot) {
  // The holder's uts namespace is owned by its user namespace: joining the
  // uts namespace works only after the user namespace was joined.
  NamespaceHolder holder(
      CLONE_NEWUSER | CLONE_NEWUTS, [] { return sethostname("in-userns", 9) == 0; },
      /*wait_for_maps=*/true);
  ASSERT_TRUE(holder.ok());
  spec::Linux maps = With({{NamespaceType::user, ""}});
  maps.uidMappings = {{0, 200000, 1000}};
  maps.gidMappings = {{0, 300000, 1000}};
  ASSERT_TRUE(WriteIdMappings(holder.pid(), maps).ok());
  ASSERT_TRUE(holder.Continue());
  // Listed uts first on purpose: the user namespace must still be joined first.
  auto l = With({{NamespaceType::uts, holder.NsPath("uts")}, {NamespaceType::user, holder.NsPath("user")}});
  EXPECT_CHILD_OK(RunInChild(
      [&]() -> std::string {
        CHILD_OK(JoinNamespaces(l));
        CHILD_CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0);
        CHILD_CHECK(Hostname() == "in-userns");
        std::string map = ReadFile("/proc/self/uid_map");
        CHILD_CHECK(map.find("200000") != std::string::npos);
        return "";
      },
      0));
}

TEST_F(NamespacesRootTest, WriteIdMappings) {
  NamespaceHolder holder(
      CLONE_NEWUSER, [] { return true; }, /*wait_for_maps=*/true);
  ASSERT_TRUE(holder.ok());
  spec::Linux l = With({{NamespaceType::user, ""}});
  l.uidMappings = {{0, 100000, 65536}};
  l.gidMappings = {{0, 100000, 1}, {1, 200001, 10}};
  Status s = WriteIdMappings(holder.pid(), l);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  const std::string proc = "/proc/" + std::to_string(holder.pid());
  EXPECT_NE(ReadFile(proc + "/uid_map").find("100000"), std::string::npos);
  std::string gid_map = ReadFile(proc + "/gid_map");
  EXPECT_NE(gid_map.find("200001"), std::string::npos) << gid_map;
  // A privileged writer does not need to deny setgroups.
  EXPECT_EQ(ReadFile(proc + "/setgroups"), "allow\n");
  // Maps can be written once: a second write is an error naming the file.
  Status again = WriteIdMappings(holder.pid(), l);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message().find("uid_map"), std::string::npos);
  EXPECT_TRUE(holder.Continue());
}

// Without CAP_SETGID the writer may only map its own gid, and only after
// denying setgroups: WriteIdMappings must notice and deny it.
TEST_F(NamespacesRootTest, UnprivilegedWriterDeniesSetgroups) {
  NamespaceHolder holder(
      CLONE_NEWUSER, [] { return true; }, /*wait_for_maps=*/true);
  ASSERT_TRUE(holder.ok());
  const pid_t target = holder.pid();
  EXPECT_CHILD_OK(RunInChild(
      [&]() -> std::string {
        __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
        CHILD_CHECK(syscall(SYS_capget, &header, data) == 0);
        data[CAP_SETGID / 32].effective &= ~(1u << (CAP_SETGID % 32));
        CHILD_CHECK(syscall(SYS_capset, &header, data) == 0);
        spec::Linux l = With({{NamespaceType::user, ""}});
        l.uidMappings = {{0, 0, 1}};
        l.gidMappings = {{0, getegid(), 1}};
        CHILD_OK(WriteIdMappings(target, l));
        const std::string proc = "/proc/" + std::to_string(target);
        CHILD_CHECK(ReadFile(proc + "/setgroups") == "deny\n");
        CHILD_CHECK(ReadFile(proc + "/gid_map").find(" 1\n") != std::string::npos);
        return "";
      },
      0));
  EXPECT_TRUE(holder.Continue());
}

int64_t ClockSeconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return ts.tv_sec;
}

TEST_F(NamespacesRootTest, TimeNamespaceOffsetsApplyToChildren) {
  spec::Linux l = With({{NamespaceType::time, ""}});
  l.timeOffsets["monotonic"] = {100000, 0};
  l.timeOffsets["boottime"] = {200000, 0};
  EXPECT_CHILD_OK(RunInChild(
      [&]() -> std::string {
        const int64_t mono = ClockSeconds(CLOCK_MONOTONIC);
        const int64_t boot = ClockSeconds(CLOCK_BOOTTIME);
        CHILD_OK(UnshareLateNamespaces(l));
        // This process stays in the old namespace; a child enters the new one.
        int fds[2];
        CHILD_CHECK(pipe2(fds, O_CLOEXEC) == 0);
        pid_t pid = fork();
        if (pid == 0) {
          int64_t v[2] = {ClockSeconds(CLOCK_MONOTONIC), ClockSeconds(CLOCK_BOOTTIME)};
          (void)!write(fds[1], v, sizeof(v));
          _exit(0);
        }
        close(fds[1]);
        int64_t v[2] = {0, 0};
        CHILD_CHECK(read(fds[0], v, sizeof(v)) == sizeof(v));
        waitpid(pid, nullptr, 0);
        CHILD_CHECK(v[0] - mono >= 100000 && v[0] - mono < 100010);
        CHILD_CHECK(v[1] - boot >= 200000 && v[1] - boot < 200010);
        CHILD_CHECK(ClockSeconds(CLOCK_MONOTONIC) - mono < 10);
        return "";
      },
      0));
}

TEST_F(NamespacesRootTest, CgroupNamespaceHidesTheHostPath) {
  const std::string before = ReadFile("/proc/self/ns/cgroup");
  EXPECT_CHILD_OK(RunInChild(
      [&]() -> std::string {
        char host_ns[64] = {0}, own_ns[64] = {0};
        CHILD_CHECK(readlink("/proc/self/ns/cgroup", host_ns, sizeof(host_ns) - 1) > 0);
        CHILD_OK(UnshareLateNamespaces(With({{NamespaceType::cgroup, ""}})));
        CHILD_CHECK(readlink("/proc/self/ns/cgroup", own_ns, sizeof(own_ns) - 1) > 0);
        CHILD_CHECK(std::string(host_ns) != own_ns);
        // Every hierarchy's path is now the namespace root.
        std::string cg = ReadFile("/proc/self/cgroup");
        size_t pos = 0;
        while ((pos = cg.find('\n', pos)) != std::string::npos) {
          CHILD_CHECK(pos >= 2 && cg.compare(pos - 2, 2, ":/") == 0);
          ++pos;
        }
        return "";
      },
      0));
}

TEST_F(NamespacesRootTest, JoinedCgroupNamespaceIsNotUnshared) {
  EXPECT_CHILD_OK(RunInChild(
      [&]() -> std::string {
        char before[64] = {0}, after[64] = {0};
        CHILD_CHECK(readlink("/proc/self/ns/cgroup", before, sizeof(before) - 1) > 0);
        CHILD_OK(UnshareLateNamespaces(With({{NamespaceType::cgroup, "/proc/self/ns/cgroup"}})));
        CHILD_CHECK(readlink("/proc/self/ns/cgroup", after, sizeof(after) - 1) > 0);
        CHILD_CHECK(std::string(before) == after);
        return "";
      },
      0));
}

TEST_F(NamespacesRootTest, HostAndDomainName) {
  const std::string host = Hostname();
  spec::Config c;
  c.hostname = "berth-box";
  c.domainname = "berth.test";
  c.linux_ = With({{NamespaceType::uts, ""}});
  EXPECT_CHILD_OK(RunInChild(
      [&]() -> std::string {
        CHILD_OK(SetHostAndDomainName(c));
        CHILD_CHECK(Hostname() == "berth-box");
        char dom[256] = {0};
        CHILD_CHECK(getdomainname(dom, sizeof(dom) - 1) == 0 && std::string(dom) == "berth.test");
        return "";
      },
      CLONE_NEWUTS));
  EXPECT_EQ(Hostname(), host);
}

}  // namespace
}  // namespace berth::ns
