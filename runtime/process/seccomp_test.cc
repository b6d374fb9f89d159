#include "runtime/process/seccomp.h"

#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fcntl.h>
#include <sched.h>

#include <gtest/gtest.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "runtime/process/attributes.h"
#include "runtime/process/seccomp_internal.h"
#include "runtime/process/testing/docker_like_profile.h"
#include "runtime/process/testing/fork_child.h"
#include "runtime/process/testing/seccomp_rules.h"

namespace berth::process {
namespace {

using berth::testing::RunInChild;

using berth::testing::Arg;
using berth::testing::Rule;

// Installs the profile (under no_new_privs) in a child, then runs probe.
berth::testing::ChildOutcome RunFiltered(const spec::Seccomp& profile,
                                         const std::function<std::string()>& probe) {
  auto filter = CompileSeccomp(profile);
  if (!filter.ok()) return {"compile: " + filter.error().ToString(), 0, 0};
  return RunInChild([&] {
    if (Status s = ApplyNoNewPrivileges(true); !s) return s.error().ToString();
    auto fd = InstallSeccomp(*filter);
    if (!fd.ok()) return "install: " + fd.error().ToString();
    return probe();
  });
}

// "ok", or the errno name ("EPERM", "ENOSYS"): the filters under test answer
// with specific errnos, and the names make the expectations read as such.
std::string ErrnoOf(long rc) { return rc == 0 ? "ok" : std::string(strerrorname_np(errno)); }

TEST(Seccomp, ErrnoActionDeniesMkdirWithEperm) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.syscalls = {Rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO")};
  auto outcome = RunFiltered(profile, [] {
    return ErrnoOf(mkdir("/tmp/berth-seccomp-never", 0700)) + " / " +
           ErrnoOf(static_cast<long>(getpid() > 0 ? 0 : -1));
  });
  EXPECT_EQ(outcome.output, "EPERM / ok");
}

TEST(Seccomp, ErrnoRetIsHonoured) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.syscalls = {Rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", {}, EXDEV)};
  auto outcome = RunFiltered(profile, [] { return ErrnoOf(mkdir("/tmp/berth-x", 0700)); });
  EXPECT_EQ(outcome.output, "EXDEV");
}

TEST(Seccomp, KillProcessDeliversSigsys) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.syscalls = {Rule({"getppid"}, "SCMP_ACT_KILL_PROCESS")};
  auto outcome = RunFiltered(profile, [] {
    syscall(SYS_getppid);
    return std::string("survived");
  });
  EXPECT_EQ(outcome.signal, SIGSYS) << outcome.output;
  EXPECT_EQ(outcome.output, "");
}

TEST(Seccomp, KillKillsTheThread) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.syscalls = {Rule({"getppid"}, "SCMP_ACT_KILL")};
  auto outcome = RunFiltered(profile, [] {
    syscall(SYS_getppid);
    return std::string("survived");
  });
  EXPECT_EQ(outcome.signal, SIGSYS) << outcome.output;
}

volatile sig_atomic_t trapped_syscall = -1;

TEST(Seccomp, TrapRaisesSigsysWithTheSyscallNumber) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.syscalls = {Rule({"getppid"}, "SCMP_ACT_TRAP")};
  auto outcome = RunFiltered(profile, [] {
    struct sigaction sa {};
    sa.sa_flags = SA_SIGINFO;
    sa.sa_sigaction = [](int, siginfo_t* info, void*) { trapped_syscall = info->si_syscall; };
    sigaction(SIGSYS, &sa, nullptr);
    syscall(SYS_getppid);
    return "trapped " + std::to_string(trapped_syscall);
  });
  EXPECT_EQ(outcome.output, "trapped " + std::to_string(SYS_getppid));
}

