// `exec`, CHILD side. The intermediate child joins the init's namespaces with
// one setns(pidfd) and clone3(CLONE_PARENT)s the process, so that the process
// is in the pid namespace and is the runtime's own (waitable) child; it
// waits to be in the container's cgroup ("C") first, so the process is born
// there. The process sets up its attributes in runc's order, waits for the
// parent's go ("G") and ends in process::FinishAndExec, the same
// last steps as create's init. Errors go back as "E<text>" on the
// close-on-exec sync socket; a successful execve closes it.
#include <fcntl.h>
#include <linux/capability.h>
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
#include "runtime/container/init_child.h"
#include "runtime/exec/exec.h"
#include "runtime/process/attributes.h"
#include "runtime/process/capabilities.h"
#include "runtime/process/finish_exec.h"
#include "runtime/process/lsm.h"
#include "runtime/process/rlimits.h"
#include "runtime/process/signal_dispositions.h"
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

// Everything before the filter, in runc's order for exec; returns the
// resolved executable. The rest is process::FinishAndExec, as for create.
Result<std::string> Prepare(const ChildContext& ctx, std::optional<process::CapabilitySets>* final_caps) {
  const spec::Process& p = *ctx.process;
  if (p.terminal) BERTH_TRY(SetUpTerminal(ctx.console_fd, p));
  BERTH_TRY(process::ApplyRlimits(p.rlimits));
  BERTH_TRY(process::ApplyOomScoreAdj(p));
  BERTH_TRY(process::ApplyScheduler(p));
  BERTH_TRY(process::ApplyIoPriority(p));
  if (p.execCPUAffinity) BERTH_TRY(process::ApplyCpuAffinity(p.execCPUAffinity->initial));
  // Without no_new_privs the filter needs CAP_SYS_ADMIN: kept across the
  // user change, dropped by FinishAndExec's capset after the filter.
  BERTH_TRY(process::SetUser(p.user));
  *final_caps = BERTH_TRY(process::ApplyCapabilitiesRetaining(
      p.capabilities, ctx.seccomp && !p.noNewPrivileges ? uint64_t{1} << CAP_SYS_ADMIN : 0));
  BERTH_TRY(process::ApplyLsmLabels(p));
  BERTH_TRY(ChangeDirectoryVerified(p.cwd.empty() ? "/" : p.cwd));
  return LookPath(p.args[0], p.env);
}

// "G", then the seccomp listener message when there is a listener (sized
// with a peek; without a listener, one recv as before).
Result<std::string> ReceiveGo(int fd, bool with_message) {
  ssize_t size = 1;
  if (with_message) {
    do size = recv(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC);
    while (size < 0 && errno == EINTR);
    if (size < 1) return Error(EPROTO, "exec: no go from the parent");
  }
  std::string message(static_cast<size_t>(size), '\0');
  ssize_t n;
  do n = recv(fd, message.data(), message.size(), 0);
  while (n < 0 && errno == EINTR);
  if (n != size || message[0] != 'G') return Error(EPROTO, "exec: no go from the parent");
  return message.substr(1);
}

[[noreturn]] void RunProcess(const ChildContext& ctx) {
  // The parent may run with signals blocked (run's signal forwarding) or
  // ignored (inherited from its caller): the container starts clean.
  process::ResetSignalDispositions(ctx.changed_signals);
  close(ctx.pidfd);
  process::FinalSteps steps;
  auto path = Prepare(ctx, &steps.final_capabilities);
  if (!path) Fail(ctx.sync_fd, path.error());
  auto listener_message = ReceiveGo(ctx.sync_fd, ctx.listener_fd >= 0);
  if (!listener_message) _exit(1);
  const spec::Process& p = *ctx.process;
  steps.path = *path;
  steps.args = &p.args;
  steps.env = &p.env;
  steps.preserved_fds = ctx.preserve_fds;
  steps.keep_fds = {ctx.sync_fd};
  if (p.execCPUAffinity) steps.final_cpus = p.execCPUAffinity->final;
  steps.no_new_privileges = p.noNewPrivileges;
  steps.seccomp = static_cast<const process::SeccompFilter*>(ctx.seccomp);
  if (ctx.listener_fd >= 0) {
    steps.listener_fd = ctx.listener_fd;
    steps.keep_fds.push_back(ctx.listener_fd);
    steps.listener_message = std::move(*listener_message);
  }
  Status failed = process::FinishAndExec(steps);
  Fail(ctx.sync_fd, failed.error());
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
  // The parent attaches us to the container's cgroup meanwhile: the process
  // must be born there. End of file: the parent gave up.
  char in_cgroup = 0;
  ssize_t n;
  do n = recv(ctx.sync_fd, &in_cgroup, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n != 1 || in_cgroup != 'C') _exit(1);
  pid_t pid = Clone3(CLONE_PARENT);
  if (pid < 0) Fail(ctx.sync_fd, Error::Sys("clone3 exec process"));
  if (pid == 0) RunProcess(ctx);
  SendText(ctx.sync_fd, "P" + std::to_string(pid));
  _exit(0);
}

}  // namespace berth::container::exec_internal
