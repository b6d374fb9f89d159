#include "runtime/base/syscalls.h"
#include "runtime/container/init_child.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstring>

#include "runtime/container/clone3.h"
#include "runtime/hooks/hooks.h"
#include "runtime/namespaces/namespaces.h"
#include "runtime/process/attributes.h"
#include "runtime/process/capabilities.h"
#include "runtime/process/finish_exec.h"
#include "runtime/process/look_path.h"
#include "runtime/process/lsm.h"
#include "runtime/process/rlimits.h"
#include "runtime/process/signal_dispositions.h"
#include "runtime/process/user.h"
#include "runtime/rootfs/sysctl.h"
#include "runtime/terminal/terminal.h"
#include "spec/state.h"

namespace berth::container {
namespace {

Status BecomeRootInNewUserNamespace() {
  // The parent has written the id maps; uid/gid 0 must be mapped to use them.
  if (setresgid(0, 0, 0) != 0) return Error::Sys("setresgid(0) in the new user namespace");
  if (setresuid(0, 0, 0) != 0) return Error::Sys("setresuid(0) in the new user namespace");
  return Ok();
}

Status JoinSessionKeyring(const std::string& id) {
  std::string name = "_ses." + id;
  if (sys::KeyctlJoinSessionKeyring(name.c_str()) < 0 && errno != ENOSYS)
    return Error::Sys("join session keyring");
  return Ok();
}

std::string StateWithStatus(const std::string& state_json, spec::ContainerStatus status) {
  auto state = spec::ParseState(state_json);
  if (!state) return state_json;
  state->status = status;
  return spec::SerializeState(*state);
}

Status SetUpConsole(InitContext& ctx, const spec::Process& process) {
  auto pair = BERTH_TRY_CTX(terminal::OpenConsole(), "open console");
  Status sent = terminal::SendConsoleMaster(ctx.console_socket_fd, pair.master_fd);
  close(pair.master_fd);
  close(ctx.console_socket_fd);
  ctx.console_socket_fd = -1;
  if (!sent) return std::move(sent).error().Context("send console master");
  Status ctty = terminal::BecomeControllingTerminal(pair.peer_fd, process.consoleSize);
  if (pair.peer_fd > 2) close(pair.peer_fd);
  if (!ctty) return std::move(ctty).error().Context("console");
  return Ok();
}

// Whether /proc/self/fd of the (new) root is a procfs.
bool HaveProcfs() {
  struct statfs st;
  return statfs("/proc/self/fd", &st) == 0 && static_cast<int64_t>(st.f_type) == PROC_SUPER_MAGIC;
}

// Staged entry (sync.h): join by path, unshare the new namespaces, let the
// parent write the id maps, then fork the init (CLONE_PARENT: the runtime's
// child) so that it is inside the pid namespace. Returns in the init; this
// first process reports the init's pid and exits.
Status EnterNamespacesStaged(InitContext& ctx) {
  BERTH_TRY(ns::JoinNamespaces(*ctx.config->linux_));
  if (ctx.unshare_flags != 0 && unshare(static_cast<int>(ctx.unshare_flags)) != 0)
    return Error::Sys("unshare the container's new namespaces");
  BERTH_TRY(ctx.sync->Send(SyncType::kUnshared));
  BERTH_TRY(ctx.sync->WaitFor(SyncType::kMappingsDone));
  if (ctx.new_user_ns) BERTH_TRY(BecomeRootInNewUserNamespace());
  pid_t init = Clone3(CLONE_PARENT);
  if (init < 0) return Error::Sys("clone3 container init");
  if (init == 0) return Ok();
  if (!ctx.sync->Send(SyncType::kInitPid, std::to_string(init))) kill(init, SIGKILL);
  _exit(0);
}

// Steps up to "created". Returns the resolved executable path.
Result<std::string> PrepareContainer(InitContext& ctx, std::string* state_json,
                                     std::optional<process::CapabilitySets>* final_capabilities) {
  const spec::Config& config = *ctx.config;
  const spec::Linux& linux_config = *config.linux_;
  const spec::Process& process = *config.process;

  if (ctx.staged)
    BERTH_TRY(EnterNamespacesStaged(ctx));
  else
    BERTH_TRY(ns::JoinNamespaces(linux_config));
  BERTH_TRY(ctx.sync->WaitFor(SyncType::kSetupDone));
  if (ctx.new_user_ns) BERTH_TRY(BecomeRootInNewUserNamespace());
  // Non-dumpable until execve: nothing in the container may ptrace us or
  // open our /proc files (CVE-2016-9962). Set after the parent wrote the id
  // maps, which needs a dumpable child in a new user namespace.
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return Error::Sys("prctl(PR_SET_DUMPABLE)");
  if (!ctx.no_new_keyring) BERTH_TRY(JoinSessionKeyring(ctx.container_id));
  // The parent is attaching us to the cgroup meanwhile (sync.h). A new
  // cgroup namespace is rooted at the cgroup we are in when unsharing it.
  bool in_cgroup = false;
  ctx.rootfs.await_cgroup = [&]() -> Status {
    if (in_cgroup) return Ok();
    BERTH_TRY(ctx.sync->WaitFor(SyncType::kInCgroup));
    in_cgroup = true;
    return Ok();
  };
  const spec::Namespace* cgroup_ns = linux_config.FindNamespace(spec::NamespaceType::cgroup);
  if (cgroup_ns != nullptr && cgroup_ns->path.empty()) BERTH_TRY(ctx.rootfs.await_cgroup());
  BERTH_TRY(ns::UnshareLateNamespaces(linux_config));
  BERTH_TRY_CTX(rootfs::PrepareRootfs(config, ctx.rootfs), "prepare rootfs");
  BERTH_TRY(ctx.rootfs.await_cgroup());  // in any case before the process runs
  ctx.rootfs.await_cgroup = nullptr;

  BERTH_TRY(ctx.sync->Send(SyncType::kRootfsReady));
  SyncMessage hooks_done = BERTH_TRY(ctx.sync->WaitFor(SyncType::kHooksDone));
  *state_json = hooks_done.payload;
  if (config.hooks && !config.hooks->createContainer.empty())
    BERTH_TRY(hooks::RunHooks(config.hooks->createContainer, *state_json, "createContainer"));

  ctx.own_fds_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ctx.own_fds_dir < 0) return Error::Sys("open /proc/self/fd");
  BERTH_TRY_CTX(rootfs::EnterRootfs(config, ctx.rootfs), "enter rootfs");
  // Kept only when the new root has no procfs to reopen the fifo through.
  // A host directory fd in the waiting init is CVE-2016-9962's way out, but
  // without a procfs no process in the container can name the init's fds.
  if (ctx.own_fds_dir >= 0 && HaveProcfs()) {
    close(ctx.own_fds_dir);
    ctx.own_fds_dir = -1;
  }
  BERTH_TRY(rootfs::ApplySysctls(config));
  BERTH_TRY(ns::SetHostAndDomainName(config));
  if (process.terminal) BERTH_TRY(SetUpConsole(ctx, process));

