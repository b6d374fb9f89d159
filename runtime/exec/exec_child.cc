// `exec`, CHILD side. The intermediate child joins the init's namespaces with
// one setns(pidfd) and clone3(CLONE_PARENT)s the process, so that the process
// is in the pid namespace and is the runtime's own (waitable) child. The
// process then waits for the parent to put it in the cgroup, sets up its
// attributes in runc's order and execs. Errors go back as "E<text>" on the
// close-on-exec sync socket; a successful execve closes it.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstring>

#include "runtime/container/clone3.h"
#include "runtime/container/fds.h"
#include "runtime/container/init_child.h"
#include "runtime/exec/exec.h"
#include "runtime/process/attributes.h"
#include "runtime/process/capabilities.h"
#include "runtime/process/lsm.h"
#include "runtime/process/rlimits.h"
#include "runtime/process/seccomp.h"
#include "runtime/process/user.h"
#include "runtime/terminal/terminal.h"

namespace berth::container::exec_internal {
namespace {

void SendText(int fd, const std::string& text) {
  (void)send(fd, text.data(), text.size(), MSG_NOSIGNAL);
}

[[noreturn]] void Fail(int fd, const Error& error) {
  SendText(fd, "E" + error.ToString());
  _exit(1);
}

void ResetSignals() {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    signal(sig, SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

// The pty comes from the container's devpts: we are in its mount namespace.
// The peer is taken with TIOCGPTPEER, never by path (CVE-2025-52565).
Status SetUpTerminal(int console_fd, const spec::Process& process) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return Error::Sys("open /dev/ptmx in the container");
  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) != 0) {
    Error e = Error::Sys("unlockpt");
    close(master);
    return e;
  }
  int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (peer < 0) {
    Error e = Error::Sys("TIOCGPTPEER");
    close(master);
    return e;
  }
  Status sent = terminal::SendConsoleMaster(console_fd, master);
  close(master);
  close(console_fd);
  if (!sent) {
    close(peer);
    return std::move(sent).error().Context("send console master");
  }
  Status ctty = terminal::BecomeControllingTerminal(peer, process.consoleSize);
  if (peer > 2) close(peer);
  return ctty;
}

Status ChangeDirectoryVerified(const std::string& cwd) {
  if (chdir(cwd.c_str()) != 0) return Error::Sys("chdir to cwd (\"" + cwd + "\")");
  // A leaked host directory (cwd "/proc/self/fd/N", CVE-2024-21626) is not
  // reachable from the container's root: getcwd reports "(unreachable)".
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf) == nullptr || buf[0] != '/')
    return Error(errno ? errno : ENOENT, "current working directory is outside of container mount namespace root");
  return Ok();
}

Status InstallFilter(const ChildContext& ctx) {
  if (!ctx.seccomp) return Ok();
  int notify = BERTH_TRY(process::InstallSeccomp(*static_cast<const process::SeccompFilter*>(ctx.seccomp)));
  if (notify >= 0) close(notify);  // the parent refused notify profiles
  return Ok();
}

Result<std::string> Prepare(const ChildContext& ctx) {
  const spec::Process& p = *ctx.process;
  if (p.terminal) BERTH_TRY(SetUpTerminal(ctx.console_fd, p));
  BERTH_TRY(process::ApplyRlimits(p.rlimits));
  BERTH_TRY(process::ApplyOomScoreAdj(p));
  BERTH_TRY(process::ApplyScheduler(p));
  BERTH_TRY(process::ApplyIoPriority(p));
  if (p.execCPUAffinity) BERTH_TRY(process::ApplyCpuAffinity(p.execCPUAffinity->initial));
  // Without no_new_privs seccomp needs CAP_SYS_ADMIN: before the user change.
  if (!p.noNewPrivileges) BERTH_TRY(InstallFilter(ctx));
  BERTH_TRY(process::SetUser(p.user));
  BERTH_TRY(process::ApplyCapabilities(p.capabilities));
  BERTH_TRY(process::ApplyLsmLabels(p));
  BERTH_TRY(process::ApplyNoNewPrivileges(p.noNewPrivileges));
  if (p.noNewPrivileges) BERTH_TRY(InstallFilter(ctx));
  BERTH_TRY(ChangeDirectoryVerified(p.cwd.empty() ? "/" : p.cwd));
  std::string path = BERTH_TRY(LookPath(p.args[0], p.env));
  if (p.execCPUAffinity) BERTH_TRY(process::ApplyCpuAffinity(p.execCPUAffinity->final));
  return path;
}

[[noreturn]] void RunProcess(const ChildContext& ctx) {
  ResetSignals();
  close(ctx.pidfd);
  char go = 0;
  ssize_t n;
  do n = recv(ctx.sync_fd, &go, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n != 1 || go != 'G') _exit(1);
  auto path = Prepare(ctx);
  if (!path) Fail(ctx.sync_fd, path.error());
  if (Status s = CloseFdsForExec(ctx.preserve_fds, ctx.sync_fd); !s) Fail(ctx.sync_fd, s.error());
  const spec::Process& p = *ctx.process;
  std::vector<char*> argv;
  for (const auto& a : p.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : p.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  execve(path->c_str(), argv.data(), envp.data());
  Fail(ctx.sync_fd, Error::Sys("exec \"" + p.args[0] + "\""));
}

}  // namespace

void RunIntermediate(const ChildContext& ctx) {
  // Non-dumpable before entering the container (inherited by the process
  // through fork): nothing inside may ptrace it or open its /proc files.
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) Fail(ctx.sync_fd, Error::Sys("prctl(PR_SET_DUMPABLE)"));
  // One call joins them all, the user namespace first (the kernel's order).
  if (ctx.ns_flags != 0 && setns(ctx.pidfd, ctx.ns_flags) != 0)
    Fail(ctx.sync_fd, Error::Sys("setns into the container's namespaces"));
  if (ctx.root_fd >= 0 && (fchdir(ctx.root_fd) != 0 || chroot(".") != 0))
    Fail(ctx.sync_fd, Error::Sys("chroot into the container's root"));
  if (ctx.root_fd >= 0) close(ctx.root_fd);
  pid_t pid = Clone3(CLONE_PARENT);
  if (pid < 0) Fail(ctx.sync_fd, Error::Sys("clone3 exec process"));
  if (pid == 0) RunProcess(ctx);
  SendText(ctx.sync_fd, "P" + std::to_string(pid));
  _exit(0);
}

}  // namespace berth::container::exec_internal
