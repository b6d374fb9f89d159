// `exec`, CHILD side. The intermediate child joins the init's namespaces with
// one setns(pidfd) while the parent attaches it to the container's cgroups,
// waits for that (kInCgroup), and clone3(CLONE_PARENT)s the process, so that
// the process is born in the container's cgroups and pid namespace and is the
// runtime's own (waitable) child. The process sets up its attributes in
// runc's order (waiting for the parent's go only when the seccomp listener
// needs its message) and ends in process::FinishAndExec, the same last steps
// as create's init. It speaks the
// typed protocol of runtime/container/sync.h (exec.h draws it): errors go
// back as kError on the close-on-exec sync socket; a successful execve
// closes it.
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <climits>
#include <cstring>

#include "runtime/container/clone3.h"
#include "runtime/exec/exec.h"
#include "runtime/exec/exec_child.h"
#include "runtime/log/log.h"
#include "runtime/process/attributes.h"
#include "runtime/process/capabilities.h"
#include "runtime/process/finish_exec.h"
#include "runtime/process/look_path.h"
#include "runtime/process/lsm.h"
#include "runtime/process/rlimits.h"
#include "runtime/process/seccomp.h"
#include "runtime/process/signal_dispositions.h"
#include "runtime/process/user.h"
#include "runtime/terminal/terminal.h"