TEST(Seccomp, ArgumentConditions) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  // personality(PER_LINUX32) denied; query (0xffffffff) allowed.
  profile.syscalls = {Rule({"personality"}, "SCMP_ACT_ERRNO", {Arg(0, PER_LINUX32, "SCMP_CMP_EQ")}),
                      // umask with any of the 0o7 bits of 0o022... masked: (arg & 0xf00) == 0x100
                      Rule({"umask"}, "SCMP_ACT_ERRNO", {Arg(0, 0xf00, "SCMP_CMP_MASKED_EQ", 0x100)}),
                      // dup with fd > 100 denied
                      Rule({"dup"}, "SCMP_ACT_ERRNO", {Arg(0, 100, "SCMP_CMP_GT")})};
  auto outcome = RunFiltered(profile, [] {
    std::string out = ErrnoOf(personality(PER_LINUX32) < 0 ? -1 : 0);
    out += " " + ErrnoOf(personality(0xffffffff) < 0 ? -1 : 0);
    out += " " + ErrnoOf(syscall(SYS_umask, 0x1ff) < 0 ? -1 : 0);  // 0x1ff & 0xf00 = 0x100
    out += " " + ErrnoOf(syscall(SYS_umask, 0x022) < 0 ? -1 : 0);
    out += " " + ErrnoOf(syscall(SYS_dup, 101) < 0 && errno == EPERM ? -1 : 0);
    int d = dup(1);
    out += " " + std::string(d >= 0 ? "dup-ok" : "dup-failed");
    return out;
  });
  EXPECT_EQ(outcome.output, "EPERM ok EPERM ok EPERM dup-ok");
}

TEST(Seccomp, RepeatedArgumentIndexIsOr) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.syscalls = {Rule({"personality"}, "SCMP_ACT_ERRNO",
                           {Arg(0, PER_LINUX32, "SCMP_CMP_EQ"), Arg(0, 0x0040000, "SCMP_CMP_EQ")})};
  auto outcome = RunFiltered(profile, [] {
    std::string out = ErrnoOf(personality(PER_LINUX32) < 0 ? -1 : 0);
    out += " " + ErrnoOf(personality(0x0040000) < 0 ? -1 : 0);
    out += " " + ErrnoOf(personality(PER_LINUX) < 0 ? -1 : 0);
    return out;
  });
  EXPECT_EQ(outcome.output, "EPERM EPERM ok");
}

TEST(Seccomp, SyscallsNewerThanTheProfileGetEnosys) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ERRNO";
  // Enough for the child to finish: its newest syscall is exit_group (231).
  profile.syscalls = {Rule({"write", "exit", "exit_group", "getpid", "rt_sigreturn", "futex", "mmap",
                            "munmap", "brk", "rt_sigprocmask", "madvise", "mprotect"},
                           "SCMP_ACT_ALLOW")};
  auto outcome = RunFiltered(profile, [] {
    char buf[4];
    long below = syscall(SYS_getppid);  // 110: older than the profile -> default
    int below_errno = errno;
    long above = syscall(SYS_getrandom, buf, sizeof(buf), 0);  // 318: newer -> ENOSYS
    int above_errno = errno;
    return std::string(below < 0 ? strerrorname_np(below_errno) : "ok") + " / " +
           (above < 0 ? strerrorname_np(above_errno) : "ok");
  });
  EXPECT_EQ(outcome.output, "EPERM / ENOSYS");
}

TEST(Seccomp, DockerSizedProfileLoadsAndBehaves) {
  auto outcome = RunFiltered(berth::testing::DockerLikeProfile(), [] {
    std::string out = ErrnoOf(unshare(CLONE_NEWUTS));         // denied: EPERM
    out += " / " + ErrnoOf(syscall(SYS_clone3, nullptr, 0));  // errnoRet 38
    out += " / " + ErrnoOf(getpid() > 0 ? 0 : -1);            // allowed
    // listmount (458) is newer than this libseccomp (Debian's 2.5.4 knows up
    // to 456), so newer than the profile: ENOSYS, not the default EPERM.
    out += " / " + ErrnoOf(syscall(458, nullptr, nullptr, 0, 0));
    return out;
  });
  EXPECT_EQ(outcome.output, "EPERM / ENOSYS / ok / ENOSYS");
}

TEST(Seccomp, AllowDefaultHasNoEnosysPrefix) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.syscalls = {Rule({"getppid"}, "SCMP_ACT_ERRNO")};
  auto outcome = RunFiltered(profile, [] {
    char buf[4];
    return ErrnoOf(syscall(SYS_getrandom, buf, sizeof(buf), 0) == 4 ? 0 : -1);
  });
  EXPECT_EQ(outcome.output, "ok");
}