  BERTH_TRY(process::ApplyRlimits(process.rlimits));
  BERTH_TRY(process::ApplyOomScoreAdj(process));
  BERTH_TRY(process::ApplyScheduler(process));
  BERTH_TRY(process::ApplyIoPriority(process));
  BERTH_TRY(process::ApplyPersonality(linux_config));
  BERTH_TRY(process::ApplyMemoryPolicy(linux_config));
  if (process.execCPUAffinity) BERTH_TRY(process::ApplyCpuAffinity(process.execCPUAffinity->initial));

  // The seccomp filter comes last (process::FinishAndExec, after `start`).
  // Without no_new_privs it needs CAP_SYS_ADMIN, kept across the user change
  // and dropped by the one capset after the filter.
  BERTH_TRY(process::SetUser(process.user));
  *final_capabilities = BERTH_TRY(process::ApplyCapabilitiesRetaining(
      process.capabilities,
      process::CapabilitiesRetainedForSeccomp(ctx.seccomp.has_value(), process.noNewPrivileges)));
  BERTH_TRY(process::ApplyLsmLabels(process));

  std::string cwd = process.cwd.empty() ? "/" : process.cwd;
  BERTH_TRY(process::ChangeDirectoryVerified(cwd));
  if (process.args.empty()) return Error(EINVAL, "process.args must not be empty");
  return process::LookPath(process.args[0], process.env);
}

// Steps after `start` opened the fifo. Returns only on error.
Status StartProcess(InitContext& ctx, process::FinalSteps& steps, const std::string& state_json) {
  const spec::Config& config = *ctx.config;
  if (config.hooks && !config.hooks->startContainer.empty()) {
    BERTH_TRY(hooks::RunHooks(config.hooks->startContainer,
                              StateWithStatus(state_json, spec::ContainerStatus::created),
                              "startContainer"));
  }
  return process::FinishAndExec(steps);
}

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += n;
  }
}

}  // namespace