namespace berth::exec::internal {
namespace {

using container::SyncType;

// --debug: one line per step of the exec'd process.
void Step(const char* name) {
  if (log::DebugEnabled()) log::Debug(std::string("exec: ") + name);
}

[[noreturn]] void Fail(container::SyncSocket& sync, const Error& error) {
  (void)sync.SendError(error);
  _exit(1);
}

// The pty comes from the container's devpts: we are in its mount namespace.
// terminal::OpenPty takes the peer with TIOCGPTPEER, never by path
// (CVE-2025-52565), and checks it is a devpts slave; unlike create's
// OpenConsole nothing is mounted on /dev/console.
Status SetUpTerminal(int console_fd, const spec::Process& process) {
  terminal::ConsolePair pty = BERTH_TRY_CTX(terminal::OpenPty(), "exec: open pty in the container");
  Status sent = terminal::SendConsoleMaster(console_fd, pty.master_fd);
  close(pty.master_fd);
  close(console_fd);
  if (!sent) {
    close(pty.peer_fd);
    return std::move(sent).error().Context("send console master");
  }
  Status ctty = terminal::BecomeControllingTerminal(pty.peer_fd, process.consoleSize);
  if (pty.peer_fd > 2) close(pty.peer_fd);
  return ctty;
}

// Everything before the filter, in runc's order for exec; returns the
// resolved executable. The rest is process::FinishAndExec, as for create.
Result<std::string> PrepareProcess(const ChildContext& ctx,
                                   std::optional<process::CapabilitySets>* final_caps) {
  const spec::Process& p = *ctx.process;
  if (p.terminal) {
    Step("terminal");
    BERTH_TRY(SetUpTerminal(ctx.console_fd, p));
  }
  Step("rlimits, oom_score_adj, scheduler, io priority, cpu affinity");
  BERTH_TRY(process::ApplyRlimits(p.rlimits));
  BERTH_TRY(process::ApplyOomScoreAdj(p));
  BERTH_TRY(process::ApplyScheduler(p));
  BERTH_TRY(process::ApplyIoPriority(p));
  if (p.execCPUAffinity) BERTH_TRY(process::ApplyCpuAffinity(p.execCPUAffinity->initial));
  // Without no_new_privs the filter needs CAP_SYS_ADMIN: kept across the
  // user change, dropped by FinishAndExec's capset after the filter.
  Step("user");
  BERTH_TRY(process::SetUser(p.user));
  Step("capabilities");
  *final_caps = BERTH_TRY(process::ApplyCapabilitiesRetaining(
      p.capabilities, process::CapabilitiesRetainedForSeccomp(ctx.seccomp != nullptr, p.noNewPrivileges)));
  Step("LSM labels");
  BERTH_TRY(process::ApplyLsmLabels(p));
  Step("cwd");
  BERTH_TRY(process::ChangeDirectoryVerified(p.cwd.empty() ? "/" : p.cwd));
  Step("look up the executable");
  return process::LookPath(p.args[0], p.env);
}

// The real steps: system calls and the sync socket.
class KernelCalls final : public ChildCalls {
 public:
  Status MakeNonDumpable() override {
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return Error::Sys("prctl(PR_SET_DUMPABLE)");
    return Ok();
  }
  Status JoinNamespaces(int pidfd, int ns_flags) override {
    // One call joins them all, the user namespace first (the kernel's order).
    if (setns(pidfd, ns_flags) != 0) return Error::Sys("setns into the container's namespaces");
    return Ok();
  }
  Status EnterRoot(int root_fd) override {
    if (fchdir(root_fd) != 0 || chroot(".") != 0) return Error::Sys("chroot into the container's root");
    close(root_fd);
    return Ok();
  }
  Status AwaitInCgroup(container::SyncSocket& sync) override {
    BERTH_TRY(sync.WaitFor(SyncType::kInCgroup));
    return Ok();
  }
  Result<pid_t> CloneProcess() override {
    pid_t pid = container::Clone3(CLONE_PARENT);
    if (pid < 0) return Error::Sys("clone3 exec process");
    return pid;
  }
  Status ReportPid(container::SyncSocket& sync, pid_t pid) override {
    return sync.Send(SyncType::kInitPid, std::to_string(pid));
  }
  Result<std::string> Prepare(const ChildContext& ctx,
                              std::optional<process::CapabilitySets>* final_caps) override {
    return PrepareProcess(ctx, final_caps);
  }
  Result<container::SyncMessage> AwaitGo(container::SyncSocket& sync) override {
    return sync.WaitFor(SyncType::kSetupDone);
  }
  process::FinalCalls& Final() override { return process::KernelFinalCalls(); }
};

}  // namespace

ChildCalls& KernelChildCalls() {
  static KernelCalls calls;
  return calls;
}

Result<pid_t> IntermediateSteps(const ChildContext& ctx, ChildCalls& calls) {
  // Non-dumpable before entering the container (inherited by the process
  // through fork): nothing inside may ptrace it or open its /proc files.
  Step("intermediate: non-dumpable, setns");
  BERTH_TRY(calls.MakeNonDumpable());
  // The parent attaches this child to the container's cgroups meanwhile
  // (a cold cgroup v1 write waits for an RCU grace period, ~8 ms here).
  if (ctx.ns_flags != 0) BERTH_TRY(calls.JoinNamespaces(ctx.pidfd, ctx.ns_flags));
  if (ctx.root_fd >= 0) BERTH_TRY(calls.EnterRoot(ctx.root_fd));
  // The fork is where the process's cgroups are decided (and charged: pids,
  // memory): it must find this child in the container's cgroups, so the
  // process is born there and never migrates.
  Step("intermediate: wait for in-cgroup");
  BERTH_TRY(calls.AwaitInCgroup(*ctx.sync));
  Step("intermediate: clone3");
  return calls.CloneProcess();
}

Status ProcessSteps(const ChildContext& ctx, ChildCalls& calls, bool* parent_gone) {
  *parent_gone = false;
  // Born in the container's cgroups: everything is accounted there already,
  // so the process goes straight on.
  process::FinalSteps steps;
  auto path = calls.Prepare(ctx, &steps.final_capabilities);
  // With a seccomp listener, the go carries the message for the agent,
  // which names our pid: only the parent can build it. Without one nothing
  // waits: a wakeup less on the critical path (the parent reads the
  // intermediate's kInitPid whenever it comes, see exec_parent.cc).
  std::string listener_message;
  if (ctx.listener_fd >= 0) {
    auto go = calls.AwaitGo(*ctx.sync);
    if (!go) {
      *parent_gone = true;
      return std::move(go).error();
    }
    listener_message = std::move(go->payload);
  }
  if (!path) return std::move(path).error();
  const spec::Process& p = *ctx.process;
  steps.path = *path;
  steps.args = &p.args;
  steps.env = &p.env;
  steps.preserved_fds = ctx.preserve_fds;
  steps.keep_fds = {ctx.sync->fd()};
  if (p.execCPUAffinity) steps.final_cpus = p.execCPUAffinity->final;
  steps.no_new_privileges = p.noNewPrivileges;
  steps.seccomp = static_cast<const process::SeccompFilter*>(ctx.seccomp);
  if (ctx.listener_fd >= 0) {
    steps.listener_fd = ctx.listener_fd;
    steps.keep_fds.push_back(ctx.listener_fd);
    steps.listener_message = std::move(listener_message);
  }
  return process::FinishAndExec(steps, calls.Final());
}

void RunIntermediate(const ChildContext& ctx) {
  ChildCalls& calls = KernelChildCalls();
  auto forked = IntermediateSteps(ctx, calls);
  if (!forked) Fail(*ctx.sync, forked.error());
  if (*forked == 0) {
    process::ResetSignalDispositions(ctx.changed_signals);
    close(ctx.pidfd);
    bool parent_gone = false;
    Status failed = ProcessSteps(ctx, calls, &parent_gone);
    if (parent_gone) _exit(1);
    Fail(*ctx.sync, failed.error());
  }
  if (!calls.ReportPid(*ctx.sync, *forked)) kill(*forked, SIGKILL);
  _exit(0);
}

}  // namespace berth::exec::internal