TEST(Seccomp, EnosysPrefixLayout) {
  std::map<uint32_t, int> max = {{0x40000003U /* i386 */, 300}, {0xc000003eU /* x86_64 */, 231}};
  auto prefix = EnosysPrefix(max);
  // i386: ld, jeq, ld, jgt, ret = 5; x86_64: ld, jeq, ld, jge(x32), jgt, ret = 6.
  ASSERT_EQ(prefix.size(), 11u);
  EXPECT_EQ(prefix[1].jf, 3);  // skip to the next arch block
  EXPECT_EQ(prefix[3].k, 300u);
  EXPECT_EQ(prefix[3].jf, 11 - 4);  // not newer: to the main program
  EXPECT_EQ(prefix[4].k, SECCOMP_RET_ERRNO | ENOSYS);
  EXPECT_EQ(prefix[6].jf, 4);
  EXPECT_EQ(prefix[8].jt, 11 - 9);  // x32 number: to the main program
  EXPECT_EQ(prefix[9].jf, 11 - 10);
}

TEST(Seccomp, UnknownSyscallNamesAreIgnored) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.syscalls = {Rule({"no_such_syscall_berth", "mkdir"}, "SCMP_ACT_ERRNO")};
  auto outcome = RunFiltered(profile, [] { return ErrnoOf(mkdir("/tmp/berth-y", 0700)); });
  EXPECT_EQ(outcome.output, "EPERM");
}

TEST(Seccomp, InvalidProfilesAreErrorsNamingTheValue) {
  struct Case {
    std::function<void(spec::Seccomp&)> edit;
    std::string needle;
  };
  std::vector<Case> cases = {
      {[](spec::Seccomp& p) { p.defaultAction = "SCMP_ACT_MAYBE"; }, "SCMP_ACT_MAYBE"},
      {[](spec::Seccomp& p) { p.syscalls = {Rule({"read"}, "SCMP_ACT_PERHAPS")}; }, "SCMP_ACT_PERHAPS"},
      {[](spec::Seccomp& p) {
         p.syscalls = {Rule({"read"}, "SCMP_ACT_ERRNO", {Arg(0, 1, "SCMP_CMP_ABOUT")})};
       },
       "SCMP_CMP_ABOUT"},
      {[](spec::Seccomp& p) { p.syscalls = {Rule({"read"}, "SCMP_ACT_ERRNO", {Arg(6, 1, "SCMP_CMP_EQ")})}; },
       "argument index 6"},
      {[](spec::Seccomp& p) { p.architectures = {"SCMP_ARCH_Z80"}; }, "SCMP_ARCH_Z80"},
      {[](spec::Seccomp& p) { p.flags = {"SECCOMP_FILTER_FLAG_FAST"}; }, "SECCOMP_FILTER_FLAG_FAST"},
      {[](spec::Seccomp& p) { p.syscalls = {Rule({"read"}, "SCMP_ACT_KILL", {}, 1)}; },
       "SCMP_ACT_KILL does not take an errno"},
      {[](spec::Seccomp& p) { p.defaultAction = "SCMP_ACT_NOTIFY"; }, "default action"},
      {[](spec::Seccomp& p) { p.syscalls = {Rule({"write"}, "SCMP_ACT_NOTIFY")}; }, "write"},
  };
  for (const auto& c : cases) {
    spec::Seccomp profile;
    profile.defaultAction = "SCMP_ACT_ERRNO";
    c.edit(profile);
    auto filter = CompileSeccomp(profile);
    ASSERT_FALSE(filter.ok()) << c.needle;
    EXPECT_NE(filter.error().message().find(c.needle), std::string::npos) << filter.error().message();
  }
}

// Found with the seccomp fuzz target's invariant (write(2) never goes to the
// listener; fuzz/corpus/seccomp/regression-notify-write-nul-name.json): names
// are resolved as C strings, so "write\0x" compiled to a notify rule for
// write(2) past the guard comparing whole names, and would deadlock the init.
TEST(Seccomp, SyscallNamesWithNulBytesAreErrors) {
  for (const char* action : {"SCMP_ACT_NOTIFY", "SCMP_ACT_ERRNO"}) {
    SCOPED_TRACE(action);
    spec::Seccomp profile;
    profile.defaultAction = "SCMP_ACT_ALLOW";
    profile.syscalls = {Rule({std::string("write\0x", 7)}, action)};
    auto filter = CompileSeccomp(profile);
    ASSERT_FALSE(filter.ok());
    EXPECT_NE(filter.error().message().find("NUL byte"), std::string::npos) << filter.error().message();
  }
}