void RunInit(InitContext& ctx) {
  // The parent may run with signals blocked (run's signal forwarding) or
  // ignored (inherited from its caller): the container starts clean.
  process::ResetSignalDispositions(ctx.changed_signals);
  const spec::Process& process = *ctx.config->process;
  std::string state_json;
  process::FinalSteps steps;
  auto prepared = PrepareContainer(ctx, &state_json, &steps.final_capabilities);
  if (!prepared) {
    (void)ctx.sync->SendError(std::move(prepared).error());
    _exit(1);
  }
  steps.path = *prepared;
  steps.args = &process.args;
  steps.env = &process.env;
  steps.preserved_fds = ctx.extra_fds;
  if (process.execCPUAffinity) steps.final_cpus = process.execCPUAffinity->final;
  steps.no_new_privileges = process.noNewPrivileges;
  if (ctx.seccomp) {
    steps.seccomp = &*ctx.seccomp;
    if (ctx.seccomp->uses_notify && ctx.seccomp_listener_fd < 0) {
      (void)ctx.sync->SendError(
          Error(EINVAL, "seccomp profile uses SCMP_ACT_NOTIFY but linux.seccomp.listenerPath is not set"));
      _exit(1);
    }
    if (ctx.seccomp->uses_notify) {
      auto state = spec::ParseState(state_json);
      if (!state) {
        (void)ctx.sync->SendError(std::move(state).error().Context("seccomp listener: state"));
        _exit(1);
      }
      steps.listener_fd = ctx.seccomp_listener_fd;
      steps.keep_fds.push_back(ctx.seccomp_listener_fd);
      steps.listener_message = process::ContainerProcessStateMessage(
          *ctx.config->linux_->seccomp, state->pid, state_json);
    }
  }
  // The fifo is reopened through our O_PATH fd, since its path is outside
  // the new root (through own_fds_dir, the host's, when the root has no /proc).
  // Opening for writing blocks until `start` opens it to read.
  char fifo_name[32];
  snprintf(fifo_name, sizeof fifo_name, ctx.own_fds_dir >= 0 ? "%d" : "/proc/self/fd/%d", ctx.exec_fifo_fd);
  if (!ctx.sync->Send(SyncType::kCreated)) _exit(1);
  ctx.sync->Close();
  int fifo_write_fd = openat(ctx.own_fds_dir >= 0 ? ctx.own_fds_dir : AT_FDCWD, fifo_name, O_WRONLY | O_CLOEXEC);
  if (fifo_write_fd < 0) _exit(1);
  if (ctx.own_fds_dir >= 0) close(ctx.own_fds_dir);
  close(ctx.exec_fifo_fd);
  steps.keep_fds.push_back(fifo_write_fd);
  Status started = StartProcess(ctx, steps, state_json);
  // Only reached on failure: `start` reads this text and reports it.
  WriteAll(fifo_write_fd, started.error().ToString());
  _exit(1);
}

}  // namespace berth::container