TEST(Seccomp, ArchitecturesAndFlagsCompileAndLoad) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.defaultErrnoRet = std::nullopt;
  profile.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  profile.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC",
                   "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  profile.syscalls = {Rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO"), Rule({"getppid"}, "SCMP_ACT_LOG"),
                      Rule({"chdir"}, "SCMP_ACT_TRAP"), Rule({"fchdir"}, "SCMP_ACT_TRACE", {}, EXDEV)};
  auto filter = CompileSeccomp(profile);
  ASSERT_TRUE(filter.ok()) << filter.error().ToString();
  EXPECT_EQ(filter->flags, unsigned{SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
                                    SECCOMP_FILTER_FLAG_TSYNC});  // WAIT_KILLABLE needs notify
  auto outcome = RunFiltered(profile, [] {
    // Not traced: SCMP_ACT_TRACE fails the call with ENOSYS.
    return ErrnoOf(mkdir("/tmp/berth-z", 0700)) + " / " + ErrnoOf(syscall(SYS_getppid) > 0 ? 0 : -1) + " / " +
           ErrnoOf(fchdir(0));
  });
  EXPECT_EQ(outcome.output, "EPERM / ok / ENOSYS");
}

TEST(Seccomp, DefaultErrnoRet) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ERRNO";
  profile.defaultErrnoRet = EXDEV;
  profile.syscalls = {Rule({"write", "exit", "exit_group", "getpid", "rt_sigreturn", "futex", "mmap",
                            "munmap", "brk", "rt_sigprocmask", "madvise", "mprotect"},
                           "SCMP_ACT_ALLOW")};
  auto outcome = RunFiltered(profile, [] {
    long rc = syscall(SYS_getppid);
    return std::string(rc < 0 ? strerrorname_np(errno) : "ok");
  });
  EXPECT_EQ(outcome.output, "EXDEV");
}

TEST(Seccomp, InstallWithoutNoNewPrivsOrCapSysAdminFails) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.syscalls = {Rule({"mkdir"}, "SCMP_ACT_ERRNO")};
  auto filter = CompileSeccomp(profile);
  ASSERT_TRUE(filter.ok());
  auto outcome = RunInChild([&] {
    if (geteuid() == 0 && setresuid(1000, 1000, 1000) != 0) return std::string("setup");
    auto fd = InstallSeccomp(*filter);
    return fd.ok() ? std::string("installed") : fd.error().ToString();
  });
  EXPECT_NE(outcome.output.find("needs no_new_privs or CAP_SYS_ADMIN"), std::string::npos) << outcome.output;
}

TEST(Seccomp, ContainerProcessStateCarriesMetadataAndState) {
  spec::Seccomp profile;
  profile.listenerMetadata = "k=\"v\"";
  std::string json = ContainerProcessStateJson(profile, 42, R"({"ociVersion":"1.3.0"})");
  EXPECT_EQ(json, R"({"ociVersion":"1.3.0","fds":["seccompFd"],"pid":42,"metadata":"k=\"v\"",)"
                  R"("state":{"ociVersion":"1.3.0"}})");
}

// The agent side of the listener protocol, for the notify test.
struct Agent {
  std::string received_json;
  int notify_fd = -1;
  std::string error;
};

// drain: read until the runtime closes the connection. Off when the test
// process itself still holds a copy of the connected socket.
void ServeOnce(int listen_fd, Agent* agent, bool drain = true) {
  int conn = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) {
    agent->error = "accept";
    return;
  }
  char buf[8192];
  iovec iov{buf, sizeof(buf)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  if (n > 0) agent->received_json.assign(buf, static_cast<size_t>(n));
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_type == SCM_RIGHTS) std::memcpy(&agent->notify_fd, CMSG_DATA(c), sizeof(int));
  // Drain until the runtime closes (exactly one state per connection).
  while (drain && (n = read(conn, buf, sizeof(buf))) > 0)
    agent->received_json.append(buf, static_cast<size_t>(n));
  close(conn);
  if (agent->notify_fd < 0) {
    agent->error = "no fd";
    return;
  }
  // Answer one notification: uname fails with EXDEV.
  seccomp_notif req{};
  if (ioctl(agent->notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
    agent->error = "NOTIF_RECV";
    return;
  }
  if (req.data.nr != SYS_uname) agent->error = "unexpected syscall " + std::to_string(req.data.nr);
  seccomp_notif_resp resp{};
  resp.id = req.id;
  resp.error = -EXDEV;
  if (ioctl(agent->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) agent->error = "NOTIF_SEND";
}

TEST(Seccomp, NotifyListenerReceivesTheFdAndAnswers) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.listenerPath = "/tmp/berth-seccomp-agent-" + std::to_string(getpid()) + ".sock";
  profile.listenerMetadata = "hello-agent";
  profile.syscalls = {Rule({"uname"}, "SCMP_ACT_NOTIFY")};
  // Both only valid with a listener (TSYNC then needs TSYNC_ESRCH).
  profile.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC"};
  auto filter = CompileSeccomp(profile);
  ASSERT_TRUE(filter.ok()) << filter.error().ToString();
  ASSERT_TRUE(filter->uses_notify);
  EXPECT_EQ(filter->flags, unsigned{SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_TSYNC});

  int listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listen_fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, profile.listenerPath.c_str());
  unlink(addr.sun_path);
  ASSERT_EQ(bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listen_fd, 1), 0);
  Agent agent;
  std::thread server(ServeOnce, listen_fd, &agent, true);

  const std::string state = R"({"ociVersion":"1.3.0","id":"c1","status":"creating","pid":77,"bundle":"/b"})";
  auto outcome = RunInChild([&] {
    if (Status s = ApplyNoNewPrivileges(true); !s) return s.error().ToString();
    auto fd = InstallSeccomp(*filter);
    if (!fd.ok()) return "install: " + fd.error().ToString();
    if (*fd < 0) return std::string("no listener fd");
    if (Status s = SendSeccompListenerFd(profile, *fd, state); !s) return s.error().ToString();
    close(*fd);
    struct utsname u;
    return ErrnoOf(uname(&u));
  });
  server.join();
  close(listen_fd);
  unlink(addr.sun_path);
  if (agent.notify_fd >= 0) close(agent.notify_fd);
  EXPECT_EQ(agent.error, "");
  EXPECT_EQ(outcome.output, "EXDEV");
  EXPECT_EQ(agent.received_json,
            R"({"ociVersion":"1.3.0","fds":["seccompFd"],"pid":77,"metadata":"hello-agent","state":)" +
                state + "}");
}

TEST(Seccomp, PreConnectedListenerSocketWorksFromInsideAChroot) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to chroot";
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.listenerPath = "/tmp/berth-seccomp-agent2-" + std::to_string(getpid()) + ".sock";
  profile.syscalls = {Rule({"uname"}, "SCMP_ACT_NOTIFY")};
  auto filter = CompileSeccomp(profile);
  ASSERT_TRUE(filter.ok()) << filter.error().ToString();

  int listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listen_fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, profile.listenerPath.c_str());
  unlink(addr.sun_path);
  ASSERT_EQ(bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listen_fd, 1), 0);
  Agent agent;
  std::thread server(ServeOnce, listen_fd, &agent, false);

  // Parent side, before the "container" changes root.
  auto conn = ConnectSeccompListener(profile);
  ASSERT_TRUE(conn.ok()) << conn.error().ToString();
  const std::string state = R"({"ociVersion":"1.3.0","id":"c2","status":"creating","pid":78,"bundle":"/b"})";
  auto outcome = RunInChild([&] {
    // Where listenerPath no longer resolves, as in a container.
    if (chroot("/proc/self/fdinfo") != 0) return std::string("chroot");
    if (Status s = ApplyNoNewPrivileges(true); !s) return s.error().ToString();
    auto fd = InstallSeccomp(*filter);
    if (!fd.ok()) return "install: " + fd.error().ToString();
    if (Status s = SendSeccompState(*conn, profile, *fd, state); !s) return s.error().ToString();
    close(*conn);
    close(*fd);
    struct utsname u;
    return ErrnoOf(uname(&u));
  });
  close(*conn);
  server.join();
  close(listen_fd);
  unlink(addr.sun_path);
  if (agent.notify_fd >= 0) close(agent.notify_fd);
  EXPECT_EQ(agent.error, "");
  EXPECT_EQ(outcome.output, "EXDEV");
  EXPECT_NE(agent.received_json.find(R"("pid":78)"), std::string::npos) << agent.received_json;
}

TEST(Seccomp, ListenerPathThatDoesNotExistIsAnErrorNamingIt) {
  spec::Seccomp profile;
  profile.listenerPath = "/nonexistent/berth/agent.sock";
  Status s = SendSeccompListenerFd(
      profile, 0, R"({"ociVersion":"1.3.0","id":"c","status":"creating","pid":1,"bundle":"/b"})");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("/nonexistent/berth/agent.sock"), std::string::npos);
  EXPECT_EQ(s.error().code(), ENOENT);
}

}  // namespace
}  // namespace berth::process
